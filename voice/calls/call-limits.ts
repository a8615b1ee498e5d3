// Admission of new calls per tenant: at most `maxConcurrentCalls` up at once, and a
// token bucket of `maxCallsPerSecond` (refilled continuously, holding one second's
// worth, so a burst of that size passes and a steady rate above it does not). The B2BUA
// asks before it accepts an INVITE or places a call and answers 503 with Retry-After
// (the API 429) when refused. Counts live in this process: calls do not outlive it.
import type { CallLimitValues } from './call-limit-settings.js';

export type LimitName = 'max_concurrent_calls' | 'max_calls_per_second';

export type Admission =
  /** Admitted: call release() once when the call ends (further calls do nothing). */
  | { ok: true; release: () => void }
  | { ok: false; limit: LimitName; retryAfterSeconds: number };

export interface CallLimitsOptions {
  /** Milliseconds, monotonic enough for rates; injected in tests. */
  now?: () => number;
  /**
   * Retry-After when the concurrency limit refuses: no one knows when a call will end,
   * so this is a polite pause rather than a promise.
   */
  concurrencyRetryAfterSeconds?: number;
  /** Where the limits come from, for check(). */
  settings?: { get(tenantId: string): Promise<CallLimitValues> };
}

interface TenantState {
  active: number;
  tokens: number;
  refilledAt: number;
}

export class CallLimits {
  private readonly tenants = new Map<string, TenantState>();
  private readonly now: () => number;
  private readonly concurrencyRetryAfter: number;

  constructor(private readonly opts: CallLimitsOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.concurrencyRetryAfter = opts.concurrencyRetryAfterSeconds ?? 5;
  }

  /** admit() with the tenant's stored limits. */
  async check(tenantId: string): Promise<Admission> {
    if (!this.opts.settings) throw new Error('CallLimits was built without settings');
    return this.admit(tenantId, await this.opts.settings.get(tenantId));
  }

  admit(tenantId: string, limits: CallLimitValues): Admission {
    const now = this.now();
    const rate = limits.maxCallsPerSecond;
    let s = this.tenants.get(tenantId);
    if (!s) {
      s = { active: 0, tokens: rate, refilledAt: now };
      this.tenants.set(tenantId, s);
    }
    // Refill first; a lowered limit also caps what was saved up under the old one.
    s.tokens = Math.min(rate, s.tokens + (Math.max(0, now - s.refilledAt) / 1000) * rate);
    s.refilledAt = now;

    // Concurrency is checked before a token is spent: a refused call must not use up the rate.
    if (s.active >= limits.maxConcurrentCalls) {
      return { ok: false, limit: 'max_concurrent_calls', retryAfterSeconds: this.concurrencyRetryAfter };
    }
    if (s.tokens < 1) {
      return { ok: false, limit: 'max_calls_per_second', retryAfterSeconds: Math.max(1, Math.ceil((1 - s.tokens) / rate)) };
    }
    s.tokens -= 1;
    s.active += 1;
    const state = s;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        state.active = Math.max(0, state.active - 1);
      },
    };
  }

  /** Calls admitted and not yet released. */
  active(tenantId: string): number {
    return this.tenants.get(tenantId)?.active ?? 0;
  }
}
