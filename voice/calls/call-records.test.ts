// CallRecords against a real store in a temporary directory: what a crash-safe CDR must
// guarantee (row and timeline change together, hooks share the transaction), the
// timestamps and duration, and the recordings and monitoring reads built on the rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { WebhookPublisher } from '../webhooks/index.js';
import { CallRecords, type CallTransition } from './call-records.js';
import { CallRecordings } from './call-recordings.js';
import { IllegalCallTransition } from './call-state.js';
import { callWebhookHook } from './call-webhooks.js';
import { monitoringSnapshot } from './monitoring.js';

let dir: string;
let store: Store;
let tenantId: string;
let t = Date.parse('2026-03-08T12:00:00.000Z');
const advance = (ms: number) => (t += ms);

beforeEach(async () => {
  t = Date.parse('2026-03-08T12:00:00.000Z');
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-calls-'));
  store = await openStore(dir, { now: () => new Date(t) });
  tenantId = (await store.tenants.create({ name: 'Acme' })).id;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const newCall = (records: CallRecords, over: Partial<Parameters<CallRecords['create']>[0]> = {}) =>
  records.create({ tenantId, direction: 'outbound', from: '+12025551234', to: '+14155552671', record: true, ...over });

describe('CallRecords', () => {
  it('records a call from creation to hangup with times, duration, cause and side, and its timeline', async () => {
    const records = new CallRecords(store);
    const c = await newCall(records, { metadata: { crm: 42 }, agentId: 'agt_x', campaignId: 'spring' });
    expect(c).toMatchObject({ id: expect.stringMatching(/^call_/), status: 'initiating', record: true, metadata: { crm: 42 } });
    advance(1500);
    await records.transition(c.id, 'ring', { sipStatus: 180 });
    advance(4000);
    await records.transition(c.id, 'answer');
    advance(61_400);
    const { call } = await records.transition(c.id, 'hangup', { side: 'callee' });
    expect(call).toMatchObject({
      status: 'completed',
      createdAt: '2026-03-08T12:00:00.000Z',
      ringingAt: '2026-03-08T12:00:01.500Z',
      answeredAt: '2026-03-08T12:00:05.500Z',
      endedAt: '2026-03-08T12:01:06.900Z',
      durationSeconds: 61,
      hangupCause: 'normal_clearing',
      hangupSide: 'callee',
      sipFinalStatus: 200,
    });
    const events = await records.events(c.id);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [0, 'initiating'],
      [1, 'ringing'],
      [2, 'in_progress'],
      [3, 'completed'],
    ]);
    expect(events[1]!.data).toMatchObject({ from: 'initiating', sip_status: 180 });
    expect(events[3]!.data).toMatchObject({ from: 'in_progress', cause: 'normal_clearing', side: 'callee' });
  });

  it('ends an unanswered call by the table: 486 is busy, blamed on the callee, 0 s', async () => {
    const records = new CallRecords(store);
    const c = await newCall(records);
    await records.transition(c.id, 'ring');
    advance(3000);
    const { call } = await records.transition(c.id, 'reject', { sipStatus: 486 });
    expect(call).toMatchObject({ status: 'busy', sipFinalStatus: 486, hangupCause: 'user_busy', hangupSide: 'callee', durationSeconds: 0 });
    const cancelled = await newCall(records);
    const r = await records.transition(cancelled.id, 'cancel', { side: 'api' });
    expect(r.call).toMatchObject({ status: 'cancelled', sipFinalStatus: 487, hangupSide: 'api', hangupCause: 'originator_cancel' });
  });

  it('writes nothing for a second ring', async () => {
    const records = new CallRecords(store);
    const c = await newCall(records);
    await records.transition(c.id, 'ring');
    const again = await records.transition(c.id, 'ring');
    expect(again.changed).toBe(false);
    expect((await records.events(c.id)).length).toBe(2);
  });

  it("keeps a call's changes in the order they were made, even when nobody waits between them", async () => {
    const records = new CallRecords(store);
    const calls = await Promise.all(Array.from({ length: 20 }, () => newCall(records)));
    // Fired without awaiting: each call's writes still commit one after the other, in order.
    const pending = calls.flatMap((c) => [
      records.update(c.id, { peerSipCallId: `peer-${c.id}` }),
      records.transition(c.id, 'ring', { sipStatus: 180 }),
      records.note(c.id, 'held', { by: 'callee' }),
      records.transition(c.id, 'answer'),
      records.transition(c.id, 'hangup', { side: 'caller', patch: { quality: { mos: 4.1, jitter_ms: 3, loss_pct: 0, rtt_ms: null, one_way_audio: false } } }),
    ]);
    await Promise.all(pending);
    for (const c of calls) {
      expect((await records.events(c.id)).map((e) => [e.seq, e.type])).toEqual([
        [0, 'initiating'],
        [1, 'ringing'],
        [2, 'held'],
        [3, 'in_progress'],
        [4, 'completed'],
      ]);
      expect(await records.byId(c.id)).toMatchObject({ status: 'completed', peerSipCallId: `peer-${c.id}`, quality: { mos: 4.1 } });
    }
    // Ended calls leave memory once their writes are done.
    expect(records.liveCount).toBe(0);
  });

  it('refuses an illegal transition and leaves row and timeline untouched', async () => {
    const records = new CallRecords(store);
    const c = await newCall(records);
    await records.transition(c.id, 'reject', { sipStatus: 404 });
    await expect(records.transition(c.id, 'answer')).rejects.toBeInstanceOf(IllegalCallTransition);
    expect((await records.byId(c.id))!.status).toBe('failed');
    expect((await records.events(c.id)).length).toBe(2);
  });

  it('needs the SIP status of a reject and the side of a hangup', async () => {
    const records = new CallRecords(store);
    const c = await newCall(records);
    await expect(records.transition(c.id, 'reject')).rejects.toThrow(TypeError);
    await records.transition(c.id, 'answer');
    await expect(records.transition(c.id, 'hangup')).rejects.toThrow(TypeError);
  });

  it('runs hooks in the transaction: a failing hook undoes the status change and its event', async () => {
    const records = new CallRecords(store);
    const seen: CallTransition[] = [];
    records.onTransition((tr) => {
      seen.push(tr);
      if (tr.to === 'in_progress') throw new Error('hook broke');
    });
    const c = await newCall(records);
    await records.transition(c.id, 'ring');
    await expect(records.transition(c.id, 'answer')).rejects.toThrow('hook broke');
    expect(seen.map((s) => [s.from, s.to])).toEqual([
      [null, 'initiating'],
      ['initiating', 'ringing'],
      ['ringing', 'in_progress'],
    ]);
    const after = (await records.byId(c.id))!;
    expect(after.status).toBe('ringing');
    expect(after.answeredAt).toBeNull();
    expect((await records.events(c.id)).map((e) => e.type)).toEqual(['initiating', 'ringing']);
  });

  it("queues a call.<status> webhook with each change, to the number's URL before the tenant's", async () => {
    await store.db.updateTable('tenants').set({ webhook_url: 'https://tenant.example/hook' }).where('id', '=', tenantId).execute();
    const records = new CallRecords(store);
    records.onTransition(callWebhookHook(new WebhookPublisher({ store, now: () => new Date(t) })));
    const c = await newCall(records);
    await records.transition(c.id, 'ring');
    await store.resources.numbers.insert(tenantId, {
      e164: '+12025551234',
      route_type: null,
      route_target_id: null,
      route_config: null,
      calendar_id: null,
      after_hours_type: null,
      after_hours_target_id: null,
      webhook_url: 'https://number.example/hook',
      route_updated_at: null,
    });
    await records.transition(c.id, 'answer');
    const rows = await store.db.selectFrom('webhook_outbox').selectAll().orderBy('created_at').orderBy('id').execute();
    const byType = new Map(rows.map((r) => [r.event_type, r]));
    expect([...byType.keys()].sort()).toEqual(['call.in_progress', 'call.initiating', 'call.ringing']);
    expect(byType.get('call.ringing')!.url).toBe('https://tenant.example/hook');
    // An outbound call belongs to its caller id: that number's route URL wins once it has one.
    expect(byType.get('call.in_progress')!.url).toBe('https://number.example/hook');
    const body = JSON.parse(byType.get('call.ringing')!.payload);
    expect(body).toMatchObject({ type: 'call.ringing', tenant_id: tenantId, data: { id: c.id, status: 'ringing', to: '+14155552671' } });
  });

  it('queues no webhook when the change rolls back', async () => {
    await store.db.updateTable('tenants').set({ webhook_url: 'https://tenant.example/hook' }).where('id', '=', tenantId).execute();
    const records = new CallRecords(store);
    records.onTransition(callWebhookHook(new WebhookPublisher({ store })));
    records.onTransition((tr) => {
      if (tr.to === 'ringing') throw new Error('later hook failed');
    });
    const c = await newCall(records);
    await expect(records.transition(c.id, 'ring')).rejects.toThrow();
    const types = (await store.db.selectFrom('webhook_outbox').select('event_type').execute()).map((r) => r.event_type);
    expect(types).toEqual(['call.initiating']);
  });

  it('closes calls a previous process left live', async () => {
    const records = new CallRecords(store);
    const ringing = await newCall(records);
    await records.transition(ringing.id, 'ring');
    const up = await newCall(records);
    await records.transition(up.id, 'answer');
    const done = await newCall(records);
    await records.transition(done.id, 'reject', { sipStatus: 486 });
    advance(10_000);
    expect(await records.closeLeftovers()).toBe(2);
    expect(await records.byId(ringing.id)).toMatchObject({ status: 'failed', hangupSide: 'system', hangupCause: 'server_restart' });
    expect(await records.byId(up.id)).toMatchObject({ status: 'completed', durationSeconds: 10, hangupCause: 'server_restart' });
    expect((await records.byId(done.id))!.status).toBe('busy');
  });

  it('lists newest first with filters, and keeps tenants apart', async () => {
    const records = new CallRecords(store);
    const other = (await store.tenants.create({ name: 'Other' })).id;
    const a = await newCall(records, { to: '+14155550001' });
    advance(1000);
    const b = await newCall(records, { to: '+14155550002' });
    advance(1000);
    await newCall(records, { tenantId: other });
    await records.transition(a.id, 'answer');
    expect((await records.list(tenantId, { limit: 10 })).items.map((c) => c.id)).toEqual([b.id, a.id]);
    expect((await records.list(tenantId, { limit: 10 }, { status: 'in_progress' })).items.map((c) => c.id)).toEqual([a.id]);
    expect((await records.list(tenantId, { limit: 10 }, { to: '+14155550002' })).items.map((c) => c.id)).toEqual([b.id]);
    expect(await records.get(other, a.id)).toBeUndefined();
  });
});

describe('CallRecordings and monitoring', () => {
  it('starts a recording as the call current one and completes it', async () => {
    const records = new CallRecords(store);
    const recs = new CallRecordings(store);
    const c = await newCall(records, { record: false });
    const r = await recs.start(tenantId, c.id, { format: 'wav', channels: 2 });
    expect(r).toMatchObject({ status: 'recording', path: `recordings/${tenantId}/${r.id}.wav` });
    expect(await records.byId(c.id)).toMatchObject({ recordingId: r.id, record: true });
    expect((await recs.activeFor(c.id))!.id).toBe(r.id);
    const done = await recs.complete(r.id, { durationSeconds: 12.4, sizeBytes: 396_844 });
    expect(done).toMatchObject({ status: 'completed', durationSeconds: 12, sizeBytes: 396_844 });
    expect(await recs.activeFor(c.id)).toBeUndefined();
    expect(recs.absolutePath(done!)).toBe(path.join(dir, 'recordings', tenantId, `${r.id}.wav`));
    expect(() => recs.absolutePath({ ...done!, path: '../../etc/passwd' })).toThrow();
    expect((await records.events(c.id)).map((e) => e.type)).toEqual(['initiating', 'recording_started', 'recording_completed']);
  });

  it('counts live calls and agent presence for the wallboard', async () => {
    const records = new CallRecords(store);
    const up = await newCall(records, { agentId: 'agt_1', queueId: 'queue_1' });
    await records.transition(up.id, 'answer');
    advance(1000);
    const ringing = await newCall(records);
    await records.transition(ringing.id, 'ring');
    const ended = await newCall(records);
    await records.transition(ended.id, 'reject', { sipStatus: 480 });
    const agent = (status: string, archived = 0) =>
      store.resources.agents.insert(tenantId, {
        name: `a-${status}`,
        kind: 'human',
        extension_id: null,
        phone_number: '+14155550100',
        stream_url: null,
        tts_voice_id: null,
        skills: '[]',
        archived,
        status,
        status_changed_at: new Date(t).toISOString(),
      });
    await agent('available');
    await agent('available');
    await agent('available', 1);
    await agent('busy');
    await agent('wrap_up');
    await agent('offline');
    advance(86_000);
    const snap = await monitoringSnapshot(store, tenantId);
    expect(snap).toMatchObject({ active_calls: 2, queued_calls: 0, available_agents: 2, busy_agents: 2 });
    expect(snap.calls.map((c) => c.id)).toEqual([up.id, ringing.id]);
    expect(snap.calls[0]).toEqual({
      id: up.id,
      from: '+12025551234',
      to: '+14155552671',
      agent_id: 'agt_1',
      duration_seconds: 87,
      queue_id: 'queue_1',
      started_at: '2026-03-08T12:00:00.000Z',
    });
    expect(snap.calls[1]!.duration_seconds).toBe(0);
  });
});
