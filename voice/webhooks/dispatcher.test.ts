// The delivery loop with a fake receiver and a clock the test moves: signing,
// retries and giving up, the concurrency limits, and stopping mid-attempt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookPublisher } from './publisher.js';
import { WebhookSecrets } from './secrets.js';
import type { SendRequest, SendResult } from './sender.js';
import { verifySignature } from './signature.js';

let store: Store;
let tenantId: string;
let clock: Date;
const now = (): Date => clock;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

beforeEach(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-dispatch-'));
  store = await openStore(dir);
  tenantId = (await store.tenants.create({ name: 't' })).id;
  clock = new Date('2024-05-01T12:00:00.000Z');
  return async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
});

/** A receiver whose answers the test decides; `hold` keeps requests open until released. */
function fakeReceiver(answer: (r: SendRequest, n: number) => SendResult | 'hold') {
  const received: SendRequest[] = [];
  const held: { req: SendRequest; release: (r: SendResult) => void }[] = [];
  const send = (req: SendRequest): Promise<SendResult> => {
    received.push(req);
    const a = answer(req, received.length);
    if (a !== 'hold') return Promise.resolve(a);
    return new Promise((resolve) => {
      const release = (r: SendResult): void => resolve(r);
      held.push({ req, release });
      req.signal?.addEventListener('abort', () => release({ ok: false, statusCode: null, error: 'cancelled' }));
    });
  };
  return { send, received, held };
}

const ok: SendResult = { ok: true, statusCode: 200, error: null };
const err500: SendResult = { ok: false, statusCode: 500, error: 'HTTP 500' };

function setup(send: (r: SendRequest) => Promise<SendResult>, retry = {}) {
  const dispatcher = new WebhookDispatcher({
    store,
    logger: pino({ level: 'silent' }),
    send,
    retry: { baseMs: 1_000, ...retry },
    now,
    random: () => 0.5,
  });
  const publisher = new WebhookPublisher({ store, now });
  return { dispatcher, publisher };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
  expect(cond()).toBe(true);
}

async function step(d: WebhookDispatcher): Promise<void> {
  await d.tick();
  await d.whenIdle();
}

describe('webhook dispatcher', () => {
  it('sends the queued body with a signature the tenant secret verifies', async () => {
    const r = fakeReceiver(() => ok);
    const { dispatcher, publisher } = setup(r.send);
    const row = await publisher.publish(tenantId, { type: 'call.ringing', data: { call_id: 'call_1' }, url: 'http://rx.example/a' });
    await step(dispatcher);
    expect(r.received).toHaveLength(1);
    const sent = r.received[0]!;
    expect(sent.url).toBe('http://rx.example/a');
    expect(sent.body).toBe(row!.payload);
    expect(JSON.parse(sent.body)).toEqual({
      id: row!.event_id,
      type: 'call.ringing',
      created_at: clock.toISOString(),
      tenant_id: tenantId,
      data: { call_id: 'call_1' },
    });
    expect(sent.headers['Switchboard-Event-Id']).toBe(row!.event_id);
    expect(sent.headers['Switchboard-Timestamp']).toBe(String(clock.getTime() / 1000));
    const secret = (await new WebhookSecrets(store).get(tenantId))!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(
      verifySignature(secret, sent.headers['Switchboard-Signature']!, sent.headers['Switchboard-Timestamp']!, sent.body, {
        nowSeconds: clock.getTime() / 1000,
      }),
    ).toBe(true);
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it("queues to the tenant's URL when the route has none, and nothing without any URL", async () => {
    const { publisher } = setup(fakeReceiver(() => ok).send);
    expect(await publisher.publish(tenantId, { type: 'call.ringing', data: {} })).toBeUndefined();
    await store.tenants.update(tenantId, { webhookUrl: 'https://tenant.example/hook' });
    expect((await publisher.publish(tenantId, { type: 'call.ringing', data: {} }))?.url).toBe('https://tenant.example/hook');
    expect((await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'https://route.example/' }))?.url).toBe(
      'https://route.example/',
    );
  });

  it('commits the event with the caller\'s transaction, or not at all', async () => {
    const { publisher, dispatcher } = setup(fakeReceiver(() => ok).send);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await publisher.publish(tenantId, { type: 'call.completed', data: {}, url: 'http://rx.example/' }, trx);
        throw new Error('the call update failed');
      }),
    ).rejects.toThrow('the call update failed');
    expect((await dispatcher.outbox.list(tenantId, { limit: 10 })).items).toEqual([]);
  });

  it('retries after 1 s, 3 s, 9 s... and gives up after the last attempt', async () => {
    const r = fakeReceiver(() => err500);
    const { dispatcher, publisher } = setup(r.send, { maxAttempts: 4 });
    const row = await publisher.publish(tenantId, { type: 'call.failed', data: {}, url: 'http://rx.example/' });
    await step(dispatcher);
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 500,
      last_error: 'HTTP 500',
      next_attempt_at: new Date(clock.getTime() + 1_000).toISOString(),
    });
    advance(999);
    await step(dispatcher);
    expect(r.received).toHaveLength(1); // not due yet
    for (const wait of [1, 3_000, 9_000]) {
      advance(wait);
      await step(dispatcher);
    }
    expect(r.received).toHaveLength(4);
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({ status: 'failed', attempts: 4, next_attempt_at: null });
    advance(3600_000);
    await step(dispatcher);
    expect(r.received).toHaveLength(4);
  });

  it('delivers on the third attempt after two failures', async () => {
    const r = fakeReceiver((_req, n) => (n <= 2 ? err500 : ok));
    const { dispatcher, publisher } = setup(r.send);
    const row = await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'http://rx.example/' });
    await step(dispatcher);
    advance(1_000);
    await step(dispatcher);
    advance(3_000);
    await step(dispatcher);
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    expect(new Set(r.received.map((x) => x.headers['Switchboard-Event-Id'])).size).toBe(1);
  });

  it('keeps at most 2 requests in flight per host and 8 in all; a stuck host does not hold up others', async () => {
    const r = fakeReceiver((req) => (req.url.startsWith('http://stuck.') ? 'hold' : req.url.startsWith('http://ok') ? ok : 'hold'));
    const { dispatcher, publisher } = setup(r.send);
    await dispatcher.start();
    for (let i = 0; i < 6; i++) await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'http://stuck.example/' });
    for (let i = 0; i < 3; i++) await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: `http://ok${i}.example/` });
    await until(() => r.received.length === 5);
    expect(r.received.filter((x) => x.url.startsWith('http://stuck.'))).toHaveLength(2);
    expect(r.received.filter((x) => x.url.startsWith('http://ok'))).toHaveLength(3);

    for (let i = 0; i < 12; i++) await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: `http://slow${i}.example/` });
    await until(() => r.held.length === 8);
    await new Promise((res) => setTimeout(res, 50));
    // 2 on stuck.example plus 6 others: 8 in flight; the rest wait for a slot.
    expect(r.held).toHaveLength(8);
    const waiting = await dispatcher.outbox.list(tenantId, { limit: 100 }, { status: 'pending' });
    expect(waiting.items).toHaveLength(4 + 6);
    r.held[0]!.release(ok);
    await until(() => r.held.length === 9); // the freed slot is taken at once
    await dispatcher.stop();
  });

  it('on stop, cancels attempts in flight and leaves them due, not counted', async () => {
    const r = fakeReceiver(() => 'hold');
    const { dispatcher, publisher } = setup(r.send);
    const row = await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'http://rx.example/' });
    await dispatcher.tick();
    await new Promise((res) => setImmediate(res));
    expect(r.held).toHaveLength(1);
    await dispatcher.stop();
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('hands back, unsent, what a look at the outbox claims while the server stops', async () => {
    const r = fakeReceiver(() => ok);
    const { dispatcher, publisher } = setup(r.send);
    const row = await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'http://rx.example/' });
    const looking = dispatcher.tick();
    await dispatcher.stop();
    await looking;
    expect(r.received).toHaveLength(0);
    expect(await dispatcher.outbox.get(tenantId, row!.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('signs with the rotated secret from the rotation on', async () => {
    const r = fakeReceiver(() => ok);
    const { dispatcher, publisher } = setup(r.send);
    const secrets = new WebhookSecrets(store);
    const before = (await secrets.get(tenantId))!;
    await publisher.publish(tenantId, { type: 'call.ringing', data: {}, url: 'http://rx.example/' });
    const after = await secrets.rotate(tenantId);
    expect(after).not.toBe(before);
    await step(dispatcher);
    const h = r.received[0]!.headers;
    const check = (s: string): boolean =>
      verifySignature(s, h['Switchboard-Signature']!, h['Switchboard-Timestamp']!, r.received[0]!.body, {
        nowSeconds: clock.getTime() / 1000,
      });
    expect(check(after)).toBe(true);
    expect(check(before)).toBe(false);
  });
});
