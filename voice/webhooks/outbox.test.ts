// Claiming due deliveries against a real store: what is due, per-host limits, lapsed
// claims, recovery after a crash, and that a claim is taken once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { WebhookOutbox } from './outbox.js';

let store: Store;
let outbox: WebhookOutbox;
let tenantId: string;
const t0 = new Date('2024-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

beforeEach(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-outbox-'));
  store = await openStore(dir);
  outbox = new WebhookOutbox(store);
  tenantId = (await store.tenants.create({ name: 't' })).id;
  return async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
});

async function queue(url: string, createdAt = t0): Promise<string> {
  const r = await outbox.insert({
    tenantId,
    eventId: store.newId('evt'),
    eventType: 'call.ringing',
    url,
    payload: '{}',
    createdAt,
    giveUpAt: at(24 * 3600_000),
  });
  return r.id;
}

const claim = (now: Date, slots = 8, hostLoad = new Map<string, number>()) =>
  outbox.claimDue({ now, slots, hostLoad, perHost: 2, leaseMs: 60_000 });

describe('webhook outbox claims', () => {
  it('claims due rows oldest first, counts the attempt and leaves rows not yet due', async () => {
    const a = await queue('http://a.example/hook', at(0));
    const b = await queue('http://b.example/hook', at(10));
    await queue('http://c.example/hook', at(5_000));
    const claimed = await claim(at(100));
    expect(claimed.map((r) => r.id)).toEqual([a, b]);
    expect(claimed.every((r) => r.status === 'delivering' && r.attempts === 1)).toBe(true);
    const row = await outbox.get(tenantId, a);
    expect(row).toMatchObject({ status: 'delivering', attempts: 1, next_attempt_at: at(60_100).toISOString() });
  });

  it('never claims the same row twice, even from two claimers at once', async () => {
    for (let i = 0; i < 6; i++) await queue(`http://h${i}.example/`);
    const [x, y] = await Promise.all([claim(at(1)), claim(at(1))]);
    const ids = [...x, ...y].map((r) => r.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(await claim(at(2))).toEqual([]);
  });

  it('takes at most two per host, counting those already in flight', async () => {
    for (let i = 0; i < 5; i++) await queue('http://slow.example:8080/hook', at(i));
    const other = await queue('http://fast.example/hook', at(10));
    const first = await claim(at(100), 8, new Map([['slow.example:8080', 1]]));
    expect(first.map((r) => r.url_host)).toEqual(['slow.example:8080', 'fast.example']);
    expect(first[1]!.id).toBe(other);
    expect(await claim(at(100), 8, new Map([['slow.example:8080', 2]]))).toEqual([]);
  });

  it('finds other hosts behind a long backlog for one host', async () => {
    for (let i = 0; i < 120; i++) await queue('http://backlog.example/hook', at(i));
    const late = await queue('http://other.example/hook', at(500));
    const claimed = await claim(at(1_000), 8, new Map([['backlog.example', 2]]));
    expect(claimed.map((r) => r.id)).toEqual([late]);
  });

  it('respects the free slots', async () => {
    for (let i = 0; i < 5; i++) await queue(`http://h${i}.example/`);
    expect(await claim(at(1), 3)).toHaveLength(3);
    expect(await claim(at(1), 0)).toHaveLength(0);
  });

  it('claims again a row whose claim lapsed (its process died)', async () => {
    const id = await queue('http://a.example/');
    await claim(at(0));
    expect(await claim(at(59_000))).toEqual([]);
    const again = await claim(at(60_001));
    expect(again.map((r) => [r.id, r.attempts])).toEqual([[id, 2]]);
  });

  it('makes interrupted deliveries due at once on recovery', async () => {
    const id = await queue('http://a.example/');
    await claim(at(0));
    expect(await outbox.recoverInterrupted(at(1_000))).toBe(1);
    expect((await claim(at(1_000))).map((r) => r.id)).toEqual([id]);
  });

  it('records outcomes only under the claim they belong to', async () => {
    await queue('http://a.example/');
    const [c] = await claim(at(0));
    expect(await outbox.record(c!, { kind: 'retry', at: at(5_000), statusCode: 500, error: 'HTTP 500' }, at(10))).toBe(true);
    // A second report for the same claim (or a stale one) changes nothing.
    expect(await outbox.record(c!, { kind: 'delivered', statusCode: 200 }, at(20))).toBe(false);
    const row = await outbox.get(tenantId, c!.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500' });
    expect(await outbox.nextDueAfter(at(10))).toEqual(at(5_000));
    const [c2] = await claim(at(5_000));
    await outbox.record(c2!, { kind: 'delivered', statusCode: 204 }, at(5_050));
    expect(await outbox.get(tenantId, c!.id)).toMatchObject({
      status: 'delivered',
      attempts: 2,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: null,
      delivered_at: at(5_050).toISOString(),
    });
  });

  it('gives an interrupted attempt back without counting it', async () => {
    await queue('http://a.example/');
    const [c] = await claim(at(0));
    await outbox.record(c!, { kind: 'interrupted' }, at(10));
    expect(await outbox.get(tenantId, c!.id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: at(10).toISOString() });
  });

  it('re-queues only a failed delivery, from zero attempts', async () => {
    await queue('http://a.example/');
    const [c] = await claim(at(0));
    expect(await outbox.requeue(tenantId, c!.id, at(1), at(2))).toBeUndefined();
    await outbox.record(c!, { kind: 'failed', statusCode: 404, error: 'HTTP 404' }, at(10));
    const other = (await store.tenants.create({ name: 'other' })).id;
    expect(await outbox.requeue(other, c!.id, at(20), at(30))).toBeUndefined();
    const r = await outbox.requeue(tenantId, c!.id, at(20), at(30));
    expect(r).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: at(20).toISOString(), give_up_at: at(30).toISOString() });
  });
});
