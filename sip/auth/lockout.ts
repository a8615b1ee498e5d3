// Lockout with backoff after repeated authentication failures, per account
// (realm + username) and per source address (IPv6 by /64, see source-key.ts).
//
// A key that reaches `maxFailures` within `windowMs` is locked for a backoff that
// doubles with each new lockout (30 s, 60 s, 120 s ... capped at 1 h by default).
// While locked nothing is counted: the caller refuses without checking a password.
// The backoff level is forgotten after a success on the account, or once the key has
// been quiet (no failure, not locked) for `quietMs`.
//
// The RFCs leave rate limiting to implementations; RFC 7616's security considerations
// ("Online Dictionary Attacks") only note that digest, like any password scheme, can
// be guessed at online.
import { LruMap } from './lru-map.js';
import { sourceKey } from './source-key.js';

export interface LockoutThreshold {
  /** Failures that trigger a lockout... */
  maxFailures: number;
  /** ...when they fall within this many milliseconds of the first one. */
  windowMs: number;
}

export interface LockoutOptions {
  /** Default 5 failures in 10 minutes. */
  account: LockoutThreshold;
  /** Default 20 failures in 10 minutes. */
  address: LockoutThreshold;
  /** The first lockout's length. Default 30 s. */
  firstBackoffMs: number;
  /** Cap on the doubling. Default 1 h. */
  maxBackoffMs: number;
  /** A key with no failure and no lockout for this long starts over. Default 1 h. */
  quietMs: number;
  /** Records kept per table (accounts, addresses); least recently used go first. Default 100,000. */
  maxEntries: number;
}

export const DEFAULT_LOCKOUT: LockoutOptions = {
  account: { maxFailures: 5, windowMs: 10 * 60_000 },
  address: { maxFailures: 20, windowMs: 10 * 60_000 },
  firstBackoffMs: 30_000,
  maxBackoffMs: 60 * 60_000,
  quietMs: 60 * 60_000,
  maxEntries: 100_000,
};

export interface LockoutEvent {
  scope: 'account' | 'address';
  backoffMs: number;
  /** 1 for the first lockout, 2 for the second (twice as long)... */
  level: number;
}

interface FailureRecord {
  windowStart: number;
  failures: number;
  level: number;
  lockedUntil: number;
  lastFailure: number;
}

class LockoutTable {
  private readonly records: LruMap<string, FailureRecord>;

  constructor(
    private readonly threshold: LockoutThreshold,
    private readonly opts: LockoutOptions,
  ) {
    this.records = new LruMap(opts.maxEntries);
  }

  get size(): number {
    return this.records.size;
  }

  /** Milliseconds until `key` may try again; 0 when it is not locked. */
  lockedMs(key: string, now: number): number {
    const r = this.live(key, now);
    return r && r.lockedUntil > now ? r.lockedUntil - now : 0;
  }

  /** Counts a failure; returns the backoff when this failure starts a lockout. */
  fail(key: string, now: number): { backoffMs: number; level: number } | undefined {
    let r = this.live(key, now);
    if (!r) {
      r = { windowStart: now, failures: 0, level: 0, lockedUntil: 0, lastFailure: now };
      this.records.set(key, r);
    }
    // Requests that were already past the lock check when the lock began.
    if (r.lockedUntil > now) return undefined;
    if (now - r.windowStart > this.threshold.windowMs) {
      r.windowStart = now;
      r.failures = 0;
    }
    r.failures++;
    r.lastFailure = now;
    if (r.failures < this.threshold.maxFailures) return undefined;
    r.level++;
    const backoffMs = Math.min(this.opts.firstBackoffMs * 2 ** (r.level - 1), this.opts.maxBackoffMs);
    r.lockedUntil = now + backoffMs;
    // Counting starts over when the lockout ends.
    r.failures = 0;
    r.windowStart = r.lockedUntil;
    return { backoffMs, level: r.level };
  }

  clear(key: string): void {
    this.records.delete(key);
  }

  /** The record, unless the key has been quiet long enough to start over. */
  private live(key: string, now: number): FailureRecord | undefined {
    const r = this.records.get(key);
    if (r && now - Math.max(r.lastFailure, r.lockedUntil) >= this.opts.quietMs) {
      this.records.delete(key);
      return undefined;
    }
    return r;
  }
}

export class Lockout {
  readonly options: LockoutOptions;
  private readonly accounts: LockoutTable;
  private readonly addresses: LockoutTable;

  constructor(options: Partial<LockoutOptions> = {}) {
    this.options = { ...DEFAULT_LOCKOUT, ...options };
    this.accounts = new LockoutTable(this.options.account, this.options);
    this.addresses = new LockoutTable(this.options.address, this.options);
  }

  /** Milliseconds the source address is still locked for (0: not locked). */
  addressLockedMs(address: string, now: number): number {
    return this.addresses.lockedMs(sourceKey(address), now);
  }

  /** Milliseconds the account is still locked for; unknown accounts lock the same way. */
  accountLockedMs(realm: string, username: string, now: number): number {
    return this.accounts.lockedMs(accountKey(realm, username), now);
  }

  /** Counts one failed attempt against the account and the address; returns the lockouts it started. */
  recordFailure(realm: string, username: string, address: string, now: number): LockoutEvent[] {
    const events: LockoutEvent[] = [];
    const a = this.accounts.fail(accountKey(realm, username), now);
    if (a) events.push({ scope: 'account', ...a });
    const s = this.addresses.fail(sourceKey(address), now);
    if (s) events.push({ scope: 'address', ...s });
    return events;
  }

  /**
   * A correct password clears the account's record. The address's record stays:
   * otherwise anyone holding one valid account could clear their address's count
   * between guesses at other accounts and never be slowed down.
   */
  recordSuccess(realm: string, username: string): void {
    this.accounts.clear(accountKey(realm, username));
  }

  /** Records held, for metrics and the memory bound's tests. */
  sizes(): { accounts: number; addresses: number } {
    return { accounts: this.accounts.size, addresses: this.addresses.size };
  }
}

function accountKey(realm: string, username: string): string {
  return `${realm}\0${username}`;
}
