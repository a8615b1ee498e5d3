// CallRecords: the one writer of call rows. Each status change is one transaction on
// the store's synchronous=FULL connection that updates the row, appends the timeline
// event and runs the transition hooks (webhook outbox rows), so a crash can never leave
// a call that says "completed" without its event, or an event for a change that did not
// commit.
import type { Transaction } from 'kysely';
import type { Page, PageRequest, Store } from '../../store/index.js';
import type { CallsTable, Database } from '../../store/schema.js';
import { CallRepository, type CallDirection, type CallEventRecord, type CallFilter, type CallQuality, type CallRecord } from './call-repository.js';
import type { CallStatus, HangupSide } from './call-status.js';
import { nextStatus, type CallInput } from './call-state.js';

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
}

export interface CallTransition {
  call: CallRecord;
  /** null for the creation of the call (to = initiating). */
  from: CallStatus | null;
  to: CallStatus;
  at: string;
  /** Sequence number of the timeline event written with it. */
  seq: number;
}

/** Runs inside the transition's transaction: whatever it writes with `trx` commits with it, or not at all. */
export type TransitionHook = (t: CallTransition, trx: Transaction<Database>) => Promise<void> | void;

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

export class CallRecords {
  readonly repo: CallRepository;
  private readonly hooks: TransitionHook[] = [];

  constructor(private readonly store: Pick<Store, 'db' | 'newId' | 'now'>) {
    this.repo = new CallRepository(store.db);
  }

  /** Adds a hook run inside every status change's transaction (creation included). */
  onTransition(hook: TransitionHook): void {
    this.hooks.push(hook);
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
    return this.store.db.transaction().execute(async (trx) => {
      await this.repo.insert(row, trx);
      const seq = await this.repo.appendEvent(trx, row.id, 'initiating', at, { direction: c.direction, from: c.from, to: c.to });
      const call = (await this.repo.byId(row.id, trx))!;
      await this.runHooks({ call, from: null, to: 'initiating', at, seq }, trx);
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
    return this.store.db.transaction().execute(async (trx) => {
      const cur = await this.repo.byId(callId, trx);
      if (!cur) throw new Error(`no call ${callId}`);
      const step = nextStatus(cur.status, input);
      if (!step.changed) return { call: cur, changed: false };
      const at = (d.at ?? this.store.now()).toISOString();
      const set: Partial<CallsTable> = { status: step.to, updated_at: at };
      if (event === 'ring') set.ringing_at = at;
      else if (event === 'answer') {
        set.answered_at = at;
        set.sip_final_status = d.sipStatus ?? 200;
      } else {
        set.ended_at = at;
        set.duration_seconds = talkSeconds(cur.answeredAt, at);
        set.hangup_cause = d.cause ?? step.cause ?? null;
        set.hangup_side = d.side ?? DEFAULT_SIDE[event] ?? null;
        if (event === 'reject') set.sip_final_status = d.sipStatus!;
        else if (event === 'cancel' || event === 'ring_timeout') set.sip_final_status = d.sipStatus ?? 487;
        else if (d.sipStatus !== undefined) set.sip_final_status = d.sipStatus;
      }
      await this.repo.update(callId, set, trx);
      const data: Record<string, unknown> = { from: cur.status };
      if (d.sipStatus !== undefined) data.sip_status = d.sipStatus;
      if (set.hangup_cause) data.cause = set.hangup_cause;
      if (set.hangup_side) data.side = set.hangup_side;
      const seq = await this.repo.appendEvent(trx, callId, step.to, at, data);
      const call = (await this.repo.byId(callId, trx))!;
      await this.runHooks({ call, from: cur.status, to: step.to, at, seq }, trx);
      return { call, changed: true };
    });
  }

  /** Adds a timeline entry that is not a status change (hold, mute, transfer, dtmf...). */
  async note(callId: string, type: string, data: Record<string, unknown> = {}, at: Date = this.store.now()): Promise<number> {
    return this.store.db.transaction().execute((trx) => this.repo.appendEvent(trx, callId, type, at.toISOString(), data));
  }

  /** Changes descriptive columns (who is on the call, quality, AMD result...), never the status. */
  async update(callId: string, p: CallPatch): Promise<CallRecord | undefined> {
    const set: Partial<CallsTable> = { updated_at: this.store.now().toISOString() };
    if (p.agentId !== undefined) set.agent_id = p.agentId;
    if (p.queueId !== undefined) set.queue_id = p.queueId;
    if (p.trunkId !== undefined) set.trunk_id = p.trunkId;
    if (p.callerExtensionId !== undefined) set.caller_extension_id = p.callerExtensionId;
    if (p.calleeExtensionId !== undefined) set.callee_extension_id = p.calleeExtensionId;
    if (p.sipCallId !== undefined) set.sip_call_id = p.sipCallId;
    if (p.peerSipCallId !== undefined) set.peer_sip_call_id = p.peerSipCallId;
    if (p.amdResult !== undefined) set.amd_result = p.amdResult;
    if (p.quality !== undefined) set.quality = p.quality === null ? null : JSON.stringify(p.quality);
    await this.repo.update(callId, set);
    return this.repo.byId(callId);
  }

  /**
   * Ends the calls a previous process left live (a crash or a kill): no such call can
   * still be up. Answered ones complete, the others fail; side system, cause server_restart.
   */
  async closeLeftovers(at: Date = this.store.now()): Promise<number> {
    let n = 0;
    for (const id of await this.repo.allLiveIds()) {
      const call = await this.repo.byId(id);
      if (!call) continue;
      const event: CallEventName = call.status === 'in_progress' ? 'hangup' : 'fail';
      await this.transition(id, event, { at, side: 'system', cause: 'server_restart' });
      n++;
    }
    return n;
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

  private async runHooks(t: CallTransition, trx: Transaction<Database>): Promise<void> {
    for (const h of this.hooks) await h(t, trx);
  }
}
