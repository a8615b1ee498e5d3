// The delivery loop. It claims due outbox rows a few at a time and POSTs them, each
// attempt bounded by a timeout, with at most `concurrency` requests in flight in the
// process and `perHost` per receiver (host:port). Everything is asynchronous and
// bounded, so a slow or dead receiver only ever holds its own two slots: other
// receivers, the API and calls carry on. The loop wakes when an event is queued, when
// a slot frees up and when the next retry falls due, and polls as a safety net for
// rows written by another process.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import { afterFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { WebhookOutbox, type AttemptOutcome, type DeliveryRow } from './outbox.js';
import { WebhookSecrets } from './secrets.js';
import type { Sender, SendResult } from './sender.js';
import { signatureHeader } from './signature.js';

export interface DispatcherOptions {
  store: Store;
  logger: Logger;
  send: Sender;
  secrets?: WebhookSecrets;
  retry?: Partial<RetryPolicy>;
  /** Per attempt; only to size the claim lease here (the sender enforces it). */
  timeoutMs?: number;
  concurrency?: number;
  perHost?: number;
  /** Longest sleep between looks at the outbox. */
  pollMs?: number;
  now?: () => Date;
  random?: () => number;
}

export const DISPATCH_DEFAULTS = { timeoutMs: 5_000, concurrency: 8, perHost: 2, pollMs: 1_000 } as const;

export class WebhookDispatcher {
  readonly outbox: WebhookOutbox;
  readonly policy: RetryPolicy;
  private readonly secrets: WebhookSecrets;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly perHost: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly inFlight = new Map<string, { host: string; abort: AbortController; done: Promise<void> }>();
  private readonly hostLoad = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  /** The loop schedules itself (start() was called, stop() was not). */
  private running = false;
  private stopped = false;
  private currentTick: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: DispatcherOptions) {
    this.outbox = new WebhookOutbox(opts.store);
    this.secrets = opts.secrets ?? new WebhookSecrets(opts.store);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? (() => randomBytes(4).readUInt32BE() / 2 ** 32);
    this.log = opts.logger.child({ component: 'webhooks' });
    this.concurrency = opts.concurrency ?? DISPATCH_DEFAULTS.concurrency;
    this.perHost = opts.perHost ?? DISPATCH_DEFAULTS.perHost;
    this.pollMs = opts.pollMs ?? DISPATCH_DEFAULTS.pollMs;
    // Well past the attempt's own deadline: a claim lapses only if its process died.
    this.leaseMs = (opts.timeoutMs ?? DISPATCH_DEFAULTS.timeoutMs) + 60_000;
  }

  /** Releases claims a previous run left behind, then starts the loop. */
  async start(): Promise<void> {
    const recovered = await this.outbox.recoverInterrupted(this.now());
    if (recovered > 0) this.log.info({ recovered }, 'webhook deliveries interrupted by a stop are due again');
    this.running = true;
    this.wake();
  }

  /** Look at the outbox now (an event was queued or re-queued). */
  wake(): void {
    this.schedule(0);
  }

  /** Stops claiming, cancels attempts in flight (they stay due for the next start) and waits for their bookkeeping. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.timer);
    // A look at the outbox under way finishes first: what it claims is handed back, not sent.
    await this.currentTick;
    for (const f of this.inFlight.values()) f.abort.abort();
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  /** Resolves when nothing is in flight and no look at the outbox is under way (tests). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0 && !this.ticking) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** One look at the outbox, exposed for tests that drive the clock themselves. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.tickAgain = true;
      return this.currentTick ?? Promise.resolve();
    }
    this.ticking = true;
    this.currentTick = this.look();
    return this.currentTick;
  }

  private async look(): Promise<void> {
    let next = this.pollMs;
    try {
      do {
        this.tickAgain = false;
        const slots = this.concurrency - this.inFlight.size;
        if (slots <= 0) break;
        const now = this.now();
        const claimed = await this.outbox.claimDue({
          now,
          slots,
          hostLoad: this.hostLoad,
          perHost: this.perHost,
          leaseMs: this.leaseMs,
        });
        if (this.stopped) {
          for (const row of claimed) await this.outbox.record(row, { kind: 'interrupted' }, now);
          break;
        }
        for (const row of claimed) this.launch(row);
        const due = await this.outbox.nextDueAfter(now);
        if (due) next = Math.min(next, Math.max(0, due.getTime() - this.now().getTime()));
      } while (this.tickAgain && !this.stopped);
    } catch (err) {
      this.log.error({ err }, 'webhook outbox could not be read');
    } finally {
      this.ticking = false;
      this.schedule(next);
      this.settle();
    }
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.ticking) {
      if (ms === 0) this.tickAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private launch(row: DeliveryRow): void {
    const abort = new AbortController();
    this.hostLoad.set(row.url_host, (this.hostLoad.get(row.url_host) ?? 0) + 1);
    const done = this.deliver(row, abort.signal)
      .catch((err: unknown) => this.log.error({ err, delivery: row.id, tenant: row.tenant_id }, 'webhook delivery bookkeeping failed'))
      .finally(() => {
        this.inFlight.delete(row.id);
        const n = (this.hostLoad.get(row.url_host) ?? 1) - 1;
        if (n > 0) this.hostLoad.set(row.url_host, n);
        else this.hostLoad.delete(row.url_host);
        this.wake();
        this.settle();
      });
    this.inFlight.set(row.id, { host: row.url_host, abort, done });
  }

  private async deliver(row: DeliveryRow, signal: AbortSignal): Promise<void> {
    const secret = await this.secrets.get(row.tenant_id);
    let result: SendResult;
    if (secret === undefined) {
      result = { ok: false, statusCode: null, error: 'tenant no longer exists' };
    } else {
      // Signed at send time: a rotated secret signs everything sent after the rotation.
      const timestamp = Math.floor(this.now().getTime() / 1000);
      result = await this.opts.send({
        url: row.url,
        body: row.payload,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Switchboard-Webhooks/1',
          'Switchboard-Event-Id': row.event_id,
          'Switchboard-Delivery-Id': row.id,
          'Switchboard-Timestamp': String(timestamp),
          'Switchboard-Signature': signatureHeader(secret, timestamp, row.payload),
        },
        signal,
      });
    }
    const now = this.now();
    const outcome = signal.aborted && !result.ok ? ({ kind: 'interrupted' } as const) : this.outcome(row, result, now);
    await this.outbox.record(row, outcome, now);
    this.logOutcome(row, outcome);
  }

  private outcome(row: DeliveryRow, r: SendResult, now: Date): AttemptOutcome {
    if (r.ok) return { kind: 'delivered', statusCode: r.statusCode ?? 200 };
    const error = r.error ?? 'failed';
    const next = afterFailure(row.attempts, now, new Date(row.give_up_at), this.policy, this.random);
    return 'retryAt' in next
      ? { kind: 'retry', at: next.retryAt, statusCode: r.statusCode, error }
      : { kind: 'failed', statusCode: r.statusCode, error };
  }

  private logOutcome(row: DeliveryRow, o: AttemptOutcome): void {
    const ctx = { delivery: row.id, tenant: row.tenant_id, event: row.event_type, attempt: row.attempts };
    if (o.kind === 'delivered') this.log.debug({ ...ctx, status: o.statusCode }, 'webhook delivered');
    else if (o.kind === 'retry') this.log.info({ ...ctx, error: o.error, retry_at: o.at.toISOString() }, 'webhook attempt failed');
    else if (o.kind === 'failed') this.log.warn({ ...ctx, error: o.error }, 'webhook delivery given up');
  }

  private settle(): void {
    if (this.inFlight.size > 0 || this.ticking) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
