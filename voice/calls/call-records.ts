// CallRecords: the one writer of call rows. Each status change is one unit of the store's
// group commit (store/group-committer.ts): the row's new columns, the timeline event and what
// the transition hooks stage (webhook outbox rows) commit together on the synchronous=FULL
// writer connection, or not at all, so a crash can never leave a call that says "completed"
// without its event, or an event for a change that did not commit. Many calls' units share
// one COMMIT and one fsync, on the writer thread.
//
// The row of every call this process is writing stays in memory (live-calls.ts): a change is
// decided on it, without reading the row back, and a call's writes are queued so that each
// starts after the previous one committed. Every promise here resolves after the commit: what
// the caller does next (answer the API, let the dispatcher deliver) sees durable data only.
import type { Page, PageRequest, Store, Write } from '../../store/index.js';
import type { CallsTable } from '../../store/schema.js';
import { CallRepository, toCall, type CallDirection, type CallEventRecord, type CallFilter, type CallQuality, type CallRecord } from './call-repository.js';
import type { CallStatus, HangupSide } from './call-status.js';
import { nextStatus, type CallInput } from './call-state.js';
import { LiveCalls, type LiveCall } from './live-calls.js';
import { StagedWrites } from './staged-writes.js';

export { StagedWrites } from './staged-writes.js';

export interface NewCall {
  tenantId: string;
  direction: CallDirection;
  from: string;
  to: string;
  agentId?: string | null;
  queueId?: string | null;
  campaignId?: string | null;
  metadata?: Record<string, unknown>;
  record?: boolean;
  amd?: boolean;
  trunkId?: string | null;
  callerExtensionId?: string | null;
  calleeExtensionId?: string | null;
  sipCallId?: string | null;
  peerSipCallId?: string | null;
  at?: Date;
}

/**
 * What happened to the call:
 * - ring: a 180/183; answer: a 2xx;
 * - reject: a final 3xx-6xx before answer (`sipStatus` required);
 * - ring_timeout: our ring timer ran out; cancel: CANCEL before answer;
 * - hangup: BYE of an answered call (`side` required: who hung up);
 * - fail: no SIP final at all (no route, transport error).
 */
export type CallEventName = 'ring' | 'answer' | 'reject' | 'ring_timeout' | 'cancel' | 'hangup' | 'fail';

export interface TransitionDetails {
  at?: Date;
  sipStatus?: number;
  /** hangup_cause; the table's default for the outcome when omitted. */
  cause?: string;
  side?: HangupSide;
  /** Descriptive columns written with the change (the quality with the hangup). */
  patch?: CallPatch;
}

export interface CallTransition {
  call: CallRecord;
  /** null for the creation of the call (to = initiating). */
  from: CallStatus | null;
  to: CallStatus;
  at: string;
}

/**
 * Runs before the change is submitted: the rows it stages with `tx.insert` commit with the
 * change, or not at all; `tx.afterCommit` effects run once it is durable. A hook that throws
 * cancels the change (nothing is written). `tx.db` reads committed data.
 */
export type TransitionHook = (t: CallTransition, tx: StagedWrites) => Promise<void> | void;

/** Whom an end is blamed on when the caller does not say. */
const DEFAULT_SIDE: Partial<Record<CallEventName, HangupSide>> = {
  reject: 'callee',
  ring_timeout: 'system',
  cancel: 'caller',
  fail: 'system',
};

function inputOf(event: CallEventName, d: TransitionDetails): CallInput {
  switch (event) {
    case 'ring':
      return { type: 'ring' };
    case 'answer':
      return { type: 'answer' };
    case 'reject':
      if (d.sipStatus === undefined) throw new TypeError('reject needs the SIP final status');
      return { type: 'end', outcome: { kind: 'sip_final', code: d.sipStatus } };
    case 'ring_timeout':
      return { type: 'end', outcome: { kind: 'ring_timeout' } };
    case 'cancel':
      return { type: 'end', outcome: { kind: 'cancel' } };
    case 'hangup':
      if (d.side === undefined) throw new TypeError('hangup needs the side that hung up');
      return { type: 'end', outcome: { kind: 'bye' } };
    case 'fail':
      return { type: 'end', outcome: { kind: 'error' } };
  }
}

/** Talk time in whole seconds (rounded), 0 for a call never answered. */
export function talkSeconds(answeredAt: string | null, endedAt: string): number {
  if (answeredAt === null) return 0;
  return Math.max(0, Math.round((Date.parse(endedAt) - Date.parse(answeredAt)) / 1000));
}

export type CallPatch = Partial<{
  agentId: string | null;
  queueId: string | null;
  trunkId: string | null;
  callerExtensionId: string | null;
  calleeExtensionId: string | null;
  sipCallId: string | null;
  peerSipCallId: string | null;
  amdResult: string | null;
  quality: CallQuality | null;
}>;

/** The row's columns a patch sets. */
function patchColumns(p: CallPatch): Partial<CallsTable> {
  const set: Partial<CallsTable> = {};
  if (p.agentId !== undefined) set.agent_id = p.agentId;
  if (p.queueId !== undefined) set.queue_id = p.queueId;
  if (p.trunkId !== undefined) set.trunk_id = p.trunkId;
  if (p.callerExtensionId !== undefined) set.caller_extension_id = p.callerExtensionId;
  if (p.calleeExtensionId !== undefined) set.callee_extension_id = p.calleeExtensionId;
  if (p.sipCallId !== undefined) set.sip_call_id = p.sipCallId;
  if (p.peerSipCallId !== undefined) set.peer_sip_call_id = p.peerSipCallId;
  if (p.amdResult !== undefined) set.amd_result = p.amdResult;
  if (p.quality !== undefined) set.quality = p.quality === null ? null : JSON.stringify(p.quality);
  return set;
}

/** A timeline entry; its number is the call's next, taken inside the commit. */
function eventWrite(callId: string, type: string, at: string, data: Record<string, unknown>): Write {
  return { op: 'insert', table: 'call_events', row: { call_id: callId, type, at, data: JSON.stringify(data) }, sequence: { column: 'seq', within: 'call_id' } };
}

function updateWrite(id: string, set: Partial<CallsTable>): Write {
  return { op: 'update', table: 'calls', id, set: set as Record<string, string | number | null> };
}

export class CallRecords {
  readonly repo: CallRepository;
  private readonly hooks: TransitionHook[] = [];
  private readonly live: LiveCalls;

  constructor(private readonly store: Pick<Store, 'db' | 'newId' | 'now' | 'writer'>) {
    this.repo = new CallRepository(store.db);
    this.live = LiveCalls.of(store.writer);
  }

  /** Adds a hook run with every status change (creation included); see TransitionHook. */
  onTransition(hook: TransitionHook): void {
    this.hooks.push(hook);
  }

  /** Calls whose row this process holds (live, or ended with a write still going). */
  get liveCount(): number {
    return this.live.size;
  }

  async create(c: NewCall): Promise<CallRecord> {
    const at = (c.at ?? this.store.now()).toISOString();
    const row: CallsTable = {
      id: this.store.newId('call'),
      tenant_id: c.tenantId,
      direction: c.direction,
      from_number: c.from,
      to_number: c.to,
      status: 'initiating',
      agent_id: c.agentId ?? null,
      queue_id: c.queueId ?? null,
      campaign_id: c.campaignId ?? null,
      metadata: JSON.stringify(c.metadata ?? {}),
      record: c.record ? 1 : 0,
      amd: c.amd ? 1 : 0,
      amd_result: null,
      trunk_id: c.trunkId ?? null,
      caller_extension_id: c.callerExtensionId ?? null,
      callee_extension_id: c.calleeExtensionId ?? null,
      sip_call_id: c.sipCallId ?? null,
      peer_sip_call_id: c.peerSipCallId ?? null,
      ringing_at: null,
      answered_at: null,
      ended_at: null,
      duration_seconds: null,
      hangup_cause: null,
      hangup_side: null,
      sip_final_status: null,
      quality: null,
      recording_id: null,
      created_at: at,
      updated_at: at,
    };
    // In memory at once, so that what the caller does next queues behind the creation.
    const live = this.live.add(row);
    const call = toCall(row);
    return this.live.run(live, async () => {
      try {
        await this.commit({ call, from: null, to: 'initiating', at }, [
          { op: 'insert', table: 'calls', row: row as unknown as Record<string, string | number | null> },
          eventWrite(row.id, 'initiating', at, { direction: c.direction, from: c.from, to: c.to }),
        ]);
      } catch (err) {
        live.gone = true;
        throw err;
      }
      return call;
    });
  }

  /**
   * Applies an event to the call. Throws IllegalCallTransition (409 through the API)
   * when the call's status cannot take it, and TypeError for a missing detail.
   * A repeated ring changes nothing and writes nothing.
   */
  async transition(callId: string, event: CallEventName, d: TransitionDetails = {}): Promise<{ call: CallRecord; changed: boolean }> {
    const input = inputOf(event, d);
    return this.queue(callId, async (live) => {
      if (live.gone) throw new Error(`no call ${callId}`);
      const cur = live.row;
      const step = nextStatus(cur.status as CallStatus, input);
      if (!step.changed) return { call: toCall(cur), changed: false };
      const at = (d.at ?? this.store.now()).toISOString();
      const set: Partial<CallsTable> = { ...(d.patch ? patchColumns(d.patch) : {}), status: step.to, updated_at: at };
      if (event === 'ring') set.ringing_at = at;
      else if (event === 'answer') {
        set.answered_at = at;
        set.sip_final_status = d.sipStatus ?? 200;
      } else {
        set.ended_at = at;
        set.duration_seconds = talkSeconds(cur.answered_at, at);
        set.hangup_cause = d.cause ?? step.cause ?? null;
        set.hangup_side = d.side ?? DEFAULT_SIDE[event] ?? null;
        if (event === 'reject') set.sip_final_status = d.sipStatus!;
        else if (event === 'cancel' || event === 'ring_timeout') set.sip_final_status = d.sipStatus ?? 487;
        else if (d.sipStatus !== undefined) set.sip_final_status = d.sipStatus;
      }
      const data: Record<string, unknown> = { from: cur.status };
      if (d.sipStatus !== undefined) data.sip_status = d.sipStatus;
      if (set.hangup_cause) data.cause = set.hangup_cause;
      if (set.hangup_side) data.side = set.hangup_side;
      const next: CallsTable = { ...cur, ...set };
      const call = toCall(next);
      await this.commit({ call, from: cur.status as CallStatus, to: step.to, at }, [updateWrite(callId, set), eventWrite(callId, step.to, at, data)]);
      // Only the columns it set: another writer may have changed others meanwhile (the recording).
      live.row = { ...live.row, ...set };
      return { call, changed: true };
    });
  }

  /** Adds a timeline entry that is not a status change (hold, mute, transfer, dtmf...). */
  async note(callId: string, type: string, data: Record<string, unknown> = {}, at: Date = this.store.now()): Promise<void> {
    const unit = { writes: [eventWrite(callId, type, at.toISOString(), data)] };
    const live = this.live.get(callId);
    // A call nobody is writing has nothing queued to come after.
    if (!live) return this.store.writer.submit(unit);
    return this.live.run(live, () => this.store.writer.submit(unit));
  }

  /** Changes descriptive columns (who is on the call, quality, AMD result...), never the status. */
  async update(callId: string, p: CallPatch): Promise<CallRecord | undefined> {
    return this.queue(callId, async (live) => {
      if (live.gone) return undefined;
      const set: Partial<CallsTable> = { ...patchColumns(p), updated_at: this.store.now().toISOString() };
      await this.store.writer.submit({ writes: [updateWrite(callId, set)] });
      live.row = { ...live.row, ...set };
      return toCall(live.row);
    }, () => undefined);
  }

  /**
   * Ends the calls a previous process left live (a crash or a kill): no such call can
   * still be up. Answered ones complete, the others fail; side system, cause server_restart.
   * All in one go: their commits share batches.
   */
  async closeLeftovers(at: Date = this.store.now()): Promise<number> {
    const ids = await this.repo.allLiveIds();
    const done = await Promise.all(
      ids.map(async (id) => {
        const live = await this.live.acquire(id, () => this.repo.rowById(id));
        if (!live) return false;
        const event: CallEventName = live.row.status === 'in_progress' ? 'hangup' : 'fail';
        await this.transition(id, event, { at, side: 'system', cause: 'server_restart' });
        return true;
      }),
    );
    return done.filter(Boolean).length;
  }

  get(tenantId: string, id: string): Promise<CallRecord | undefined> {
    return this.repo.get(tenantId, id);
  }

  byId(id: string): Promise<CallRecord | undefined> {
    return this.repo.byId(id);
  }

  list(tenantId: string, page: PageRequest, filter: CallFilter = {}): Promise<Page<CallRecord>> {
    return this.repo.list(tenantId, page, filter);
  }

  events(callId: string): Promise<CallEventRecord[]> {
    return this.repo.events(callId);
  }

  /**
   * Runs `fn` on the call after its writes queued so far. A call in memory is queued at once
   * (before this returns), so calls made one after the other keep their order; another is
   * loaded first. Rejects for a call that does not exist.
   */
  private queue<T>(callId: string, fn: (live: LiveCall) => Promise<T>, missing: () => T = () => { throw new Error(`no call ${callId}`); }): Promise<T> {
    const live = this.live.get(callId);
    if (live) return this.live.run(live, () => fn(live));
    return this.live.acquire(callId, () => this.repo.rowById(callId)).then((loaded) => (loaded ? this.live.run(loaded, () => fn(loaded)) : missing()));
  }

  /** Runs the hooks, submits the unit, waits for its commit, then runs the hooks' effects. */
  private async commit(t: CallTransition, own: Write[]): Promise<void> {
    const tx = new StagedWrites(this.store.db);
    tx.writes.push(...own);
    for (const h of this.hooks) await h(t, tx);
    await this.store.writer.submit({ writes: tx.writes });
    tx.committed();
  }
}
