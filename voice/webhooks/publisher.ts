// Queues an event for delivery by writing it to the outbox, inside the caller's
// transaction when given one: a call-state change and its event are committed
// together, or neither is. Publishing never talks to the receiver, so it costs a
// call one row insert and nothing more.
import type { Logger } from 'pino';
import type { Executor, Store } from '../../store/index.js';
import { DEFAULT_RETRY_POLICY } from './backoff.js';
import { eventBody } from './event.js';
import { WebhookOutbox, type DeliveryRow } from './outbox.js';

export interface PublishInput {
  /** e.g. "call.ringing" */
  type: string;
  /** The event's `data`: the resource as the API shows it. */
  data: unknown;
  /** The number's route webhook_url, when the event concerns a number that has one; else the tenant's URL is used. */
  url?: string | null;
}

export interface PublisherOptions {
  store: Store;
  logger?: Logger;
  /** Called after a row is queued (the dispatcher's wake). */
  onQueued?: () => void;
  /** How long after queueing attempts may still start. */
  maxAgeMs?: number;
  now?: () => Date;
}

export class WebhookPublisher {
  private readonly outbox: WebhookOutbox;
  private readonly now: () => Date;

  constructor(private readonly opts: PublisherOptions) {
    this.outbox = new WebhookOutbox(opts.store);
    this.now = opts.now ?? (() => new Date());
  }

  /** Queues the event; undefined (nothing queued) when neither the route nor the tenant has a URL. */
  async publish(tenantId: string, input: PublishInput, trx?: Executor): Promise<DeliveryRow | undefined> {
    const row = await this.prepare(tenantId, input, trx);
    if (!row) return undefined;
    await this.outbox.insertRow(row, trx);
    // Inside a transaction the dispatcher's query waits for the commit (one SQLite
    // connection), so waking it now still finds the row.
    this.queued();
    return row;
  }

  /**
   * The outbox row of the event, not written: for a caller that commits it with its own
   * writes (a call's status change, through the group commit) and calls `queued()` once
   * that is committed. Undefined when neither the route nor the tenant has a URL.
   */
  async prepare(tenantId: string, input: PublishInput, db: Executor = this.opts.store.db): Promise<DeliveryRow | undefined> {
    let url = input.url ?? null;
    if (!url) {
      const t = await db.selectFrom('tenants').select('webhook_url').where('id', '=', tenantId).executeTakeFirst();
      url = t?.webhook_url ?? null;
    }
    if (!url) return undefined;
    if (!URL.canParse(url)) {
      // Stored URLs are validated on the way in; one that is not is skipped, not thrown into a call.
      this.opts.logger?.warn({ tenant: tenantId, type: input.type }, 'webhook URL is not a URL; event not queued');
      return undefined;
    }
    const createdAt = this.now();
    const eventId = this.opts.store.newId('evt');
    return this.outbox.newRow({
      tenantId,
      eventId,
      eventType: input.type,
      url,
      payload: eventBody(eventId, input.type, createdAt, tenantId, input.data),
      createdAt,
      giveUpAt: new Date(createdAt.getTime() + (this.opts.maxAgeMs ?? DEFAULT_RETRY_POLICY.maxAgeMs)),
    });
  }

  /** A row is committed: the dispatcher looks for work. */
  queued(): void {
    this.opts.onQueued?.();
  }
}
