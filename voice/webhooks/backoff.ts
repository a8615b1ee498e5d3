// When a failed delivery is tried again, and when it is given up. Exponential
// (5 s, 15 s, 45 s... by default) with ±20 % jitter, so that many deliveries that
// failed together (a receiver restarting) do not all come back in the same second.

export interface RetryPolicy {
  /** Delay after the first failed attempt (SWITCHBOARD_WEBHOOK_RETRY_BASE_MS). */
  baseMs: number;
  /** Each further delay is this many times the previous one. */
  factor: number;
  maxDelayMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** No attempt is scheduled later than this after the event was queued (or re-queued). */
  maxAgeMs: number;
  /** Relative spread of each delay: 0.2 = ±20 %. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 5_000,
  factor: 3,
  maxDelayMs: 3600_000,
  maxAttempts: 10,
  maxAgeMs: 24 * 3600_000,
  jitter: 0.2,
};

/** Milliseconds to wait after `failedAttempts` (≥ 1) failures. `random` is in [0, 1). */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const raw = policy.baseMs * policy.factor ** Math.max(0, failedAttempts - 1);
  const capped = Math.min(raw, policy.maxDelayMs);
  const spread = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(Math.min(capped * spread, policy.maxDelayMs));
}

export type AfterFailure = { retryAt: Date } | { giveUp: true };

/** The next attempt after a failure, or giving up when attempts or time are used up. */
export function afterFailure(
  attempts: number,
  now: Date,
  giveUpAt: Date,
  policy: RetryPolicy,
  random: () => number,
): AfterFailure {
  if (attempts >= policy.maxAttempts) return { giveUp: true };
  const at = new Date(now.getTime() + retryDelayMs(attempts, policy, random));
  return at.getTime() > giveUpAt.getTime() ? { giveUp: true } : { retryAt: at };
}
