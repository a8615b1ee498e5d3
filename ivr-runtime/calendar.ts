// Business hours: is a calendar open at an instant, and when does that answer next flip.
// Pure functions of (calendar, instant); the inbound router and the IVR ask them per call.
//
// Windows and holidays are wall-clock rules in the calendar's zone: "Monday 09:00-18:00"
// means 09:00 on the office clock whatever the UTC offset is that day. So an instant is
// judged by its local date and time. On a spring-forward day the skipped hour has no
// instants (a window starting at 02:30 opens at 03:00, when the clock jumps past it); on
// a fall-back day the repeated hour is judged by its local time both times it happens.
import { ZoneClock, type WallClock } from './calendar-zone.js';

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface WeekdayWindow {
  weekday: number;
  /** "HH:MM", inclusive. */
  start: string;
  /** "HH:MM" or "24:00", exclusive. */
  end: string;
}

export interface CalendarRules {
  /** IANA name, e.g. Europe/Istanbul. */
  timezone: string;
  /** When the calendar is open; none means it never is. */
  weekdayWindows: readonly WeekdayWindow[];
  /** Local dates ("YYYY-MM-DD") closed all day, whatever the windows say. */
  holidays: readonly string[];
}

export type OpenReason = 'within_window' | 'outside_windows' | 'holiday';

export interface OpenState {
  open: boolean;
  reason: OpenReason;
  /** Local date in the calendar's zone, "YYYY-MM-DD". */
  localDate: string;
  /** Local time, "HH:MM". */
  localTime: string;
  weekday: IsoWeekday;
  /** The zone's offset from UTC at that instant, "+03:00". */
  utcOffset: string;
  /** The window the instant falls in, when open. */
  window: WeekdayWindow | null;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead nextChange looks by default: a week and a day covers any weekly rhythm. */
export const NEXT_CHANGE_HORIZON_DAYS = 8;

/** Minutes since local midnight of "HH:MM" ("24:00" is 1440). */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** ISO weekday of a naive (wall-clock-as-UTC) time. */
function isoWeekday(naive: number): IsoWeekday {
  return (((new Date(naive).getUTCDay() + 6) % 7) + 1) as IsoWeekday;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function formatOffset(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / MINUTE);
  return `${ms < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

interface CompiledWindow {
  window: WeekdayWindow;
  weekday: IsoWeekday;
  startMin: number;
  endMin: number;
}

/** The rules in the form the checks use; weekday 0 (Sunday, as some clients send it) is 7. */
class CompiledCalendar {
  readonly windows: CompiledWindow[];
  readonly holidays: Set<string>;

  constructor(readonly rules: CalendarRules) {
    this.windows = rules.weekdayWindows.map((w) => ({
      window: w,
      weekday: (w.weekday === 0 ? 7 : w.weekday) as IsoWeekday,
      startMin: minutesOfDay(w.start),
      endMin: minutesOfDay(w.end),
    }));
    this.holidays = new Set(rules.holidays);
  }

  judge(c: WallClock): OpenState {
    const naiveMidnight = Date.UTC(c.year, c.month - 1, c.day);
    const weekday = isoWeekday(naiveMidnight);
    const localDate = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`;
    const base = {
      localDate,
      localTime: `${pad(c.hour)}:${pad(c.minute)}`,
      weekday,
      utcOffset: formatOffset(c.offsetMs),
    };
    if (this.holidays.has(localDate)) return { ...base, open: false, reason: 'holiday', window: null };
    const second = c.hour * 3600 + c.minute * 60 + c.second;
    const hit = this.windows.find((w) => w.weekday === weekday && w.startMin * 60 <= second && second < w.endMin * 60);
    return hit
      ? { ...base, open: true, reason: 'within_window', window: hit.window }
      : { ...base, open: false, reason: 'outside_windows', window: null };
  }

  /** Minutes since midnight at which the answer may change on a day of this weekday. */
  boundaries(weekday: IsoWeekday): Set<number> {
    const out = new Set<number>([0]); // date change: holidays, the weekday itself
    for (const w of this.windows) {
      if (w.weekday !== weekday) continue;
      out.add(w.startMin);
      if (w.endMin < 1440) out.add(w.endMin);
    }
    return out;
  }
}

/** Whether the calendar is open at the instant, and why. */
export function isOpen(calendar: CalendarRules, instant: Date): OpenState {
  return new CompiledCalendar(calendar).judge(new ZoneClock(calendar.timezone).wallClock(instant.getTime()));
}

/**
 * The first instant after `instant` at which `isOpen(...).open` differs, or null when it
 * stays the same for `horizonDays`.
 *
 * The answer is a function of the local date and time only, so it can change only where
 * the local clock reaches a boundary (midnight, a window's start or end) or jumps (a UTC
 * offset change). Every instant of both kinds within the horizon is a candidate; between
 * two consecutive candidates the answer is constant, so the first candidate that differs
 * is exact, with no stepping minute by minute.
 */
export function nextChange(calendar: CalendarRules, instant: Date, horizonDays = NEXT_CHANGE_HORIZON_DAYS): Date | null {
  const cal = new CompiledCalendar(calendar);
  const clock = new ZoneClock(calendar.timezone);
  const from = instant.getTime();
  const to = from + horizonDays * DAY;
  const initial = cal.judge(clock.wallClock(from)).open;

  // Spans of constant offset covering (from, to].
  const transitions = clock.transitions(from, to);
  const spans = [from, ...transitions].map((start, i) => ({
    start,
    end: transitions[i] ?? to + 1,
    offset: clock.offsetAt(start),
  }));

  const candidates = new Set<number>(transitions);
  const first = clock.wallClock(from);
  const last = clock.wallClock(to);
  const firstDay = Date.UTC(first.year, first.month - 1, first.day) - DAY;
  const lastDay = Date.UTC(last.year, last.month - 1, last.day) + DAY;
  for (let day = firstDay; day <= lastDay; day += DAY) {
    for (const minute of cal.boundaries(isoWeekday(day))) {
      const naive = day + minute * MINUTE;
      // A wall-clock time happens once per span whose offset maps it inside the span:
      // twice in a fall-back overlap, never in a spring-forward gap (the transition
      // instant itself is a candidate and stands for it).
      for (const s of spans) {
        const t = naive - s.offset;
        if (t >= s.start && t < s.end && t > from && t <= to) candidates.add(t);
      }
    }
  }

  for (const t of [...candidates].sort((a, b) => a - b)) {
    if (cal.judge(clock.wallClock(t)).open !== initial) return new Date(t);
  }
  return null;
}
