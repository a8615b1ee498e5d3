// Call rows and their timeline in SQL, and the mapping between rows and CallRecord.
// Every read a tenant can reach is filtered by tenant first; the by-id reads without a
// tenant are for the B2BUA, which holds the ids of its own calls.
import type { Page, PageRequest } from '../../store/index.js';
import type { Executor } from '../../store/index.js';
import type { CallEventsTable, CallsTable } from '../../store/schema.js';
import { afterCursor, toPage } from '../../store/pagination.js';
import { LIVE_STATUSES, type CallStatus, type HangupSide } from './call-status.js';

export type CallDirection = 'inbound' | 'outbound';

/** RTP quality over the call (worst direction), from the media plane. */
export interface CallQuality {
  mos: number;
  jitter_ms: number;
  loss_pct: number;
  rtt_ms: number | null;
  one_way_audio: boolean;
}

export interface CallRecord {
  id: string;
  tenantId: string;
  direction: CallDirection;
  from: string;
  to: string;
  status: CallStatus;
  agentId: string | null;
  queueId: string | null;
  campaignId: string | null;
  metadata: Record<string, unknown>;
  record: boolean;
  amd: boolean;
  amdResult: string | null;
  trunkId: string | null;
  callerExtensionId: string | null;
  calleeExtensionId: string | null;
  sipCallId: string | null;
  peerSipCallId: string | null;
  createdAt: string;
  updatedAt: string;
  ringingAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  /** Talk time in whole seconds, set when the call ends (0 when never answered). */
  durationSeconds: number | null;
  hangupCause: string | null;
  hangupSide: HangupSide | null;
  sipFinalStatus: number | null;
  quality: CallQuality | null;
  recordingId: string | null;
}

export interface CallEventRecord {
  callId: string;
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface CallFilter {
  status?: CallStatus | undefined;
  to?: string | undefined;
  from?: string | undefined;
}

export function toCall(r: CallsTable): CallRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    direction: r.direction as CallDirection,
    from: r.from_number,
    to: r.to_number,
    status: r.status as CallStatus,
    agentId: r.agent_id,
    queueId: r.queue_id,
    campaignId: r.campaign_id,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    record: r.record === 1,
    amd: r.amd === 1,
    amdResult: r.amd_result,
    trunkId: r.trunk_id,
    callerExtensionId: r.caller_extension_id,
    calleeExtensionId: r.callee_extension_id,
    sipCallId: r.sip_call_id,
    peerSipCallId: r.peer_sip_call_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ringingAt: r.ringing_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    durationSeconds: r.duration_seconds,
    hangupCause: r.hangup_cause,
    hangupSide: r.hangup_side as HangupSide | null,
    sipFinalStatus: r.sip_final_status,
    quality: r.quality === null ? null : (JSON.parse(r.quality) as CallQuality),
    recordingId: r.recording_id,
  };
}

function toEvent(r: CallEventsTable): CallEventRecord {
  return { callId: r.call_id, seq: r.seq, type: r.type, at: r.at, data: JSON.parse(r.data) as Record<string, unknown> };
}

export class CallRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: CallsTable, trx?: Executor): Promise<void> {
    await (trx ?? this.db).insertInto('calls').values(row).execute();
  }

  /** The row as stored (CallRecords keeps it in memory while it writes the call). */
  async rowById(id: string): Promise<CallsTable | undefined> {
    return this.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byId(id: string, trx?: Executor): Promise<CallRecord | undefined> {
    const r = await (trx ?? this.db).selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toCall(r);
  }

  async get(tenantId: string, id: string): Promise<CallRecord | undefined> {
    const r = await this.db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toCall(r);
  }

  async bySipCallId(sipCallId: string): Promise<CallRecord | undefined> {
    const r = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('sip_call_id', '=', sipCallId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toCall(r);
  }

  /** Newest first, keyset-paged; each filter is an exact match on an indexed column. */
  async list(tenantId: string, page: PageRequest, f: CallFilter = {}): Promise<Page<CallRecord>> {
    let q = this.db.selectFrom('calls').selectAll().where('tenant_id', '=', tenantId);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.to !== undefined) q = q.where('to_number', '=', f.to);
    if (f.from !== undefined) q = q.where('from_number', '=', f.from);
    const after = afterCursor(page.cursor);
    if (after) q = q.where(after);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    const p = toPage(rows, page.limit);
    return { ...p, items: p.items.map(toCall) };
  }

  /** The tenant's calls that have not ended, oldest first, at most `limit`. */
  async live(tenantId: string, limit: number): Promise<CallRecord[]> {
    const rows = await this.db
      .selectFrom('calls')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', [...LIVE_STATUSES])
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toCall);
  }

  async countLive(tenantId: string): Promise<number> {
    const r = await this.db
      .selectFrom('calls')
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', [...LIVE_STATUSES])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Ids of live calls of every tenant (at start, these are left over from a previous process). */
  async allLiveIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('calls').select('id').where('status', 'in', [...LIVE_STATUSES]).execute();
    return rows.map((r) => r.id);
  }

  async update(id: string, set: Partial<Omit<CallsTable, 'id' | 'tenant_id' | 'created_at'>>, trx?: Executor): Promise<void> {
    await (trx ?? this.db).updateTable('calls').set(set).where('id', '=', id).execute();
  }

  /** Appends to the call's timeline with the next sequence number. Call inside the write's transaction. */
  async appendEvent(trx: Executor, callId: string, type: string, at: string, data: Record<string, unknown>): Promise<number> {
    const last = await trx
      .selectFrom('call_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('call_id', '=', callId)
      .executeTakeFirst();
    const seq = last?.seq === null || last?.seq === undefined ? 0 : Number(last.seq) + 1;
    await trx.insertInto('call_events').values({ call_id: callId, seq, type, at, data: JSON.stringify(data) }).execute();
    return seq;
  }

  async events(callId: string): Promise<CallEventRecord[]> {
    const rows = await this.db.selectFrom('call_events').selectAll().where('call_id', '=', callId).orderBy('seq', 'asc').execute();
    return rows.map(toEvent);
  }
}
