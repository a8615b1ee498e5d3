// Callbacks an IVR caller asked for (offerCallback): stored at once (a crash or a restart
// does not lose them), placed once the call they were asked on has ended and a short delay
// has passed, through the same path as POST /calls (the tenant's trunk, its limits and
// records; with an agent, the agent is rung first, then the caller).
import type { Store } from '../../store/index.js';
import type { CallbacksTable } from '../../store/schema.js';
import type { CallRecord } from '../calls/call-repository.js';
import type { PlaceCallRequest } from '../calls/call-control.js';

export interface CallbackRequest {
  tenantId: string;
  /** The caller's number: who is called back. */
  to: string;
  /** The tenant's number they called: what they see calling. */
  from: string;
  agentId: string | null;
  ivrFlowId: string | null;
  originCallId: string;
}

export interface CallbacksOptions {
  store: Store;
  place: (req: PlaceCallRequest) => Promise<CallRecord>;
  /** Whether a call is still up in this process (its callback waits for it to end). */
  callUp: (callId: string) => boolean;
  /** How long after the request a callback is placed at the earliest (default 5 s). */
  delayMs?: number;
  /** How often due callbacks are looked for (default 1 s). */
  pollMs?: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** Callbacks placed per poll at most, so a backlog is worked through without a burst. */
const PER_POLL = 10;

export class Callbacks {
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;

  constructor(private readonly o: CallbacksOptions) {}

  /** Stores a request; returns its id. */
  async request(r: CallbackRequest): Promise<string> {
    const { store } = this.o;
    const now = store.now();
    const row: CallbacksTable = {
      id: store.newId('cb'),
      tenant_id: r.tenantId,
      to_number: r.to,
      from_number: r.from,
      agent_id: r.agentId,
      // Queues have no runtime yet: a flow is never entered from one, so there is no place to keep.
      queue_id: null,
      queue_position: null,
      ivr_flow_id: r.ivrFlowId,
      origin_call_id: r.originCallId,
      status: 'pending',
      not_before: new Date(now.getTime() + (this.o.delayMs ?? 5000)).toISOString(),
      placed_call_id: null,
      error: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await store.db.insertInto('callbacks').values(row).execute();
    return row.id;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Places what is due; exposed for tests and for a poll right after a call ends. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { store } = this.o;
      const due = await store.db
        .selectFrom('callbacks')
        .selectAll()
        .where('status', '=', 'pending')
        .where('not_before', '<=', store.now().toISOString())
        .orderBy('not_before')
        .limit(PER_POLL)
        .execute();
      for (const cb of due) {
        if (cb.origin_call_id && this.o.callUp(cb.origin_call_id)) continue;
        await this.place(cb);
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'callback poll failed');
    } finally {
      this.busy = false;
    }
  }

  private async place(cb: CallbacksTable): Promise<void> {
    const { store } = this.o;
    let patch: Partial<CallbacksTable>;
    try {
      const call = await this.o.place({
        tenantId: cb.tenant_id,
        to: cb.to_number,
        from: cb.from_number,
        direction: 'outbound',
        ...(cb.agent_id ? { agentId: cb.agent_id } : {}),
        record: false,
        amd: false,
        metadata: { callback_id: cb.id, ...(cb.origin_call_id ? { callback_for_call_id: cb.origin_call_id } : {}) },
      });
      patch = { status: 'placed', placed_call_id: call.id };
      this.o.log.info({ callback: cb.id, call: call.id }, 'callback placed');
    } catch (err) {
      patch = { status: 'failed', error: (err as Error).message.slice(0, 500) };
      this.o.log.warn({ callback: cb.id, err: (err as Error).message }, 'callback could not be placed');
    }
    await store.db
      .updateTable('callbacks')
      .set({ ...patch, updated_at: store.now().toISOString() })
      .where('id', '=', cb.id)
      .execute();
  }
}
