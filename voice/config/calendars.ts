// Calendars: business hours in an IANA time zone. A number's route names one, and
// outside its hours the call takes the number's after-hours target instead. Judging an
// instant is ivr-runtime/calendar.ts; this file keeps calendars valid and stored.
import type { Page, PageRequest, Reference, Store } from '../../store/index.js';
import { findReferences } from '../../store/index.js';
import type { CalendarsTable } from '../../store/schema.js';
import { isOpen, minutesOfDay, nextChange, type OpenState, type WeekdayWindow } from '../../ivr-runtime/calendar.js';
import { normalizeTimeZone, timeZoneProblem } from '../../ivr-runtime/calendar-zone.js';
import { ConfigError } from './errors.js';

export type { OpenState, WeekdayWindow } from '../../ivr-runtime/calendar.js';
export { timeZoneProblem } from '../../ivr-runtime/calendar-zone.js';

export const MAX_WINDOWS = 100;
export const MAX_HOLIDAYS = 366;
/** A window's start: 00:00-23:59. */
export const START_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
/** A window's end: 00:00-23:59, or 24:00 for "until midnight". */
export const END_TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** "YYYY-MM-DD" in form; isRealDate says whether the day exists. */
export const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface Calendar {
  id: string;
  tenantId: string;
  name: string;
  timezone: string;
  /** Weekdays are ISO (1 = Monday ... 7 = Sunday); a 0 sent for Sunday is stored as 7. */
  weekdayWindows: WeekdayWindow[];
  holidays: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CalendarInput {
  name: string;
  timezone: string;
  weekdayWindows: WeekdayWindow[];
  holidays: string[];
}

/** A broken rule, located relative to the field it is about: [1, 'end'] in weekday_windows. */
export interface RuleProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

/** "YYYY-MM-DD" naming a day that exists (2026-02-30 does not). */
export function isRealDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Sunday may be sent as 0 (JavaScript's getDay numbering); ISO says 7. */
export const isoWeekday = (weekday: number): number => (weekday === 0 ? 7 : weekday);

const wellFormed = (w: WeekdayWindow): boolean =>
  Number.isInteger(w.weekday) &&
  w.weekday >= 0 &&
  w.weekday <= 7 &&
  typeof w.start === 'string' &&
  START_TIME.test(w.start) &&
  typeof w.end === 'string' &&
  END_TIME.test(w.end);

/**
 * Rules between a window's fields and between windows: start before end, and no two
 * windows of a day overlapping (touching, like 09:00-12:00 and 12:00-18:00, is fine).
 * An overlap is reported on the later window of the list. A window never crosses
 * midnight: 22:00-06:00 is two windows, 22:00-24:00 and 00:00-06:00 the next day.
 */
export function windowProblems(windows: readonly WeekdayWindow[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const valid: { i: number; weekday: number; start: number; end: number }[] = [];
  windows.forEach((w, i) => {
    // A malformed field is its own error (zod reports it and still runs this check).
    if (!wellFormed(w)) return;
    const start = minutesOfDay(w.start);
    const end = minutesOfDay(w.end);
    if (end <= start) {
      problems.push({
        path: [i, 'end'],
        code: 'end_not_after_start',
        message: `must be after start (${w.start}); a window crossing midnight is two windows, the first ending at 24:00`,
      });
      return;
    }
    const weekday = isoWeekday(w.weekday);
    const clash = valid.find((v) => v.weekday === weekday && v.start < end && start < v.end);
    if (clash) {
      const other = windows[clash.i]!;
      problems.push({
        path: [i],
        code: 'overlap',
        message: `overlaps weekday_windows[${clash.i}] (weekday ${weekday}, ${other.start}-${other.end})`,
      });
      return;
    }
    valid.push({ i, weekday, start, end });
  });
  return problems;
}

/** Each holiday once. */
export function holidayProblems(holidays: readonly string[]): RuleProblem[] {
  const first = new Map<string, number>();
  const problems: RuleProblem[] = [];
  holidays.forEach((h, i) => {
    const seen = first.get(h);
    if (seen === undefined) first.set(h, i);
    else problems.push({ path: [i], code: 'duplicate', message: `${h} is already holidays[${seen}]` });
  });
  return problems;
}

const fieldName = (field: string, path: (string | number)[]): string =>
  path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : `${out}.${p}`), field);

function toCalendar(r: CalendarsTable): Calendar {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    timezone: r.timezone,
    weekdayWindows: JSON.parse(r.weekday_windows) as WeekdayWindow[],
    holidays: JSON.parse(r.holidays) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type CalendarDeleteOutcome = { kind: 'deleted' } | { kind: 'not_found' } | { kind: 'in_use'; refs: Reference[] };

export interface CalendarStatus {
  calendar: Calendar;
  at: Date;
  state: OpenState;
  /** When `state.open` next flips, within the next 8 days; null if it does not. */
  nextChangeAt: Date | null;
}

export class CalendarService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.calendars;
  }

  /**
   * Every rule, on the whole calendar as it would be stored. The API checks the same
   * rules field by field before this; here they guard every other way in.
   */
  private check(input: CalendarInput): void {
    const errors = new ConfigError();
    if (input.name.trim() === '' || input.name.length > 200) errors.add('name', 'invalid', 'must be 1-200 characters');
    const tz = timeZoneProblem(input.timezone);
    if (tz) errors.add('timezone', 'invalid_time_zone', tz);
    if (input.weekdayWindows.length > MAX_WINDOWS) errors.add('weekday_windows', 'too_big', `at most ${MAX_WINDOWS} windows`);
    input.weekdayWindows.forEach((w, i) => {
      if (!Number.isInteger(w.weekday) || w.weekday < 0 || w.weekday > 7) {
        errors.add(`weekday_windows[${i}].weekday`, 'invalid', 'must be 1 (Monday) to 7 (Sunday); 0 is read as Sunday');
      }
      if (!START_TIME.test(w.start)) errors.add(`weekday_windows[${i}].start`, 'invalid', 'must be "HH:MM", 00:00-23:59');
      if (!END_TIME.test(w.end)) errors.add(`weekday_windows[${i}].end`, 'invalid', 'must be "HH:MM", 00:01-24:00');
    });
    if (input.holidays.length > MAX_HOLIDAYS) errors.add('holidays', 'too_big', `at most ${MAX_HOLIDAYS} dates`);
    input.holidays.forEach((h, i) => {
      if (!isRealDate(h)) errors.add(`holidays[${i}]`, 'invalid_date', 'must be a real date "YYYY-MM-DD"');
    });
    if (errors.problems.length === 0) {
      for (const p of windowProblems(input.weekdayWindows)) errors.add(fieldName('weekday_windows', p.path), p.code, p.message);
      for (const p of holidayProblems(input.holidays)) errors.add(fieldName('holidays', p.path), p.code, p.message);
    }
    errors.throwIfAny();
  }

  private values(input: CalendarInput) {
    return {
      name: input.name,
      timezone: normalizeTimeZone(input.timezone),
      weekday_windows: JSON.stringify(
        input.weekdayWindows.map((w) => ({ weekday: isoWeekday(w.weekday), start: w.start, end: w.end })),
      ),
      holidays: JSON.stringify(input.holidays),
    };
  }

  async create(tenantId: string, input: CalendarInput): Promise<Calendar> {
    this.check(input);
    return toCalendar(await this.repo.insert(tenantId, this.values(input)));
  }

  async get(tenantId: string, id: string): Promise<Calendar | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toCalendar(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Calendar>> {
    const p = await this.repo.list(tenantId, page);
    return { ...p, items: p.items.map(toCalendar) };
  }

  /** Applies a partial update; fields left out keep their values. */
  async update(
    tenantId: string,
    id: string,
    patch: (current: CalendarInput) => CalendarInput,
  ): Promise<Calendar | undefined> {
    const row = await this.repo.get(tenantId, id);
    if (!row) return undefined;
    const c = toCalendar(row);
    const merged = patch({ name: c.name, timezone: c.timezone, weekdayWindows: c.weekdayWindows, holidays: c.holidays });
    this.check(merged);
    return toCalendar((await this.repo.update(tenantId, id, this.values(merged)))!);
  }

  /** Refused while a number's route uses the calendar; checked and done in one transaction. */
  async delete(tenantId: string, id: string): Promise<CalendarDeleteOutcome> {
    return this.store.db.transaction().execute(async (trx): Promise<CalendarDeleteOutcome> => {
      if (!(await this.repo.get(tenantId, id, trx))) return { kind: 'not_found' };
      const refs = await findReferences(trx, tenantId, 'calendar', id);
      if (refs.length > 0) return { kind: 'in_use', refs };
      await this.repo.delete(tenantId, id, trx);
      return { kind: 'deleted' };
    });
  }

  /** Whether the calendar is open at `at`, and when that next changes. */
  async status(tenantId: string, id: string, at: Date): Promise<CalendarStatus | undefined> {
    const calendar = await this.get(tenantId, id);
    if (!calendar) return undefined;
    return { calendar, at, state: isOpen(calendar, at), nextChangeAt: nextChange(calendar, at) };
  }
}
