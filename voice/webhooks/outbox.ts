// The durable outbox: one row per (event, URL) to deliver. Rows move
// pending -> delivering -> delivered | pending (retry) | failed. A claim sets
// `delivering` and pushes next_attempt_at to when the claim lapses, so a row whose
// process died mid-attempt becomes claimable again by itself; a restarting server
// also releases its own claims at once (recoverInterrupted).
import type { Executor, Page, PageRequest, Store } from '../../store/index.js';
import type { WebhookOutboxTable } from '../../store/schema.js';
import { afterCursor, toPage } from '../../store/pagination.js';

export type DeliveryRow = WebhookOutboxTable;

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface ClaimRequest {
  now: Date;
  /** Rows to claim at most (free delivery slots of the process). */
  slots: number;
  /** Deliveries in flight per url_host in this process. */
  hostLoad: ReadonlyMap<string, number>;
  perHost: number;
  /** How long a claim holds before the row may be claimed again. */
  leaseMs: number;
  /** Candidates read per query. */
  window?: number;
}

/** What one attempt came to. */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  | { kind: 'retry'; at: Date; statusCode: number | null; error: string }
  | { kind: 'failed'; statusCode: number | null; error: string }
  /** The server stopped mid-attempt: not counted, due again at once. */
  | { kind: 'interrupted' };

export interface NewDelivery {
  tenantId: string;
  eventId: string;
  eventType: string;
  url: string;
  payload: string;
  createdAt: Date;
  giveUpAt: Date;
}

/** host:port of a URL, the unit of the per-receiver in-flight limit. */
export function urlHost(url: string): string {
  return new URL(url).host.toLowerCase();
}

export class WebhookOutbox {
  constructor(private readonly store: Store) {}

  async insert(d: NewDelivery, trx?: Executor): Promise<DeliveryRow> {
    return this.insertRow(this.newRow(d), trx);
  }

  async insertRow(row: DeliveryRow, trx?: Executor): Promise<DeliveryRow> {
    await (trx ?? this.store.db).insertInto('webhook_outbox').values(row).execute();
    return row;
  }

  /** The row `insert` writes, for a caller that commits it with other writes (a call's status change). */
  newRow(d: NewDelivery): DeliveryRow {
    return {
      id: this.store.newId('whd'),
      tenant_id: d.tenantId,
      event_id: d.eventId,
      event_type: d.eventType,
      url: d.url,
      url_host: urlHost(d.url),
      payload: d.payload,
      status: 'pending',
      attempts: 0,
      next_attempt_at: d.createdAt.toISOString(),
      give_up_at: d.giveUpAt.toISOString(),
      last_status_code: null,
      last_error: null,
      last_attempt_at: null,
      created_at: d.createdAt.toISOString(),
      delivered_at: null,
    };
  }

  /**
   * Claims due rows (pending, or delivering with a lapsed claim), oldest due first,
   * never more than `perHost` in flight per host counting those already running, so
   * one slow receiver cannot take every slot. Hosts already at their limit are left
   * out in SQL, so a backlog for one receiver does not hide other receivers' rows.
   */
  async claimDue(req: ClaimRequest): Promise<DeliveryRow[]> {
    const now = req.now.toISOString();
    const window = req.window ?? 50;
    const load = new Map(req.hostLoad);
    const picked: DeliveryRow[] = [];
    for (let round = 0; round < 4 && picked.length < req.slots; round++) {
      const full = [...load].filter(([, n]) => n >= req.perHost).map(([h]) => h);
      let q = this.store.db
        .selectFrom('webhook_outbox')
        .selectAll()
        .where('status', 'in', ['pending', 'delivering'])
        .where('next_attempt_at', '<=', now);
      if (full.length > 0) q = q.where('url_host', 'not in', full);
      if (picked.length > 0) q = q.where('id', 'not in', picked.map((r) => r.id));
      const rows = await q.orderBy('next_attempt_at').orderBy('id').limit(window).execute();
      for (const r of rows) {
        if (picked.length >= req.slots) break;
        const n = load.get(r.url_host) ?? 0;
        if (n >= req.perHost) continue;
        load.set(r.url_host, n + 1);
        picked.push(r);
      }
      if (rows.length < window) break;
    }
    if (picked.length === 0) return [];

    const lease = new Date(req.now.getTime() + req.leaseMs).toISOString();
    // One transaction: one commit (one fsync) for the batch. Each update is
    // conditional on the row being as read, so a row claimed meanwhile is skipped.
    return this.store.db.transaction().execute(async (trx) => {
      const claimed: DeliveryRow[] = [];
      for (const r of picked) {
        const res = await trx
          .updateTable('webhook_outbox')
          .set({ status: 'delivering', attempts: r.attempts + 1, last_attempt_at: now, next_attempt_at: lease })
          .where('id', '=', r.id)
          .where('status', '=', r.status)
          .where('attempts', '=', r.attempts)
          .where('next_attempt_at', '=', r.next_attempt_at)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) {
          claimed.push({ ...r, status: 'delivering', attempts: r.attempts + 1, last_attempt_at: now, next_attempt_at: lease });
        }
      }
      return claimed;
    });
  }

  /** Records the outcome of the attempt made under `claimed`; false if the claim was lost meanwhile. */
  async record(claimed: DeliveryRow, outcome: AttemptOutcome, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const set: Partial<DeliveryRow> =
      outcome.kind === 'delivered'
        ? { status: 'delivered', delivered_at: at, next_attempt_at: null, last_status_code: outcome.statusCode, last_error: null }
        : outcome.kind === 'retry'
          ? {
              status: 'pending',
              next_attempt_at: outcome.at.toISOString(),
              last_status_code: outcome.statusCode,
              last_error: outcome.error,
            }
          : outcome.kind === 'failed'
            ? { status: 'failed', next_attempt_at: null, last_status_code: outcome.statusCode, last_error: outcome.error }
            : { status: 'pending', next_attempt_at: at, attempts: claimed.attempts - 1 };
    const res = await this.store.db
      .updateTable('webhook_outbox')
      .set(set)
      .where('id', '=', claimed.id)
      .where('status', '=', 'delivering')
      .where('attempts', '=', claimed.attempts)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * At start: rows this data directory's server was delivering when it stopped or
   * crashed are due again now. (One server per data directory, so none of them is
   * still in flight.)
   */
  async recoverInterrupted(now: Date): Promise<number> {
    const res = await this.store.db
      .updateTable('webhook_outbox')
      .set({ status: 'pending', next_attempt_at: now.toISOString() })
      .where('status', '=', 'delivering')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** The earliest pending attempt due after `now`, to time the next poll. */
  async nextDueAfter(now: Date): Promise<Date | undefined> {
    const r = await this.store.db
      .selectFrom('webhook_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', 'in', ['pending', 'delivering'])
      .where('next_attempt_at', '>', now.toISOString())
      .executeTakeFirst();
    return r?.at ? new Date(r.at) : undefined;
  }

  async get(tenantId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.store.db
      .selectFrom('webhook_outbox')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The tenant's deliveries, newest first. */
  async list(
    tenantId: string,
    page: PageRequest,
    filter: { status?: DeliveryStatus | undefined; eventType?: string | undefined } = {},
  ): Promise<Page<DeliveryRow>> {
    let q = this.store.db.selectFrom('webhook_outbox').selectAll().where('tenant_id', '=', tenantId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.eventType) q = q.where('event_type', '=', filter.eventType);
    const after = afterCursor(page.cursor);
    if (after) q = q.where(after);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return toPage(rows, page.limit);
  }

  /** A failed delivery starts over: due now, attempts from zero, a new time window. */
  async requeue(tenantId: string, id: string, now: Date, giveUpAt: Date): Promise<DeliveryRow | undefined> {
    const res = await this.store.db
      .updateTable('webhook_outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), give_up_at: giveUpAt.toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? this.get(tenantId, id) : undefined;
  }
}
