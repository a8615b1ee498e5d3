// /api/v1/voice/agents over HTTP: human and AI agents, every validation rule, presence
// through POST /agents/{id}/status (including archived agents), list filters, partial
// updates, deletes refused while a number routes to the agent, isolation and paging.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow } from '../helpers/db.js';
import { client, type Client } from '../helpers/http.js';
import { runCli } from '../helpers/server.js';
import { checkIsolationAndPaging, expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/agents';

let seq = 0;
async function addExtension(c: Client): Promise<string> {
  const r = await c.post('/api/v1/voice/sip-credentials', { username: `desk${seq++}`, password: 'correct horse battery' });
  expect(r.status, r.text).toBe(201);
  return r.body.data.id;
}

/** A voice clone, written straight to the database: its API fetches and analyses audio. */
function addClone(tenantId: string, status = 'ready'): string {
  const id = `clone_atest${seq++}`;
  insertRow(t.sb.dataDir, 'voice_clones', {
    id,
    tenant_id: tenantId,
    name: `Voice ${id}`,
    language: 'en-US',
    sample_url: 'https://cdn.example.com/sample.wav',
    status,
  });
  return id;
}

function problem(r: { body: any }, field: string): { code: string; message: string } {
  return r.body.error.details.find((d: any) => d.field === field);
}

const human = (extra: Record<string, unknown> = {}) => ({ name: `Human ${seq++}`, phone_number: '+14155550123', ...extra });
const ai = (extra: Record<string, unknown> = {}) => ({ name: `Bot ${seq++}`, kind: 'ai', stream_url: 'wss://agents.example.com/stream', ...extra });

async function make(body: Record<string, unknown>, c: Client = t.a): Promise<any> {
  const r = await c.post(BASE, body);
  expect(r.status, r.text).toBe(201);
  return r.body.data;
}

async function setStatus(id: string, status: string, c: Client = t.a) {
  return c.post(`${BASE}/${id}/status`, { status });
}

let extA: string;

beforeAll(async () => {
  t = await startWithTwoTenants();
  extA = await addExtension(t.a);
});
afterAll(async () => {
  await t?.sb.stop();
});

describe('agents: create and read', () => {
  it('creates a human agent at an extension; new agents start offline', async () => {
    const r = await t.a.post(BASE, { name: 'Jane', extension_id: extA, skills: ['billing', 'spanish'] });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toEqual({
      id: expect.stringMatching(/^agt_[0-9a-z]+$/),
      name: 'Jane',
      kind: 'human',
      extension_id: extA,
      phone_number: null,
      stream_url: null,
      skills: ['billing', 'spanish'],
      tts_voice_id: null,
      archived: false,
      status: 'offline',
      status_changed_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(Math.abs(Date.parse(r.body.data.status_changed_at) - Date.parse(r.body.data.created_at))).toBeLessThan(1000);
    expect((await t.a.get(`${BASE}/${r.body.data.id}`)).body.data).toEqual(r.body.data);
  });

  it('creates an AI agent with a stream and a cloned voice', async () => {
    const clone = addClone(t.tenantA);
    const a = await make({ name: 'Front desk bot', kind: 'ai', stream_url: 'wss://agents.example.com/front', tts_voice_id: clone });
    expect(a).toMatchObject({ kind: 'ai', stream_url: 'wss://agents.example.com/front', tts_voice_id: clone, status: 'offline' });
    // A clone still being processed can be chosen; it will speak once ready.
    const pending = addClone(t.tenantA, 'processing');
    expect((await make(ai({ tts_voice_id: pending, stream_url: 'ws://10.0.0.5:9000/a' }))).tts_voice_id).toBe(pending);
  });

  it('accepts a human at both an extension and a number, and ignores unknown fields', async () => {
    const a = await make({ name: 'Both', extension_id: extA, phone_number: '+442071838750', mood: 'cheerful' });
    expect(a).toMatchObject({ extension_id: extA, phone_number: '+442071838750' });
    expect(a.mood).toBeUndefined();
  });
});

describe('agents: validation', () => {
  it.each([
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(201) }, ['name']],
    [{ kind: 'robot' }, ['kind']],
    [{ phone_number: '4155550123' }, ['phone_number']],
    [{ extension_id: 'desk1' }, ['extension_id']],
    [{ extension_id: 'ext_doesnotexist' }, ['extension_id']],
    [{ skills: ['billing', 'billing'] }, ['skills[1]']],
    [{ skills: ['ok', ''] }, ['skills[1]']],
    [{ skills: ['x'.repeat(65)] }, ['skills[0]']],
    [{ skills: Array.from({ length: 51 }, (_, i) => `s${i}`) }, ['skills']],
    [{ skills: 'billing' }, ['skills']],
    [{ tts_voice_id: 'voice1' }, ['tts_voice_id']],
    [{ tts_voice_id: 'clone_doesnotexist' }, ['tts_voice_id']],
    [{ archived: 'yes' }, ['archived']],
  ])('rejects a human with %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, human(patch)), fields);
  });

  it('needs a way to reach a human, and no stream for one', async () => {
    const none = await t.a.post(BASE, { name: 'Nowhere' });
    expectFieldErrors(none, ['extension_id', 'phone_number']);
    expect(problem(none, 'phone_number').code).toBe('required');
    const streamed = await t.a.post(BASE, human({ stream_url: 'wss://agents.example.com/x' }));
    expectFieldErrors(streamed, ['stream_url']);
    expect(problem(streamed, 'stream_url').code).toBe('not_allowed');
  });

  it('needs a ws:// or wss:// stream for an AI agent', async () => {
    const none = await t.a.post(BASE, { name: 'Mute bot', kind: 'ai' });
    expectFieldErrors(none, ['stream_url']);
    expect(problem(none, 'stream_url').code).toBe('required');
    expectFieldErrors(await t.a.post(BASE, ai({ stream_url: 'https://agents.example.com/x' })), ['stream_url']);
    expectFieldErrors(await t.a.post(BASE, ai({ stream_url: 'wss://' })), ['stream_url']);
  });

  it('refuses a rejected voice clone', async () => {
    const r = await t.a.post(BASE, ai({ tts_voice_id: addClone(t.tenantA, 'rejected') }));
    expectFieldErrors(r, ['tts_voice_id']);
    expect(problem(r, 'tts_voice_id').code).toBe('clone_rejected');
  });

  it("treats another account's extension and voice clone as unknown", async () => {
    const theirExt = await addExtension(t.b);
    const theirClone = addClone(t.tenantB);
    const r = await t.a.post(BASE, human({ extension_id: theirExt, tts_voice_id: theirClone }));
    expectFieldErrors(r, ['extension_id', 'tts_voice_id']);
    expect(problem(r, 'extension_id').code).toBe('not_found');
  });

  it('names every bad field at once', async () => {
    const r = await t.a.post(BASE, { name: '', kind: 'ai', phone_number: 'x', stream_url: 'x', skills: [1], archived: 1 });
    expectFieldErrors(r, ['name', 'phone_number', 'stream_url', 'skills[0]', 'archived']);
  });
});

describe('agents: presence', () => {
  it('moves through available, busy, wrap_up and offline, stamping each change', async () => {
    const a = await make(human());
    let last = a.status_changed_at;
    for (const status of ['available', 'busy', 'wrap_up', 'offline', 'available']) {
      await sleep(5);
      const r = await setStatus(a.id, status);
      expect(r.status, r.text).toBe(200);
      expect(r.body.data).toMatchObject({ id: a.id, status, name: a.name });
      expect(Date.parse(r.body.data.status_changed_at)).toBeGreaterThan(Date.parse(last));
      last = r.body.data.status_changed_at;
      expect((await t.a.get(`${BASE}/${a.id}`)).body.data).toMatchObject({ status, status_changed_at: last });
    }
  });

  it('keeps status_changed_at when the same status is sent again', async () => {
    const a = await make(human());
    const first = (await setStatus(a.id, 'available')).body.data;
    await sleep(5);
    const again = await setStatus(a.id, 'available');
    expect(again.status).toBe(200);
    expect(again.body.data.status_changed_at).toBe(first.status_changed_at);
  });

  it('refuses an unknown status, an unknown agent and another account\'s agent', async () => {
    const a = await make(human());
    expectFieldErrors(await setStatus(a.id, 'away'), ['status']);
    expect((await setStatus('agt_doesnotexist', 'available')).status).toBe(404);
    expect((await setStatus(a.id, 'available', t.b)).status).toBe(404);
    expect((await t.a.get(`${BASE}/${a.id}`)).body.data.status).toBe('offline');
  });

  it('never lets an archived agent be available', async () => {
    const a = await make(human({ archived: true }));
    const r = await setStatus(a.id, 'available');
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('AGENT_ARCHIVED');
    expect((await t.a.get(`${BASE}/${a.id}`)).body.data.status).toBe('offline');
    // Other presence changes still work (an archived agent may be finishing a call).
    expect((await setStatus(a.id, 'busy')).body.data.status).toBe('busy');
    expect((await setStatus(a.id, 'offline')).body.data.status).toBe('offline');
    // Restored, it can take calls again.
    await t.a.put(`${BASE}/${a.id}`, { archived: false });
    expect((await setStatus(a.id, 'available')).body.data.status).toBe('available');
  });

  it('takes an available agent offline when it is archived; a busy one stays busy', async () => {
    const a = await make(human());
    await setStatus(a.id, 'available');
    const r = await t.a.put(`${BASE}/${a.id}`, { archived: true });
    expect(r.body.data).toMatchObject({ archived: true, status: 'offline' });
    const b = await make(human());
    await setStatus(b.id, 'busy');
    expect((await t.a.put(`${BASE}/${b.id}`, { archived: true })).body.data).toMatchObject({ archived: true, status: 'busy' });
  });
});

describe('agents: list filters', () => {
  it('filters by status, kind and archived, and pages through the filtered rows', async () => {
    // A fresh account so the counts below are exact.
    const made = await runCli(['tenant', 'create', '--name', 'Filters', '--json'], t.sb.dataDir);
    expect(made.code, made.stderr).toBe(0);
    const c = client(t.sb.baseUrl, JSON.parse(made.stdout).api_key);
    const h1 = await make(human(), c);
    const h2 = await make(human(), c);
    const h3 = await make(human({ archived: true }), c);
    const b1 = await make(ai(), c);
    const b2 = await make(ai(), c);
    await setStatus(h1.id, 'available', c);
    await setStatus(b1.id, 'available', c);
    await setStatus(h2.id, 'busy', c);

    const ids = async (q: string) => (await listAll(c, `${BASE}?${q}`, 1)).map((a) => a.id).sort();
    expect(await ids('status=available')).toEqual([h1.id, b1.id].sort());
    expect(await ids('kind=ai')).toEqual([b1.id, b2.id].sort());
    expect(await ids('archived=true')).toEqual([h3.id]);
    expect(await ids('archived=false')).toEqual([h1.id, h2.id, b1.id, b2.id].sort());
    expect(await ids('status=offline&kind=human')).toEqual([h3.id]);
    expect(await ids('kind=human&archived=false&status=available')).toEqual([h1.id]);
    expect((await listAll(c, BASE)).length).toBe(5);

    const bad = await c.get(`${BASE}?status=away&kind=robot&archived=yes`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: any) => [d.field, d.location]).sort()).toEqual([
      ['archived', 'query'],
      ['kind', 'query'],
      ['status', 'query'],
    ]);
  });
});

describe('agents: update and delete', () => {
  it('updates only the fields sent', async () => {
    const a = await make(human({ skills: ['billing'] }));
    const r = await t.a.put(`${BASE}/${a.id}`, { skills: ['billing', 'refunds'] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ ...a, skills: ['billing', 'refunds'], updated_at: expect.any(String) });
  });

  it('turns an AI agent into a human, dropping its stream; the reverse needs a stream', async () => {
    const bot = await make(ai({ phone_number: null }));
    expectFieldErrors(await t.a.put(`${BASE}/${bot.id}`, { kind: 'human' }), ['extension_id', 'phone_number']);
    const r = await t.a.put(`${BASE}/${bot.id}`, { kind: 'human', extension_id: extA });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({ kind: 'human', extension_id: extA, stream_url: null });
    expectFieldErrors(await t.a.put(`${BASE}/${bot.id}`, { kind: 'human', stream_url: 'wss://x.example/s' }), ['stream_url']);
    expectFieldErrors(await t.a.put(`${BASE}/${bot.id}`, { kind: 'ai' }), ['stream_url']);
    const back = await t.a.put(`${BASE}/${bot.id}`, { kind: 'ai', stream_url: 'wss://agents.example.com/b' });
    expect(back.body.data).toMatchObject({ kind: 'ai', stream_url: 'wss://agents.example.com/b' });
  });

  it('validates the merged agent: removing the only way to reach a human is refused', async () => {
    const a = await make(human());
    expectFieldErrors(await t.a.put(`${BASE}/${a.id}`, { phone_number: null }), ['extension_id', 'phone_number']);
    expect((await t.a.get(`${BASE}/${a.id}`)).body.data).toEqual(a);
    const moved = await t.a.put(`${BASE}/${a.id}`, { phone_number: null, extension_id: extA });
    expect(moved.body.data).toMatchObject({ phone_number: null, extension_id: extA });
  });

  it('refuses to delete an agent a number routes to, until the route goes', async () => {
    const a = await make(human());
    const routed = await t.a.put('/api/v1/numbers/+14155550400/routing', { type: 'agent', agent_id: a.id });
    expect(routed.status, routed.text).toBe(200);
    const r = await t.a.delete(`${BASE}/${a.id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'number', referrer_id: '+14155550400' })]);
    expect((await t.a.delete('/api/v1/numbers/+14155550400/routing')).status).toBe(200);
    const gone = await t.a.delete(`${BASE}/${a.id}`);
    expect(gone.status).toBe(200);
    expect(gone.body.data).toEqual({ id: a.id, deleted: true });
  });

  it('keeps an extension from being deleted while an agent uses it', async () => {
    const ext = await addExtension(t.a);
    const a = await make(human({ extension_id: ext }));
    const r = await t.a.delete(`/api/v1/voice/sip-credentials/${ext}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'agent', referrer_id: a.id })]);
  });

  it('keeps accounts apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => human({ name: `Paged ${i}` }), { name: 'hijack' });
  });
});
