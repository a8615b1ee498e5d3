// Webhooks end to end: a real server delivering to local HTTP receivers. Signatures are
// checked with node:crypto the way docs/webhooks.md tells receivers to, not with the
// server's own code.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from './helpers/http.js';
import { withDb } from './helpers/db.js';
import { runCli, startServer, tempDataDir } from './helpers/server.js';
import { expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from './helpers/voice.js';

const ENV = { SWITCHBOARD_FETCH_ALLOW_PRIVATE: '1', SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '200' };

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1. `answer(n)` gives the status of the n-th request (1-based), or 'hang'. */
class Receiver {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
    readonly received: Received[],
  ) {}

  static async start(answer: (n: number) => number | 'hang' = () => 200, port = 0): Promise<Receiver> {
    const received: Received[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        const a = answer(received.length);
        if (a !== 'hang') res.writeHead(a).end(a >= 300 ? 'receiver says no' : '');
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return new Receiver(server, (server.address() as AddressInfo).port, received);
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async waitFor(n: number, timeoutMs = 5_000): Promise<Received[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < n && Date.now() < until) await sleep(20);
    expect(this.received.length, `requests received by :${this.port}`).toBeGreaterThanOrEqual(n);
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The documented recipe: hex HMAC-SHA256 over "<timestamp>.<raw body>", key = the secret string. */
function signatureValid(secret: string, r: Received): boolean {
  const ts = String(r.headers['switchboard-timestamp']);
  const header = String(r.headers['switchboard-signature']);
  const expected = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex');
  const given = header.startsWith('v1=') ? header.slice(3) : '';
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

async function secretOf(c: Client): Promise<string> {
  const r = await c.get('/api/v1/webhooks/secret');
  expect(r.status, r.text).toBe(200);
  return r.body.data.secret;
}

async function waitForDelivery(c: Client, id: string, pred: (d: any) => boolean, timeoutMs = 5_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let d: any;
  do {
    d = (await c.get(`/api/v1/webhooks/deliveries/${id}`)).body.data;
    if (pred(d)) return d;
    await sleep(50);
  } while (Date.now() < until);
  throw new Error(`delivery ${id} never matched: ${JSON.stringify(d)}`);
}

let t: TwoTenants;
const receivers: Receiver[] = [];
const receiver = async (answer?: (n: number) => number | 'hang', port?: number): Promise<Receiver> => {
  const r = await Receiver.start(answer, port);
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  t = await startWithTwoTenants({ env: ENV });
});
afterAll(async () => {
  await t?.sb.stop();
  for (const r of receivers) await r.close();
});

describe('webhook settings', () => {
  it('sets and clears the tenant webhook_url, refusing what is not an http(s) URL', async () => {
    expect((await t.a.get('/api/v1/tenant')).body.data.webhook_url).toBeNull();
    for (const bad of ['ftp://hooks.example.com/x', 'not a url', 42, 'http://']) {
      expectFieldErrors(await t.a.patch('/api/v1/tenant', { webhook_url: bad }), ['webhook_url']);
    }
    const set = await t.a.patch('/api/v1/tenant', { webhook_url: 'https://hooks.example.com/switchboard' });
    expect(set.status, set.text).toBe(200);
    expect(set.body.data.webhook_url).toBe('https://hooks.example.com/switchboard');
    expect((await t.a.get('/api/v1/tenant')).body.data.webhook_url).toBe('https://hooks.example.com/switchboard');
    expect((await t.b.get('/api/v1/tenant')).body.data.webhook_url).toBeNull();
    expect((await t.a.patch('/api/v1/tenant', { webhook_url: null })).body.data.webhook_url).toBeNull();
  });

  it('answers 409 WEBHOOK_URL_NOT_SET for a test event without a URL', async () => {
    const r = await t.b.post('/api/v1/webhooks/test');
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('WEBHOOK_URL_NOT_SET');
  });

  it('shows the secret only to admin keys, sealed at rest', async () => {
    const secret = await secretOf(t.a);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await secretOf(t.a)).toBe(secret);
    expect(await secretOf(t.b)).not.toBe(secret);
    const made = await t.a.post('/api/v1/api-keys', { name: 'writer', scopes: ['voice:read', 'voice:write'] });
    const writer = client(t.sb.baseUrl, made.body.data.key);
    expect((await writer.get('/api/v1/webhooks/secret')).status).toBe(403);
    expect((await writer.post('/api/v1/webhooks/secret/rotate')).status).toBe(403);
    const stored = withDb(t.sb.dataDir, (db) =>
      db.prepare('SELECT webhook_secret FROM tenants WHERE id = ?').get(t.tenantA),
    ) as { webhook_secret: string };
    expect(stored.webhook_secret).toMatch(/^v1:/);
    expect(stored.webhook_secret).not.toContain(secret.slice(6));
  });
});

describe('webhook delivery', () => {
  it('delivers a test event with a signature the documented recipe verifies', async () => {
    const rx = await receiver();
    await t.a.patch('/api/v1/tenant', { webhook_url: rx.url('/hooks?src=sb') });
    const queued = await t.a.post('/api/v1/webhooks/test');
    expect(queued.status, queued.text).toBe(202);
    expect(queued.body.data).toMatchObject({ event_type: 'webhook.test', url: rx.url('/hooks?src=sb'), attempts: 0 });
    expect(queued.body.data.id).toMatch(/^whd_/);
    const [got] = await rx.waitFor(1);
    expect(got!.path).toBe('/hooks?src=sb');
    expect(got!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got!.body);
    expect(body).toEqual({
      id: queued.body.data.event_id,
      type: 'webhook.test',
      created_at: queued.body.data.created_at,
      tenant_id: t.tenantA,
      data: expect.any(Object),
    });
    expect(body.id).toMatch(/^evt_/);
    expect(got!.headers['switchboard-event-id']).toBe(body.id);
    const ts = Number(got!.headers['switchboard-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(10);
    expect(signatureValid(await secretOf(t.a), got!)).toBe(true);
    expect(signatureValid('whsec_wrong', got!)).toBe(false);
    const d = await waitForDelivery(t.a, queued.body.data.id, (x) => x.status === 'delivered');
    expect(d).toMatchObject({ attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
    expect(d.payload).toEqual(body);
  });

  it('retries after a 500, with the same event, and delivers on the third attempt', async () => {
    const rx = await receiver((n) => (n <= 2 ? 500 : 200));
    await t.a.patch('/api/v1/tenant', { webhook_url: rx.url() });
    const queued = await t.a.post('/api/v1/webhooks/test');
    await rx.waitFor(1);
    const pending = await waitForDelivery(t.a, queued.body.data.id, (x) => x.attempts === 1 && x.status === 'pending');
    expect(pending.last_status_code).toBe(500);
    expect(pending.last_error).toBe('HTTP 500: receiver says no');
    expect(Date.parse(pending.next_attempt_at)).toBeGreaterThan(Date.parse(pending.last_attempt_at));
    const got = await rx.waitFor(3);
    const d = await waitForDelivery(t.a, queued.body.data.id, (x) => x.status === 'delivered');
    expect(d).toMatchObject({ attempts: 3, last_status_code: 200 });
    expect(new Set(got.map((r) => r.headers['switchboard-event-id'])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    // Backoff with a 200 ms base: ~200 ms, then ~600 ms (±20 %).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(150);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(450);
    const secret = await secretOf(t.a);
    expect(got.every((r) => signatureValid(secret, r))).toBe(true);
    await sleep(800);
    expect(rx.received).toHaveLength(3);
  });

  it("is not held up by another tenant's receiver that never answers", async () => {
    const made = await runCli(['tenant', 'create', '--name', 'Tenant C', '--json'], t.sb.dataDir);
    const c = client(t.sb.baseUrl, JSON.parse(made.stdout).api_key);
    const stuck = await receiver(() => 'hang');
    const fine = await receiver();
    await c.patch('/api/v1/tenant', { webhook_url: stuck.url() });
    await t.b.patch('/api/v1/tenant', { webhook_url: fine.url() });
    for (let i = 0; i < 10; i++) expect((await c.post('/api/v1/webhooks/test')).status).toBe(202);
    await stuck.waitFor(2);
    const started = Date.now();
    expect((await t.b.post('/api/v1/webhooks/test')).status).toBe(202);
    await fine.waitFor(1, 3_000);
    expect(Date.now() - started).toBeLessThan(2_500); // far below the 5 s a blocked slot would cost
    // The stuck receiver holds two requests at a time, never more.
    expect(stuck.received).toHaveLength(2);
    await t.b.patch('/api/v1/tenant', { webhook_url: null });
  });

  it('signs with the new secret only, once rotated', async () => {
    const rx = await receiver();
    await t.a.patch('/api/v1/tenant', { webhook_url: rx.url() });
    const before = await secretOf(t.a);
    const rotated = await t.a.post('/api/v1/webhooks/secret/rotate');
    expect(rotated.status, rotated.text).toBe(200);
    const after = rotated.body.data.secret;
    expect(after).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(after).not.toBe(before);
    expect(await secretOf(t.a)).toBe(after);
    await t.a.post('/api/v1/webhooks/test');
    const [got] = await rx.waitFor(1);
    expect(signatureValid(after, got!)).toBe(true);
    expect(signatureValid(before, got!)).toBe(false);
  });
});

describe('webhook deliveries API', () => {
  it('pages newest first, filters, and keeps each tenant to its own', async () => {
    const rx = await receiver();
    await t.a.patch('/api/v1/tenant', { webhook_url: rx.url() });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.a.post('/api/v1/webhooks/test')).body.data.id);
    await rx.waitFor(5);
    const listed = await listAll(t.a, '/api/v1/webhooks/deliveries', 2);
    expect(new Set(listed.map((d) => d.id)).size).toBe(listed.length);
    expect(listed.map((d) => d.id)).toEqual(expect.arrayContaining(ids));
    const keys = listed.map((d) => `${d.created_at} ${d.id}`);
    expect(keys).toEqual([...keys].sort().reverse());

    const tests = await listAll(t.a, '/api/v1/webhooks/deliveries?event_type=webhook.test');
    expect(tests.length).toBe(listed.length);
    expect(await listAll(t.a, '/api/v1/webhooks/deliveries?event_type=call.completed')).toEqual([]);
    await waitForDelivery(t.a, ids[4]!, (d) => d.status === 'delivered');
    const delivered = await listAll(t.a, '/api/v1/webhooks/deliveries?status=delivered');
    expect(delivered.every((d) => d.status === 'delivered')).toBe(true);
    expect(delivered.map((d) => d.id)).toContain(ids[4]);
    expectFieldErrors(await t.a.get('/api/v1/webhooks/deliveries?status=lost'), ['status']);

    const seenByB = new Set((await listAll(t.b, '/api/v1/webhooks/deliveries')).map((d) => d.id));
    for (const id of ids) expect(seenByB.has(id)).toBe(false);
    expect((await t.b.get(`/api/v1/webhooks/deliveries/${ids[0]}`)).status).toBe(404);
    expect((await t.b.post(`/api/v1/webhooks/deliveries/${ids[0]}/retry`)).status).toBe(404);
    expect((await t.a.get('/api/v1/webhooks/deliveries/whd_nothere')).status).toBe(404);
    expect((await t.a.get('/api/v1/webhooks/deliveries/evt_1')).status).toBe(422);
  });

  it('re-sends a failed delivery on request, and only a failed one', async () => {
    const rx = await receiver();
    await t.a.patch('/api/v1/tenant', { webhook_url: rx.url() });
    const id = (await t.a.post('/api/v1/webhooks/test')).body.data.id;
    await waitForDelivery(t.a, id, (d) => d.status === 'delivered');
    const refused = await t.a.post(`/api/v1/webhooks/deliveries/${id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('DELIVERY_NOT_FAILED');
    // As ten failed attempts over hours would leave it:
    withDb(t.sb.dataDir, (db) =>
      db
        .prepare("UPDATE webhook_outbox SET status = 'failed', attempts = 10, next_attempt_at = NULL, last_error = 'HTTP 503' WHERE id = ?")
        .run(id),
    );
    expect((await t.a.get(`/api/v1/webhooks/deliveries/${id}`)).body.data).toMatchObject({ status: 'failed', attempts: 10 });
    const retried = await t.a.post(`/api/v1/webhooks/deliveries/${id}/retry`);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body.data).toMatchObject({ id, attempts: 0 });
    const got = await rx.waitFor(2);
    expect(got[1]!.headers['switchboard-event-id']).toBe(got[0]!.headers['switchboard-event-id']);
    expect(await waitForDelivery(t.a, id, (d) => d.status === 'delivered')).toMatchObject({ attempts: 1 });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.a.get('/openapi.json')).body;
    for (const [p, m] of [
      ['/api/v1/webhooks/secret', 'get'],
      ['/api/v1/webhooks/secret/rotate', 'post'],
      ['/api/v1/webhooks/test', 'post'],
      ['/api/v1/webhooks/deliveries', 'get'],
      ['/api/v1/webhooks/deliveries/{id}', 'get'],
      ['/api/v1/webhooks/deliveries/{id}/retry', 'post'],
    ] as const) {
      expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    }
    expect(doc.paths['/api/v1/webhooks/deliveries'].get.parameters.map((x: any) => x.name)).toEqual(
      expect.arrayContaining(['status', 'event_type', 'cursor', 'limit']),
    );
  });
});

describe('webhook outbox across a crash', () => {
  it('keeps a pending delivery through SIGKILL and delivers it once after the restart', async () => {
    // A port nobody listens on yet: the receiver comes up only after the crash.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));

    const dataDir = tempDataDir();
    const first = await startServer({ dataDir, env: ENV });
    const api = client(first.baseUrl, first.firstKey);
    await api.patch('/api/v1/tenant', { webhook_url: `http://127.0.0.1:${port}/late` });
    const id = (await api.post('/api/v1/webhooks/test')).body.data.id;
    const failed = await waitForDelivery(api, id, (d) => d.attempts >= 1 && d.status === 'pending');
    expect(failed.last_error).toContain('ECONNREFUSED');
    expect(await first.stop('SIGKILL')).toBeNull();

    const rx = await receiver(() => 200, port);
    const second = await startServer({ dataDir, env: ENV });
    try {
      const again = client(second.baseUrl, first.firstKey);
      const [got] = await rx.waitFor(1, 8_000);
      expect(JSON.parse(got!.body).id).toBe(failed.event_id);
      expect(signatureValid(await secretOf(again), got!)).toBe(true);
      expect(await waitForDelivery(again, id, (d) => d.status === 'delivered')).toMatchObject({ last_status_code: 200 });
      await sleep(1_000);
      expect(rx.received).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
