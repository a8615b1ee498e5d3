// The read side of the Calls API over HTTP against the real server: GET /calls (order,
// filters, paging), GET /calls/{id} (the CDR fields and a signed recording URL), GET
// /calls/{id}/recording, GET /monitoring, tenant isolation, and the tenant's call limits.
// Calls cannot be placed yet (the B2BUA comes later), so rows are written into the
// server's database the way CallRecords writes them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow, withDb } from '../helpers/db.js';
import { client, expectMeta } from '../helpers/http.js';
import { expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';
import { SecretBox } from '../../store/secret-box.js';
import { randomId } from '../../store/ids.js';
import { RecordingUrlSigner } from '../../voice/calls/recording-urls.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/calls';
const T0 = Date.parse('2026-03-08T11:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let n = 0;
/** A call row as CallRecords writes it; `minutes` after T0. */
function insertCall(tenantId: string, over: Record<string, unknown> = {}, minutes = n++): string {
  const id = String(over.id ?? randomId('call'));
  const at = iso(T0 + minutes * 60_000);
  insertRow(t.sb.dataDir, 'calls', {
    id,
    tenant_id: tenantId,
    direction: 'outbound',
    from_number: '+12025551234',
    to_number: '+14155552671',
    status: 'completed',
    metadata: '{}',
    record: 0,
    amd: 0,
    created_at: at,
    updated_at: at,
    ...over,
  });
  return id;
}

beforeAll(async () => {
  t = await startWithTwoTenants();
});

afterAll(async () => {
  await t?.sb.stop();
});

/** The same URL path and query, at the address the test reaches the server on. */
function atDownloadServer(signedUrl: string): string {
  const u = new URL(signedUrl);
  return t.sb.baseUrl + u.pathname + u.search;
}

describe('GET /calls', () => {
  it('lists newest first, pages by cursor without gaps, and never shows another tenant', async () => {
    const mine = Array.from({ length: 5 }, () => insertCall(t.tenantA, { to_number: '+14155550100' }));
    const theirs = insertCall(t.tenantB, { to_number: '+14155550100' });
    const page = await t.a.get(`${BASE}?to=%2B14155550100&limit=2`);
    expect(page.status, page.text).toBe(200);
    expectMeta(page.body);
    expect(page.body.data.map((c: any) => c.id)).toEqual([mine[4], mine[3]]);
    expect(page.body.meta.has_more).toBe(true);
    const all = await listAll(t.a, `${BASE}?to=%2B14155550100`, 2);
    expect(all.map((c) => c.id)).toEqual([...mine].reverse());
    expect(all.map((c) => c.id)).not.toContain(theirs);
    expect((await listAll(t.b, `${BASE}?to=%2B14155550100`)).map((c) => c.id)).toEqual([theirs]);
  });

  it('filters by status, to and from, which combine', async () => {
    const a = insertCall(t.tenantA, { status: 'busy', to_number: '+14155550201', from_number: '+12025550001' });
    const b = insertCall(t.tenantA, { status: 'completed', to_number: '+14155550201', from_number: '+12025550002' });
    const c = insertCall(t.tenantA, { status: 'busy', to_number: '+14155550202', from_number: '+12025550001' });
    const ids = async (q: string) => (await listAll(t.a, `${BASE}?${q}`)).map((x) => x.id);
    expect(await ids('to=%2B14155550201')).toEqual([b, a]);
    expect(await ids('from=%2B12025550001')).toEqual([c, a]);
    expect(await ids('from=%2B12025550001&status=busy&to=%2B14155550202')).toEqual([c]);
    expect((await ids('status=busy')).filter((x) => [a, b, c].includes(x))).toEqual([c, a]);
    // A "+" typed straight into the query string arrives as a space; it is taken as the "+" it was.
    expect(await ids('to=+14155550201')).toEqual([b, a]);
  });

  it('answers 422 for a bad status, a limit over 100 and a cursor it did not issue', async () => {
    expectFieldErrors(await t.a.get(`${BASE}?status=ringin`), ['status']);
    expectFieldErrors(await t.a.get(`${BASE}?limit=101`), ['limit']);
    expectFieldErrors(await t.a.get(`${BASE}?cursor=bm9wZQ`), ['cursor']);
  });
});

describe('GET /calls/{id}', () => {
  it('shows the call with the seed field names, times, duration, hangup cause and quality', async () => {
    const id = insertCall(t.tenantA, {
      agent_id: 'agt_abc123',
      campaign_id: 'spring',
      metadata: JSON.stringify({ crm_id: 7 }),
      record: 1,
      amd: 1,
      amd_result: 'human',
      ringing_at: '2026-03-08T12:00:01.000Z',
      answered_at: '2026-03-08T12:00:05.000Z',
      ended_at: '2026-03-08T12:05:17.000Z',
      duration_seconds: 312,
      hangup_cause: 'normal_clearing',
      hangup_side: 'callee',
      sip_final_status: 200,
      quality: JSON.stringify({ mos: 4.3, jitter_ms: 3.1, loss_pct: 0.2, rtt_ms: 48, one_way_audio: false }),
    });
    const r = await t.a.get(`${BASE}/${id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({
      id,
      to: '+14155552671',
      from: '+12025551234',
      agent_id: 'agt_abc123',
      status: 'completed',
      record: true,
      direction: 'outbound',
      campaign_id: 'spring',
      metadata: { crm_id: 7 },
      amd: true,
      amd_result: 'human',
      answered_at: '2026-03-08T12:00:05.000Z',
      ended_at: '2026-03-08T12:05:17.000Z',
      duration_seconds: 312,
      hangup_cause: 'normal_clearing',
      hangup_side: 'callee',
      sip_final_status: 200,
      quality: { mos: 4.3, jitter_ms: 3.1, loss_pct: 0.2, rtt_ms: 48, one_way_audio: false },
      recording_url: null,
    });
    expect(Date.parse(r.body.data.created_at)).not.toBeNaN();
  });

  it('counts the duration of a call in progress from its answer', async () => {
    const id = insertCall(t.tenantA, { status: 'in_progress', answered_at: iso(Date.now() - 42_000) });
    const d = (await t.a.get(`${BASE}/${id}`)).body.data;
    expect(d.status).toBe('in_progress');
    expect(d.duration_seconds).toBeGreaterThanOrEqual(42);
    expect(d.duration_seconds).toBeLessThan(50);
    expect(d.ended_at).toBeNull();
  });

  it("is 404 for another tenant's call and an unknown id, 422 for a malformed one", async () => {
    const id = insertCall(t.tenantA);
    expect((await t.b.get(`${BASE}/${id}`)).status).toBe(404);
    expect((await t.b.get(`${BASE}/${id}/recording`)).status).toBe(404);
    expect((await t.a.get(`${BASE}/call_doesnotexist`)).status).toBe(404);
    expect((await t.a.get(`${BASE}/trunk_abc`)).status).toBe(422);
  });
});

describe('recordings and their signed URLs', () => {
  const audio = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE'), Buffer.alloc(3000, 0x55)]);

  function insertRecordedCall(tenantId: string, status: 'completed' | 'recording'): { callId: string; recId: string } {
    const callId = insertCall(tenantId, { record: 1 });
    const recId = randomId('rec');
    const rel = `recordings/${tenantId}/${recId}.wav`;
    mkdirSync(path.join(t.sb.dataDir, 'recordings', tenantId), { recursive: true });
    writeFileSync(path.join(t.sb.dataDir, rel), audio);
    insertRow(t.sb.dataDir, 'recordings', {
      id: recId,
      tenant_id: tenantId,
      call_id: callId,
      status,
      format: 'wav',
      channels: 2,
      duration_seconds: status === 'completed' ? 312 : null,
      size_bytes: status === 'completed' ? audio.length : null,
      path: rel,
      completed_at: status === 'completed' ? iso(Date.now()) : null,
    });
    // The call points at its latest recording, as CallRecordings.start() leaves it.
    withDb(t.sb.dataDir, (db) => db.prepare('UPDATE calls SET recording_id = ? WHERE id = ?').run(recId, callId));
    return { callId, recId };
  }

  it('gives a completed recording a 24 h signed URL that downloads the file with its type and length', async () => {
    const { callId, recId } = insertRecordedCall(t.tenantA, 'completed');
    const before = Date.now();
    const call = (await t.a.get(`${BASE}/${callId}`)).body.data;
    expect(call.recording_id).toBe(recId);
    expect(call.recording_url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${t.sb.port}/api/v1/voice/recordings/${recId}/download\\?expires=\\d+&signature=[0-9a-f]{64}$`));

    const rec = await t.a.get(`${BASE}/${callId}/recording`);
    expect(rec.status, rec.text).toBe(200);
    expect(rec.body.data).toMatchObject({
      id: recId,
      call_id: callId,
      status: 'completed',
      duration_seconds: 312,
      format: 'wav',
      channels: 2,
      size_bytes: audio.length,
    });
    const expiresAt = Date.parse(rec.body.data.signed_url_expires_at);
    expect(expiresAt - before).toBeGreaterThan(24 * 3600_000 - 5_000);
    expect(expiresAt - before).toBeLessThanOrEqual(24 * 3600_000 + 5_000);

    for (const url of [call.recording_url, rec.body.data.signed_url]) {
      const res = await fetch(atDownloadServer(url)); // no API key: the signature is the permission
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(res.headers.get('content-length')).toBe(String(audio.length));
      expect(Buffer.from(await res.arrayBuffer()).equals(audio)).toBe(true);
    }
  });

  it('refuses a tampered or expired URL with 403, and a URL for one recording opens no other', async () => {
    const { callId, recId } = insertRecordedCall(t.tenantA, 'completed');
    const other = insertRecordedCall(t.tenantB, 'completed');
    const url = new URL(atDownloadServer((await t.a.get(`${BASE}/${callId}`)).body.data.recording_url));

    const flipped = new URL(url);
    const sig = url.searchParams.get('signature')!;
    flipped.searchParams.set('signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 86_400));
    const elsewhere = new URL(url);
    elsewhere.pathname = elsewhere.pathname.replace(recId, other.recId);
    const unsigned = new URL(url);
    unsigned.search = '';
    // Signed with the server's own key, a day and a second ago: genuine but past its time.
    const past = new RecordingUrlSigner(SecretBox.open(t.sb.dataDir).derive('recording-urls'), () => new Date(Date.now() - 86_401_000));
    const expired = atDownloadServer(past.sign(recId, 'http://x').url);

    for (const bad of [flipped.href, later.href, elsewhere.href, unsigned.href, expired]) {
      const res = await fetch(bad);
      expect(res.status, bad).toBe(403);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('FORBIDDEN');
      expectMeta(body);
    }
    expect(((await (await fetch(expired)).json()) as any).error.message).toMatch(/expired/);
  });

  it('shows a recording still being written as in_progress, without a URL', async () => {
    const { callId, recId } = insertRecordedCall(t.tenantA, 'recording');
    const rec = (await t.a.get(`${BASE}/${callId}/recording`)).body.data;
    expect(rec).toMatchObject({ id: recId, status: 'in_progress', signed_url: null, signed_url_expires_at: null, duration_seconds: null });
    expect((await t.a.get(`${BASE}/${callId}`)).body.data.recording_url).toBeNull();
  });

  it('is 404 for the recording of a call that has none', async () => {
    const id = insertCall(t.tenantA);
    const r = await t.a.get(`${BASE}/${id}/recording`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});

describe('GET /monitoring', () => {
  it("counts the tenant's live calls and agent presence and lists the calls up now", async () => {
    // Tenant B gets its own fresh picture: its only calls so far are finished ones.
    const answeredAt = Date.now() - 87_000;
    const up = insertCall(t.tenantB, {
      status: 'in_progress',
      agent_id: 'agt_support_jane',
      queue_id: 'queue_support',
      from_number: '+14155552671',
      to_number: '+18005551234',
      answered_at: iso(answeredAt),
    }, 1000);
    const ringing = insertCall(t.tenantB, { status: 'ringing' }, 1001);
    insertCall(t.tenantB, { status: 'completed' }, 1002);
    insertCall(t.tenantA, { status: 'in_progress' }, 1003);
    const agent = (tenantId: string, status: string, archived = 0) =>
      insertRow(t.sb.dataDir, 'agents', {
        id: randomId('agt'),
        tenant_id: tenantId,
        name: `agent ${status}`,
        kind: 'human',
        phone_number: '+14155550100',
        skills: '[]',
        archived,
        status,
        status_changed_at: iso(Date.now()),
      });
    agent(t.tenantB, 'available');
    agent(t.tenantB, 'available', 1);
    agent(t.tenantB, 'busy');
    agent(t.tenantB, 'wrap_up');
    agent(t.tenantB, 'offline');
    agent(t.tenantA, 'available');

    const r = await t.b.get('/api/v1/voice/monitoring');
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({ active_calls: 2, queued_calls: 0, available_agents: 1, busy_agents: 2 });
    expect(r.body.data.calls.map((c: any) => c.id)).toEqual([up, ringing]);
    const first = r.body.data.calls[0];
    expect(first).toMatchObject({
      id: up,
      from: '+14155552671',
      to: '+18005551234',
      agent_id: 'agt_support_jane',
      queue_id: 'queue_support',
      started_at: iso(T0 + 1000 * 60_000),
    });
    expect(first.duration_seconds).toBeGreaterThanOrEqual(87);
    expect(first.duration_seconds).toBeLessThan(95);
  });
});

describe('tenant call limits', () => {
  it('shows the defaults, takes new values with PATCH /tenant, and null restores the default', async () => {
    const a = await t.a.get('/api/v1/tenant');
    expect(a.body.data).toMatchObject({ max_concurrent_calls: 500, max_calls_per_second: 50 });
    const set = await t.a.patch('/api/v1/tenant', { max_concurrent_calls: 20, max_calls_per_second: 5 });
    expect(set.status, set.text).toBe(200);
    expect(set.body.data).toMatchObject({ max_concurrent_calls: 20, max_calls_per_second: 5 });
    expect((await t.a.get('/api/v1/tenant')).body.data).toMatchObject({ max_concurrent_calls: 20, max_calls_per_second: 5 });
    // One field at a time leaves the other.
    await t.a.patch('/api/v1/tenant', { max_calls_per_second: 9 });
    expect((await t.a.get('/api/v1/tenant')).body.data).toMatchObject({ max_concurrent_calls: 20, max_calls_per_second: 9 });
    // Another tenant is not affected.
    expect((await t.b.get('/api/v1/tenant')).body.data).toMatchObject({ max_concurrent_calls: 500, max_calls_per_second: 50 });
    await t.a.patch('/api/v1/tenant', { max_concurrent_calls: null });
    expect((await t.a.get('/api/v1/tenant')).body.data).toMatchObject({ max_concurrent_calls: 500, max_calls_per_second: 9 });
  });

  it('answers 422 naming each bad limit, and changes nothing', async () => {
    const before = (await t.a.get('/api/v1/tenant')).body.data;
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { max_concurrent_calls: 0, max_calls_per_second: 1.5 }), [
      'max_concurrent_calls',
      'max_calls_per_second',
    ]);
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { max_concurrent_calls: '10' }), ['max_concurrent_calls']);
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { max_concurrent_calls: 100_001 }), ['max_concurrent_calls']);
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { max_calls_per_second: -1 }), ['max_calls_per_second']);
    expect((await t.a.get('/api/v1/tenant')).body.data).toEqual(before);
  });

  it('lets only admin keys change them', async () => {
    const made = await t.a.post('/api/v1/api-keys', { name: 'reader', scopes: ['voice:read'] });
    const reader = client(t.sb.baseUrl, made.body.data.key);
    expect((await reader.patch('/api/v1/tenant', { max_concurrent_calls: 1 })).status).toBe(403);
  });
});
