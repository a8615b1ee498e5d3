// Per-tenant request limits as token buckets: a bucket holds up to `perMinute`
// tokens and refills continuously at perMinute/60 s. In-memory per node; a
// cluster shares them through Redis behind the same interface.

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until one token is available again (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string, perMinute: number): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBucketLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  take(key: string, perMinute: number): RateDecision {
    const now = this.nowMs();
    this.sweep(now);
    const perMs = perMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: perMinute, updatedMs: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(perMinute, b.tokens + (now - b.updatedMs) * perMs);
      b.updatedMs = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, limit: perMinute, remaining: Math.floor(b.tokens), retryAfterSeconds: 0 };
    }
    return {
      allowed: false,
      limit: perMinute,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
    };
  }

  /** Drops buckets idle for over a minute: they would be full again anyway. */
  private sweep(now: number): void {
    if (now - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = now;
    for (const [k, b] of this.buckets) if (now - b.updatedMs > 60_000) this.buckets.delete(k);
  }
}
