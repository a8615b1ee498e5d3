// /api/v1/voice/voicemail-boxes over HTTP: the seed's example, defaults, every validation
// rule, partial updates, isolation, message counts, and what deleting a box does.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIsolationAndPaging, expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/voicemail-boxes';

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

const seedBody = {
  name: 'General Inbox',
  greeting: 'You have reached Acme Corp. We are currently unavailable. Please leave a message.',
  transcribe: true,
  notification_email: 'team@acme.com',
};

const make = async (body: unknown): Promise<any> => {
  const r = await t.a.post(BASE, body);
  expect(r.status, r.text).toBe(201);
  return r.body.data;
};

/** Writes to the server's database directly: messages arrive with calls, not through this API. */
function sql(statement: string, ...args: unknown[]): void {
  const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'));
  try {
    db.prepare(statement).run(...args);
  } finally {
    db.close();
  }
}

function count(statement: string, ...args: unknown[]): number {
  const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'), { readonly: true });
  try {
    return (db.prepare(statement).get(...args) as { n: number }).n;
  } finally {
    db.close();
  }
}

let seq = 0;
/** A stored message of the box with its recording file; returns the file's path. */
function insertMessage(tenantId: string, boxId: string, recordingPath?: string): string {
  const id = `vmsg_t${++seq}`;
  const rel = recordingPath ?? path.join('voicemail', `${id}.wav`);
  const file = path.resolve(t.sb.dataDir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'RIFF');
  const now = new Date().toISOString();
  sql(
    `INSERT INTO voicemail_messages (id, tenant_id, voicemail_id, caller, callee, direction, call_id, duration_seconds,
       recording_path, transcription, transcription_status, listened, created_at, updated_at)
     VALUES (?, ?, ?, '+14155552671', NULL, 'inbound', NULL, 35, ?, NULL, 'none', 0, ?, ?)`,
    id,
    tenantId,
    boxId,
    rel,
    now,
    now,
  );
  return file;
}

describe('voicemail boxes: create and validate', () => {
  it("accepts the seed's example and answers in the seed's shape", async () => {
    const r = await t.a.post(BASE, seedBody);
    expect(r.status, r.text).toBe(201);
    const d = r.body.data;
    expect(d).toMatchObject({ name: 'General Inbox', transcribe: true, max_duration: 120, messages_count: 0 });
    expect(d.id).toMatch(/^vmail_[0-9a-z]+$/);
    expect(Date.parse(d.created_at)).not.toBeNaN();
    expect(d).toEqual({
      id: d.id,
      name: seedBody.name,
      greeting: seedBody.greeting,
      transcribe: true,
      max_duration: 120,
      notification_email: 'team@acme.com',
      webhook_url: null,
      messages_count: 0,
      created_at: d.created_at,
      updated_at: d.created_at,
    });
    expect((await t.a.get(`${BASE}/${d.id}`)).body.data).toEqual(d);
  });

  it('applies the defaults and ignores unknown fields', async () => {
    const d = await make({ name: 'Bare', colour: 'blue' });
    expect(d).toMatchObject({
      greeting: 'Please leave a message after the tone.',
      transcribe: false,
      max_duration: 120,
      notification_email: null,
      webhook_url: null,
    });
    expect(d.colour).toBeUndefined();
  });

  it('accepts the limits', async () => {
    expect((await make({ name: 'Short', max_duration: 5 })).max_duration).toBe(5);
    const d = await make({ name: 'Long', max_duration: 3600, greeting: 'g'.repeat(2000), webhook_url: 'https://hooks.example.com/vm' });
    expect(d).toMatchObject({ max_duration: 3600, webhook_url: 'https://hooks.example.com/vm' });
    expect(d.greeting).toHaveLength(2000);
  });

  it('names every bad field at once', async () => {
    const r = await t.a.post(BASE, {
      name: '',
      greeting: '   ',
      transcribe: 'yes',
      max_duration: 4,
      notification_email: 'not-an-email',
      webhook_url: 'ftp://files.example.com',
    });
    expectFieldErrors(r, ['name', 'greeting', 'transcribe', 'max_duration', 'notification_email', 'webhook_url']);
  });

  it.each([
    [{ name: undefined }, ['name']],
    [{ name: 'n'.repeat(201) }, ['name']],
    [{ greeting: 'g'.repeat(2001) }, ['greeting']],
    [{ greeting: null }, ['greeting']],
    [{ max_duration: 3601 }, ['max_duration']],
    [{ max_duration: 12.5 }, ['max_duration']],
    [{ max_duration: '120' }, ['max_duration']],
    [{ notification_email: 'team@' }, ['notification_email']],
    [{ notification_email: 'a b@acme.com' }, ['notification_email']],
    [{ webhook_url: 'javascript:alert(1)' }, ['webhook_url']],
    [{ transcribe: 1 }, ['transcribe']],
  ])('rejects %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, { ...seedBody, ...patch }), fields);
  });
});

describe('voicemail boxes: update, isolation, messages', () => {
  it('updates only the fields sent; null clears the email and webhook', async () => {
    const b = await make({ ...seedBody, webhook_url: 'https://hooks.example.com/a' });
    const r = await t.a.put(`${BASE}/${b.id}`, { max_duration: 180 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ ...b, max_duration: 180, updated_at: expect.any(String) });

    const cleared = await t.a.put(`${BASE}/${b.id}`, { notification_email: null, webhook_url: null, transcribe: false });
    expect(cleared.body.data).toMatchObject({ notification_email: null, webhook_url: null, transcribe: false, max_duration: 180 });

    expectFieldErrors(await t.a.put(`${BASE}/${b.id}`, { name: 'Renamed', max_duration: 0 }), ['max_duration']);
    expect((await t.a.get(`${BASE}/${b.id}`)).body.data).toEqual(cleared.body.data);
    expect((await t.a.put(`${BASE}/vmail_doesnotexist`, { name: 'x' })).status).toBe(404);
  });

  it('keeps tenants apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ name: `Box ${i}` }), { name: 'hijack' });
  });

  it('counts the messages of each box, in get and list', async () => {
    const one = await make({ name: 'One message' });
    const two = await make({ name: 'Two messages' });
    insertMessage(t.tenantA, one.id);
    insertMessage(t.tenantA, two.id);
    insertMessage(t.tenantA, two.id);
    expect((await t.a.get(`${BASE}/${one.id}`)).body.data.messages_count).toBe(1);
    expect((await t.a.get(`${BASE}/${two.id}`)).body.data.messages_count).toBe(2);
    const listed = await listAll(t.a, BASE, 3);
    expect(listed.find((b) => b.id === one.id).messages_count).toBe(1);
    expect(listed.find((b) => b.id === two.id).messages_count).toBe(2);
    const updated = await t.a.put(`${BASE}/${two.id}`, { name: 'Still two' });
    expect(updated.body.data.messages_count).toBe(2);
  });
});

describe('voicemail boxes: delete', () => {
  it('is refused while a number, a queue or an IVR flow uses the box, naming each', async () => {
    const b = await make({ name: 'Referenced' });
    const now = new Date().toISOString();
    const routed = await t.a.put('/api/v1/numbers/+14155550199/routing', { type: 'voicemail', voicemail_id: b.id });
    expect(routed.status, routed.text).toBe(200);
    sql(
      `INSERT INTO queues (id, tenant_id, name, strategy, max_wait_seconds, overflow_action, overflow_voicemail_id, created_at, updated_at)
       VALUES ('queue_vm1', ?, 'Support', 'longest_idle', 300, 'voicemail', ?, ?, ?)`,
      t.tenantA,
      b.id,
      now,
      now,
    );
    const definition = JSON.stringify({
      nodes: [{ id: 'vm', type: 'voicemail', data: { voicemailBoxId: b.id } }],
      edges: [],
    });
    sql(
      `INSERT INTO ivr_flows (id, tenant_id, name, definition, active, options_count, created_at, updated_at)
       VALUES ('ivr_vm1', ?, 'Main menu', ?, 1, 0, ?, ?)`,
      t.tenantA,
      definition,
      now,
      now,
    );

    const r = await t.a.delete(`${BASE}/${b.id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.message).toContain('+14155550199');
    expect(r.body.error.details.map((d: any) => [d.referrer_kind, d.referrer_id, d.field]).sort()).toEqual([
      ['ivr_flow', 'ivr_vm1', 'definition'],
      ['number', '+14155550199', 'route'],
      ['queue', 'queue_vm1', 'overflow_voicemail_id'],
    ]);
    expect((await t.a.get(`${BASE}/${b.id}`)).status).toBe(200);

    expect((await t.a.delete('/api/v1/numbers/+14155550199/routing')).status).toBe(200);
    sql(`DELETE FROM queues WHERE id = 'queue_vm1'`);
    expect((await t.a.delete(`${BASE}/${b.id}`)).body.error.details).toHaveLength(1);
    sql(`DELETE FROM ivr_flows WHERE id = 'ivr_vm1'`);
    expect((await t.a.delete(`${BASE}/${b.id}`)).status).toBe(200);
  });

  it('deletes the messages and their recordings with the box, and nothing else', async () => {
    const b = await make({ name: 'Full box' });
    const keep = await make({ name: 'Other box' });
    const relFile = insertMessage(t.tenantA, b.id);
    const absFile = insertMessage(t.tenantA, b.id, path.join(t.sb.dataDir, 'voicemail', 'absolute.wav'));
    const otherFile = insertMessage(t.tenantA, keep.id);
    // A row pointing outside the data directory never gets a file deleted.
    const outside = path.join(mkdtempSync(path.join(tmpdir(), 'switchboard-outside-')), 'precious.wav');
    insertMessage(t.tenantA, b.id, outside);
    expect([relFile, absFile, otherFile, outside].every((f) => existsSync(f))).toBe(true);

    const r = await t.a.delete(`${BASE}/${b.id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ id: b.id, deleted: true, messages_deleted: 3 });

    expect(existsSync(relFile)).toBe(false);
    expect(existsSync(absFile)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(otherFile)).toBe(true);
    expect(count('SELECT count(*) AS n FROM voicemail_messages WHERE voicemail_id = ?', b.id)).toBe(0);
    expect((await t.a.get(`${BASE}/${keep.id}`)).body.data.messages_count).toBe(1);
    expect((await t.a.get(`${BASE}/${b.id}`)).status).toBe(404);
  });
});
