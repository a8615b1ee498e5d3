// /api/v1/voice/calendars (spec §8) and /calendars/{id}/is-open.
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  CalendarService,
  DATE,
  END_TIME,
  holidayProblems,
  isRealDate,
  MAX_HOLIDAYS,
  MAX_WINDOWS,
  START_TIME,
  timeZoneProblem,
  windowProblems,
  type Calendar,
  type RuleProblem,
} from '../../../voice/config/calendars.js';
import { idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

/** Reports domain rule problems as zod issues, so they come with every other bad field. */
function addProblems(problems: RuleProblem[], ctx: z.RefinementCtx): void {
  for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
}

const timezone = z
  .string()
  .max(64)
  .superRefine((s, ctx) => {
    const problem = timeZoneProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('IANA time zone (Area/Location), e.g. Europe/Istanbul; offsets and abbreviations are refused');

const weekdayWindow = z.object({
  weekday: z
    .number()
    .int()
    .min(0)
    .max(7)
    .transform((d) => (d === 0 ? 7 : d))
    .describe('ISO weekday: 1 = Monday ... 7 = Sunday (0 is accepted as Sunday and stored as 7)'),
  start: z.string().regex(START_TIME, 'must be "HH:MM", 00:00-23:59').describe('Local opening time "HH:MM" (inclusive)'),
  end: z
    .string()
    .regex(END_TIME, 'must be "HH:MM", 00:01-24:00')
    .describe('Local closing time "HH:MM" (exclusive); "24:00" means until midnight'),
});

const weekdayWindows = z
  .array(weekdayWindow)
  .max(MAX_WINDOWS)
  .superRefine((ws, ctx) => addProblems(windowProblems(ws), ctx))
  .describe('When the calendar is open, in its time zone; windows of a day must not overlap; none = never open');

const holidays = z
  .array(
    z
      .string()
      .regex(DATE, 'must be a date "YYYY-MM-DD"')
      .refine((s) => !DATE.test(s) || isRealDate(s), 'no such day in the calendar'),
  )
  .max(MAX_HOLIDAYS)
  .superRefine((hs, ctx) => addProblems(holidayProblems(hs), ctx))
  .describe('Local dates ("YYYY-MM-DD") closed all day; each at most once');

const createBody = z.object({
  name: resourceName(),
  timezone,
  weekday_windows: weekdayWindows.default([]),
  holidays: holidays.default([]),
});

const updateBody = z.object({
  name: resourceName().optional(),
  timezone: timezone.optional(),
  weekday_windows: weekdayWindows.optional(),
  holidays: holidays.optional(),
});

const windowSchema = z.object({ weekday: z.number().int(), start: z.string(), end: z.string() });

const calendarSchema = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  weekday_windows: z.array(windowSchema),
  holidays: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

function calendarJson(c: Calendar): z.infer<typeof calendarSchema> {
  return {
    id: c.id,
    name: c.name,
    timezone: c.timezone,
    weekday_windows: c.weekdayWindows,
    holidays: c.holidays,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

// An instant: a date, a time and an offset (or Z). A local time without an offset is
// refused rather than guessed, since the calendar's zone may have it twice or not at all.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Epoch milliseconds of an ISO-8601 instant with offset, or undefined when it is not one. */
export function parseInstant(s: string): number | undefined {
  const m = INSTANT.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as number[];
  const t = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, sec));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo! - 1 || t.getUTCDate() !== d || t.getUTCHours() !== h) return undefined;
  if (mi! > 59 || sec > 59) return undefined;
  const offH = Number(m[10] ?? 0);
  const offM = Number(m[11] ?? 0);
  if (offH > 23 || offM > 59) return undefined;
  const offset = (m[9] === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  const fraction = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  return t.getTime() + fraction - offset;
}

const isOpenQuery = z.object({
  at: z
    .string()
    .refine((s) => parseInstant(s) !== undefined, 'must be an ISO-8601 instant with an offset or Z, e.g. 2026-03-08T14:30:00Z')
    .optional()
    .describe('The instant to judge (default: now), e.g. 2026-04-23T10:00:00+03:00'),
});

const windowOrNull = windowSchema.nullable();

const isOpenSchema = z.object({
  open: z.boolean(),
  reason: z.enum(['within_window', 'outside_windows', 'holiday']),
  at: z.string().describe('The instant judged, UTC'),
  local_time: z.string().describe('Wall-clock time in the calendar\'s zone, "YYYY-MM-DDTHH:MM"'),
  weekday: z.number().int().describe('ISO weekday of the local date'),
  timezone: z.string(),
  utc_offset: z.string().describe('The zone\'s offset from UTC at that instant, e.g. "+03:00"'),
  window: windowOrNull.describe('The window the instant falls in, when open'),
  next_change_at: z
    .string()
    .nullable()
    .describe('The next instant `open` flips, within 8 days; null when it does not'),
});

const params = idParams('cal');
const TAG = 'Calendars';

export function calendarRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const calendars = new CalendarService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/calendars',
      summary: 'Create a calendar',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: calendarSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        calendarJson(
          await calendars.create(auth.tenant.id, {
            name: body.name,
            timezone: body.timezone,
            weekdayWindows: body.weekday_windows,
            holidays: body.holidays,
          }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/calendars',
      summary: 'List calendars',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: calendarSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await calendars.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(calendarJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/calendars/{id}',
      summary: 'Get a calendar',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: calendarSchema,
      handler: async ({ params: p, auth }) => {
        const c = await calendars.get(auth.tenant.id, p.id);
        if (!c) throw notFound('Calendar');
        return calendarJson(c);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/calendars/{id}/is-open',
      summary: 'Is the calendar open at an instant',
      description:
        'Judges the instant by its wall-clock time in the calendar\'s zone (DST included): `holiday` when the local ' +
        'date is a holiday, `within_window` when a window holds the local time, else `outside_windows`.',
      tag: TAG,
      scope: 'voice:read',
      params,
      query: isOpenQuery,
      response: isOpenSchema,
      handler: async ({ params: p, query, auth }) => {
        const at = query.at !== undefined ? new Date(parseInstant(query.at)!) : ctx.store.now();
        const s = await calendars.status(auth.tenant.id, p.id, at);
        if (!s) throw notFound('Calendar');
        return {
          open: s.state.open,
          reason: s.state.reason,
          at: s.at.toISOString(),
          local_time: `${s.state.localDate}T${s.state.localTime}`,
          weekday: s.state.weekday,
          timezone: s.calendar.timezone,
          utc_offset: s.state.utcOffset,
          window: s.state.window,
          next_change_at: s.nextChangeAt?.toISOString() ?? null,
        };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/calendars/{id}',
      summary: 'Update a calendar',
      description: 'Fields left out keep their values; `weekday_windows` and `holidays` are replaced whole.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: calendarSchema,
      handler: async ({ params: p, body, auth }) => {
        const c = await calendars.update(auth.tenant.id, p.id, (cur) => ({
          name: body.name ?? cur.name,
          timezone: body.timezone ?? cur.timezone,
          weekdayWindows: body.weekday_windows ?? cur.weekdayWindows,
          holidays: body.holidays ?? cur.holidays,
        }));
        if (!c) throw notFound('Calendar');
        return calendarJson(c);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/calendars/{id}',
      summary: 'Delete a calendar',
      description: 'Refused with 409 RESOURCE_IN_USE while a number\'s route uses the calendar.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const out = await calendars.delete(auth.tenant.id, p.id);
        if (out.kind === 'not_found') throw notFound('Calendar');
        if (out.kind === 'in_use') throw inUse('Calendar', p.id, out.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
