// /api/v1/voice/calendars over HTTP: the seed's example, every validation rule, partial
// updates, isolation, is-open across DST changes, and delete refused while a number's
// route uses the calendar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/calendars';

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

const seedBody = {
  name: 'Istanbul Office Hours',
  timezone: 'Europe/Istanbul',
  weekday_windows: [
    { weekday: 1, start: '09:00', end: '18:00' },
    { weekday: 2, start: '09:00', end: '18:00' },
  ],
  holidays: ['2026-04-23', '2026-05-01'],
};

const make = async (body: unknown): Promise<any> => {
  const r = await t.a.post(BASE, body);
  expect(r.status, r.text).toBe(201);
  return r.body.data;
};

/** Routes a number to a fresh voicemail box, falling back to it outside the calendar's hours. */
async function routeThroughCalendar(e164: string, calendarId: string): Promise<void> {
  const box = await t.a.post('/api/v1/voice/voicemail-boxes', { name: `After hours ${e164}` });
  expect(box.status, box.text).toBe(201);
  const vm = { type: 'voicemail', voicemail_id: box.body.data.id };
  const r = await t.a.put(`/api/v1/numbers/${encodeURIComponent(e164)}/routing`, {
    ...vm,
    calendar_id: calendarId,
    after_hours: vm,
  });
  expect(r.status, r.text).toBe(200);
}

describe('calendars: create and validate', () => {
  it("accepts the seed's example and answers with the seed's field names", async () => {
    const r = await t.a.post(BASE, seedBody);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toEqual({
      id: expect.stringMatching(/^cal_[0-9a-z]+$/),
      ...seedBody,
      created_at: expect.any(String),
      updated_at: r.body.data.created_at,
    });
    expect(Date.parse(r.body.data.created_at)).not.toBeNaN();
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.body.data).toEqual(r.body.data);
  });

  it('defaults to no windows and no holidays, reads weekday 0 as Sunday (7), fixes the zone name case', async () => {
    expect(await make({ name: 'Bare', timezone: 'UTC' })).toMatchObject({ weekday_windows: [], holidays: [] });
    const c = await make({
      name: 'Sunday',
      timezone: 'europe/istanbul',
      weekday_windows: [
        { weekday: 0, start: '10:00', end: '12:00' },
        { weekday: 6, start: '12:00', end: '24:00' },
      ],
      extra: 'ignored',
    });
    expect(c.timezone).toBe('Europe/Istanbul');
    expect(c.weekday_windows).toEqual([
      { weekday: 7, start: '10:00', end: '12:00' },
      { weekday: 6, start: '12:00', end: '24:00' },
    ]);
    expect(c.extra).toBeUndefined();
  });

  it('accepts touching windows and 366 distinct holidays', async () => {
    const days = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2028, 0, 1 + i)).toISOString().slice(0, 10));
    const c = await make({
      name: 'Split day',
      timezone: 'America/New_York',
      weekday_windows: [
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '12:00', end: '17:00' },
      ],
      holidays: days,
    });
    expect(c.holidays).toHaveLength(366);
    expect(c.holidays).toContain('2028-02-29');
  });

  it('names every bad field at once', async () => {
    const r = await t.a.post(BASE, {
      name: '',
      timezone: '+03:00',
      weekday_windows: [
        { weekday: 8, start: '09:00', end: '17:00' },
        { weekday: 1, start: '9:00', end: '17:00' },
        { weekday: 2, start: '09:00', end: '25:00' },
      ],
      holidays: ['2026-02-30', '2026/05/01'],
    });
    expectFieldErrors(r, [
      'name',
      'timezone',
      'weekday_windows[0].weekday',
      'weekday_windows[1].start',
      'weekday_windows[2].end',
      'holidays[0]',
      'holidays[1]',
    ]);
  });

  it.each([
    [{ timezone: undefined }, ['timezone']],
    [{ timezone: 'Mars/Olympus_Mons' }, ['timezone']],
    [{ timezone: 'EST5EDT' }, ['timezone']],
    [{ timezone: 'EST' }, ['timezone']],
    [{ timezone: 'UTC+3' }, ['timezone']],
    [{ weekday_windows: [w(1, '18:00', '09:00')] }, ['weekday_windows[0].end']],
    [{ weekday_windows: [w(1, '09:00', '09:00')] }, ['weekday_windows[0].end']],
    [{ weekday_windows: [w(1, '22:00', '06:00')] }, ['weekday_windows[0].end']],
    [{ weekday_windows: [w(1, '24:00', '24:00')] }, ['weekday_windows[0].start']],
    [{ weekday_windows: [w(1, '09:00', '12:00'), w(2, '09:00', '12:00'), w(1, '11:59', '13:00')] }, ['weekday_windows[2]']],
    [{ weekday_windows: [w(7, '09:00', '12:00'), w(0, '10:00', '11:00')] }, ['weekday_windows[1]']],
    [{ weekday_windows: [w(1.5, '09:00', '12:00')] }, ['weekday_windows[0].weekday']],
    [{ weekday_windows: [w('1', '09:00', '12:00')] }, ['weekday_windows[0].weekday']],
    [{ weekday_windows: [{ weekday: 1, start: '09:00' }] }, ['weekday_windows[0].end']],
    [{ weekday_windows: Array.from({ length: 101 }, (_, i) => w((i % 7) + 1, '00:00', '00:01')) }, ['weekday_windows']],
    [{ holidays: ['2026-04-23', '2026-05-01', '2026-04-23'] }, ['holidays[2]']],
    [{ holidays: ['2027-02-29'] }, ['holidays[0]']],
    [{ holidays: ['2026-4-23'] }, ['holidays[0]']],
    [{ holidays: Array.from({ length: 367 }, (_, i) => new Date(Date.UTC(2030, 0, 1 + i)).toISOString().slice(0, 10)) }, ['holidays']],
    [{ holidays: '2026-04-23' }, ['holidays']],
  ])('rejects %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, { ...seedBody, ...patch }), fields);
  });

  it('says why a window is refused', async () => {
    const r = await t.a.post(BASE, { ...seedBody, weekday_windows: [w(5, '22:00', '06:00')] });
    expect(r.body.error.details[0].message).toMatch(/24:00/);
    const o = await t.a.post(BASE, { ...seedBody, weekday_windows: [w(1, '09:00', '12:00'), w(1, '11:00', '13:00')] });
    expect(o.body.error.details[0].message).toMatch(/overlaps weekday_windows\[0\]/);
  });
});

describe('calendars: update, isolation, delete', () => {
  it('updates only the fields sent and validates the result', async () => {
    const c = await make(seedBody);
    const r = await t.a.put(`${BASE}/${c.id}`, { holidays: ['2026-10-29'] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ ...c, holidays: ['2026-10-29'], updated_at: expect.any(String) });
    expect(Date.parse(r.body.data.updated_at)).toBeGreaterThanOrEqual(Date.parse(c.updated_at));

    const bad = await t.a.put(`${BASE}/${c.id}`, { name: 'Renamed', weekday_windows: [w(3, '17:00', '08:00')] });
    expectFieldErrors(bad, ['weekday_windows[0].end']);
    expect((await t.a.get(`${BASE}/${c.id}`)).body.data).toEqual(r.body.data);

    const tz = await t.a.put(`${BASE}/${c.id}`, { timezone: 'Asia/Tokyo', weekday_windows: [] });
    expect(tz.body.data).toMatchObject({ name: c.name, timezone: 'Asia/Tokyo', weekday_windows: [], holidays: ['2026-10-29'] });
    expect((await t.a.put(`${BASE}/cal_doesnotexist`, { name: 'x' })).status).toBe(404);
  });

  it('keeps tenants apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ name: `Cal ${i}`, timezone: 'UTC' }), { name: 'hijack' });
  });

  it("refuses to delete a calendar a number's route uses, naming the number", async () => {
    const c = await make({ ...seedBody, name: 'In use' });
    await routeThroughCalendar('+902125550101', c.id);
    const r = await t.a.delete(`${BASE}/${c.id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.message).toContain('+902125550101');
    expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'number', referrer_id: '+902125550101', field: 'calendar_id' })]);
    expect((await t.a.get(`${BASE}/${c.id}`)).status).toBe(200);

    const unrouted = await t.a.delete(`/api/v1/numbers/${encodeURIComponent('+902125550101')}/routing`);
    expect(unrouted.status, unrouted.text).toBe(200);
    const d = await t.a.delete(`${BASE}/${c.id}`);
    expect(d.status, d.text).toBe(200);
    expect(d.body.data).toEqual({ id: c.id, deleted: true });
    expect((await t.a.get(`${BASE}/${c.id}`)).status).toBe(404);
  });
});

describe('calendars: is-open', () => {
  const isOpen = (id: string, at?: string) =>
    t.a.get(`${BASE}/${id}/is-open${at === undefined ? '' : `?at=${encodeURIComponent(at)}`}`);

  it("judges the seed's calendar in Istanbul time, with the next change", async () => {
    const c = await make(seedBody);
    const r = await isOpen(c.id, '2026-04-20T09:00:00+03:00');
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({
      open: true,
      reason: 'within_window',
      at: '2026-04-20T06:00:00.000Z',
      local_time: '2026-04-20T09:00',
      weekday: 1,
      timezone: 'Europe/Istanbul',
      utc_offset: '+03:00',
      window: { weekday: 1, start: '09:00', end: '18:00' },
      next_change_at: '2026-04-20T15:00:00.000Z',
    });
    expect((await isOpen(c.id, '2026-04-20T05:59:59Z')).body.data).toMatchObject({
      open: false,
      reason: 'outside_windows',
      local_time: '2026-04-20T08:59',
      window: null,
      next_change_at: '2026-04-20T06:00:00.000Z',
    });
    // Thursday the 23rd is a holiday; the next opening is Monday the 27th.
    expect((await isOpen(c.id, '2026-04-23T12:00:00+03:00')).body.data).toMatchObject({
      open: false,
      reason: 'holiday',
      weekday: 4,
      next_change_at: '2026-04-27T06:00:00.000Z',
    });
  });

  it('follows New York across both DST changes', async () => {
    const office = await make({
      name: 'NY office',
      timezone: 'America/New_York',
      weekday_windows: [1, 2, 3, 4, 5].map((d) => w(d, '09:00', '17:00')),
    });
    // Closed Friday 17:00 EST (UTC-5); opens Monday 09:00 EDT (UTC-4), 13:00Z.
    expect((await isOpen(office.id, '2026-03-06T17:00:00-05:00')).body.data).toMatchObject({
      open: false,
      utc_offset: '-05:00',
      next_change_at: '2026-03-09T13:00:00.000Z',
    });
    expect((await isOpen(office.id, '2026-03-09T13:00:00Z')).body.data).toMatchObject({
      open: true,
      local_time: '2026-03-09T09:00',
      utc_offset: '-04:00',
    });

    // 01:15 happens twice on 2026-11-01; both are inside 01:00-01:30.
    const night = await make({ name: 'Night', timezone: 'America/New_York', weekday_windows: [w(7, '01:00', '01:30')] });
    const first = (await isOpen(night.id, '2026-11-01T01:15:00-04:00')).body.data;
    const second = (await isOpen(night.id, '2026-11-01T01:15:00-05:00')).body.data;
    expect(first).toMatchObject({ open: true, local_time: '2026-11-01T01:15', utc_offset: '-04:00', next_change_at: '2026-11-01T05:30:00.000Z' });
    expect(second).toMatchObject({ open: true, local_time: '2026-11-01T01:15', utc_offset: '-05:00', next_change_at: '2026-11-01T06:30:00.000Z' });
    // Between them, at 01:45 EDT, it is closed until the clock falls back to 01:00.
    expect((await isOpen(night.id, '2026-11-01T05:45:00Z')).body.data).toMatchObject({
      open: false,
      next_change_at: '2026-11-01T06:00:00.000Z',
    });
  });

  it('defaults to now, reads fractions and compact offsets, says null when nothing changes', async () => {
    const never = await make({ name: 'Never', timezone: 'UTC' });
    const before = Date.now();
    const r = await isOpen(never.id);
    expect(r.status, r.text).toBe(200);
    expect(Date.parse(r.body.data.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(r.body.data.at)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(r.body.data).toMatchObject({ open: false, reason: 'outside_windows', next_change_at: null });
    expect((await isOpen(never.id, '2026-06-01T12:00:00.250+0130')).body.data.at).toBe('2026-06-01T10:30:00.250Z');
  });

  it.each(['2026-03-08T02:30', '2026-02-30T10:00:00Z', '2026-03-08T24:00:00Z', '2026-03-08 10:00:00Z', 'tomorrow', ''])(
    'refuses at=%j',
    async (at) => {
      const c = await make({ name: 'Any', timezone: 'UTC' });
      const r = await isOpen(c.id, at);
      expect(r.status, r.text).toBe(422);
      expect(r.body.error.details).toEqual([expect.objectContaining({ field: 'at', location: 'query' })]);
    },
  );

  it("answers 404 for another tenant's calendar", async () => {
    const c = await make(seedBody);
    expect((await t.b.get(`${BASE}/${c.id}/is-open`)).status).toBe(404);
  });
});

function w(weekday: unknown, start: string, end: string) {
  return { weekday, start, end };
}
