// /api/v1/voice/queues over HTTP: the seed's create and update examples, defaults,
// every validation rule, the overflow target rules through updates, deletes refused
// while a number routes to the queue, isolation and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../helpers/db.js';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/queues';

let seq = 0;
/** A voicemail box, written straight to the database so these tests do not depend on its API. */
function addVoicemailBox(tenantId: string): string {
  const id = `vmail_qtest${seq++}`;
  insertRow(t.sb.dataDir, 'voicemail_boxes', {
    id,
    tenant_id: tenantId,
    name: `Box ${id}`,
    greeting: 'Please leave a message after the tone.',
    transcribe: 0,
    max_duration: 120,
  });
  return id;
}

function problem(r: { body: any }, field: string): { code: string; message: string } {
  return r.body.error.details.find((d: any) => d.field === field);
}

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

const seedBody = {
  name: 'Support Tier 1',
  strategy: 'longest_idle',
  max_wait_seconds: 240,
  overflow_action: 'voicemail',
  hold_music_url: 'https://cdn.example.com/hold-music.mp3',
};

async function makeQueue(body: Record<string, unknown> = {}): Promise<any> {
  const r = await t.a.post(BASE, { name: `Q ${seq++}`, ...body });
  expect(r.status, r.text).toBe(201);
  return r.body.data;
}

describe('queues: create and read', () => {
  it("accepts the seed's example and answers with every field", async () => {
    const r = await t.a.post(BASE, seedBody);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toEqual({
      ...seedBody,
      id: expect.stringMatching(/^queue_[0-9a-z]+$/),
      overflow_number: null,
      overflow_voicemail_id: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.body.data).toEqual(r.body.data);
  });

  it("applies the seed's update { max_wait_seconds: 180 } and keeps the rest", async () => {
    const made = await makeQueue(seedBody);
    const r = await t.a.put(`${BASE}/${made.id}`, { max_wait_seconds: 180 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ ...made, max_wait_seconds: 180, updated_at: expect.any(String) });
    expect((await t.a.get(`${BASE}/${made.id}`)).body.data.max_wait_seconds).toBe(180);
  });

  it('applies the defaults', async () => {
    const q = await makeQueue({ name: 'Bare' });
    expect(q).toMatchObject({
      name: 'Bare',
      strategy: 'longest_idle',
      max_wait_seconds: 300,
      overflow_action: 'voicemail',
      overflow_number: null,
      overflow_voicemail_id: null,
      hold_music_url: null,
    });
  });

  it('overflows to a number, or to a chosen voicemail box', async () => {
    const toNumber = await makeQueue({ overflow_action: 'transfer_number', overflow_number: '+442071838750', strategy: 'random' });
    expect(toNumber).toMatchObject({ overflow_action: 'transfer_number', overflow_number: '+442071838750', strategy: 'random' });
    const box = addVoicemailBox(t.tenantA);
    const toBox = await makeQueue({ overflow_voicemail_id: box, strategy: 'least_calls', max_wait_seconds: 10 });
    expect(toBox).toMatchObject({ overflow_action: 'voicemail', overflow_voicemail_id: box, max_wait_seconds: 10 });
    expect((await makeQueue({ overflow_action: 'hangup', strategy: 'round_robin', max_wait_seconds: 7200 })).overflow_action).toBe('hangup');
  });
});

describe('queues: validation', () => {
  it.each([
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(201) }, ['name']],
    [{ strategy: 'fifo' }, ['strategy']],
    [{ max_wait_seconds: 9 }, ['max_wait_seconds']],
    [{ max_wait_seconds: 7201 }, ['max_wait_seconds']],
    [{ max_wait_seconds: 60.5 }, ['max_wait_seconds']],
    [{ max_wait_seconds: '60' }, ['max_wait_seconds']],
    [{ overflow_action: 'busy_signal' }, ['overflow_action']],
    [{ overflow_action: 'transfer_number' }, ['overflow_number']],
    [{ overflow_action: 'transfer_number', overflow_number: '555-0100' }, ['overflow_number']],
    [{ overflow_action: 'hangup', overflow_number: '+14155550100' }, ['overflow_number']],
    [{ overflow_number: '+14155550100' }, ['overflow_number']],
    [{ overflow_voicemail_id: 'box1' }, ['overflow_voicemail_id']],
    [{ overflow_voicemail_id: 'vmail_doesnotexist' }, ['overflow_voicemail_id']],
    [{ hold_music_url: 'ftp://cdn.example.com/a.mp3' }, ['hold_music_url']],
    [{ hold_music_url: 'hold.mp3' }, ['hold_music_url']],
  ])('rejects %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, { name: 'Bad', ...patch }), fields);
  });

  it('names every bad field at once', async () => {
    const r = await t.a.post(BASE, { strategy: 'x', max_wait_seconds: 0, overflow_action: 'x', hold_music_url: 'x', overflow_number: 'x' });
    expectFieldErrors(r, ['name', 'strategy', 'max_wait_seconds', 'overflow_action', 'hold_music_url', 'overflow_number']);
  });

  it('says why an overflow target does not fit the action', async () => {
    const r = await t.a.post(BASE, { name: 'Mixed', overflow_action: 'hangup', overflow_number: '+14155550100', overflow_voicemail_id: addVoicemailBox(t.tenantA) });
    expectFieldErrors(r, ['overflow_number', 'overflow_voicemail_id']);
    expect(problem(r, 'overflow_number').code).toBe('not_allowed');
    expect(problem(r, 'overflow_voicemail_id').message).toMatch(/only used with overflow_action voicemail/);
  });

  it("treats another account's voicemail box as unknown", async () => {
    const theirs = addVoicemailBox(t.tenantB);
    const r = await t.a.post(BASE, { name: 'Poacher', overflow_voicemail_id: theirs });
    expectFieldErrors(r, ['overflow_voicemail_id']);
    expect(problem(r, 'overflow_voicemail_id').code).toBe('not_found');
    expect((await t.b.post(BASE, { name: 'Owner', overflow_voicemail_id: theirs })).status).toBe(201);
  });
});

describe('queues: update', () => {
  it('drops the old overflow target when the action changes, unless the body sets one', async () => {
    const q = await makeQueue({ overflow_action: 'transfer_number', overflow_number: '+14155550100' });
    const hung = await t.a.put(`${BASE}/${q.id}`, { overflow_action: 'hangup' });
    expect(hung.status, hung.text).toBe(200);
    expect(hung.body.data).toMatchObject({ overflow_action: 'hangup', overflow_number: null });

    const box = addVoicemailBox(t.tenantA);
    const toBox = await t.a.put(`${BASE}/${q.id}`, { overflow_action: 'voicemail', overflow_voicemail_id: box });
    expect(toBox.body.data).toMatchObject({ overflow_action: 'voicemail', overflow_voicemail_id: box });
    const back = await t.a.put(`${BASE}/${q.id}`, { overflow_action: 'transfer_number', overflow_number: '+14155550111' });
    expect(back.body.data).toMatchObject({ overflow_action: 'transfer_number', overflow_number: '+14155550111', overflow_voicemail_id: null });
  });

  it('validates the merged queue', async () => {
    const q = await makeQueue();
    expectFieldErrors(await t.a.put(`${BASE}/${q.id}`, { overflow_action: 'transfer_number' }), ['overflow_number']);
    expectFieldErrors(await t.a.put(`${BASE}/${q.id}`, { overflow_number: '+14155550100' }), ['overflow_number']);
    expectFieldErrors(await t.a.put(`${BASE}/${q.id}`, { max_wait_seconds: 5 }), ['max_wait_seconds']);
    const t2 = await makeQueue({ overflow_action: 'transfer_number', overflow_number: '+14155550100' });
    expectFieldErrors(await t.a.put(`${BASE}/${t2.id}`, { overflow_number: null }), ['overflow_number']);
    // Refused updates changed nothing.
    expect((await t.a.get(`${BASE}/${q.id}`)).body.data).toEqual(q);
  });

  it('clears hold music with null and renames', async () => {
    const q = await makeQueue(seedBody);
    const r = await t.a.put(`${BASE}/${q.id}`, { hold_music_url: null, name: 'Support Tier 2' });
    expect(r.body.data).toMatchObject({ hold_music_url: null, name: 'Support Tier 2', max_wait_seconds: 240 });
  });
});

describe('queues: delete', () => {
  it('refuses to delete a queue a number routes to, day or after hours', async () => {
    const day = await makeQueue();
    const night = await makeQueue();
    const routed = await t.a.put('/api/v1/numbers/+14155550300/routing', { type: 'queue', queue_id: day.id });
    expect(routed.status, routed.text).toBe(200);
    // An after-hours route needs a calendar; the row is written directly to keep this test to queues.
    insertRow(t.sb.dataDir, 'numbers', {
      id: 'num_qtest_night',
      tenant_id: t.tenantA,
      e164: '+14155550301',
      route_type: 'voicemail',
      after_hours_type: 'queue',
      after_hours_target_id: night.id,
    });
    for (const [q, number, field] of [[day, '+14155550300', 'route'], [night, '+14155550301', 'after_hours']] as const) {
      const r = await t.a.delete(`${BASE}/${q.id}`);
      expect(r.status, r.text).toBe(409);
      expect(r.body.error.code).toBe('RESOURCE_IN_USE');
      expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'number', referrer_id: number, field })]);
      expect((await t.a.get(`${BASE}/${q.id}`)).status).toBe(200);
    }
    expect((await t.a.delete('/api/v1/numbers/+14155550300/routing')).status).toBe(200);
    const r = await t.a.delete(`${BASE}/${day.id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ id: day.id, deleted: true });
  });

  it('keeps accounts apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ name: `Paged ${i}` }), { max_wait_seconds: 180 });
  });
});
