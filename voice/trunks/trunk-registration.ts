// One trunk's registration with its carrier (docs/trunks.md): REGISTER, refresh well before
// the granted time runs out, retry with growing waits after a failure, un-REGISTER when told
// to stop. Every change of state is reported (TrunkRegistrations writes it to the trunk's
// row, where the API shows it).
//
//   registering ─2xx─▶ registered ─(50-80 % of the granted time)─▶ REGISTER again ─2xx─▶ registered
//        │                                                               └─ failure ─▶ failed ─(backoff)─▶ REGISTER again
//        └─ failure ─▶ failed ─(30 s, 60 s, 120 s ... 10 min, ±20 %)─▶ REGISTER again
//   stop(): un-REGISTER (Expires: 0) when a binding may exist ─▶ unregistered
import type { RegisterOutcome } from '../../sip/ua/index.js';

export interface RegistrationState {
  status: 'registering' | 'registered' | 'failed' | 'unregistered';
  /** When the carrier's binding runs out unless refreshed. */
  expiresAt: Date | null;
  lastError: string | null;
}

export interface RegistrationTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface TrunkRegistrationOptions {
  /** Sends one REGISTER for this many seconds (0: remove the binding); RegistrationClient.register. */
  register: (expires: number) => Promise<RegisterOutcome>;
  onState: (s: RegistrationState) => void;
  /** Seconds asked for. Default 600. */
  expires?: number;
  /** First wait after a failure; doubles up to retryMaxMs. Default 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  now?: () => number;
  random?: () => number;
  timers?: RegistrationTimers;
}

export const DEFAULT_EXPIRES = 600;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 600_000;
/** A registrar that keeps answering 423 with a higher Min-Expires is not followed forever. */
const MAX_EXPIRES = 86_400;

const realTimers: RegistrationTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

function describe(r: RegisterOutcome): string {
  if (r.local && r.status === 408) return '408 no response from the registrar';
  if (r.local) return `${r.status} ${r.reason}`;
  if (r.status === 401 || r.status === 407) return `${r.status} ${r.reason} (the carrier refused the credentials)`;
  return `${r.status} ${r.reason}`;
}

export class TrunkRegistration {
  private readonly o: Required<Omit<TrunkRegistrationOptions, 'register' | 'onState'>> & Pick<TrunkRegistrationOptions, 'register' | 'onState'>;
  private asked: number;
  private failures = 0;
  private timer: unknown;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  /** Until when a binding the registrar granted may still exist (ms since the epoch). */
  private boundUntil = 0;

  constructor(o: TrunkRegistrationOptions) {
    this.o = {
      expires: DEFAULT_EXPIRES,
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
      now: Date.now,
      random: Math.random,
      timers: realTimers,
      ...o,
    };
    this.asked = this.o.expires;
  }

  /** Registers now; refreshes and retries until stop(). */
  start(): void {
    this.o.onState({ status: 'registering', expiresAt: null, lastError: null });
    this.run();
  }

  private run(): void {
    if (this.stopped) return;
    this.inFlight = this.attempt().finally(() => (this.inFlight = undefined));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.timers.set(() => this.run(), Math.max(0, Math.round(ms)));
  }

  private async attempt(): Promise<void> {
    const r = await this.o.register(this.asked);
    if (r.status >= 200 && r.status < 300 && r.expires > 0) {
      this.failures = 0;
      const now = this.o.now();
      this.boundUntil = now + r.expires * 1000;
      if (this.stopped) return; // stop() is waiting for us and removes it
      this.o.onState({ status: 'registered', expiresAt: new Date(this.boundUntil), lastError: null });
      // RFC 3261 §10.2.4 leaves the timing to the client; between half and four fifths of the
      // time keeps a margin for a retransmitted REGISTER and spreads many trunks' refreshes.
      return this.schedule(r.expires * 1000 * (0.5 + 0.3 * this.o.random()));
    }
    if (this.stopped) return;
    // RFC 3261 §10.2.8: 423 Interval Too Brief names the shortest time the registrar takes.
    if (r.status === 423 && r.minExpires !== undefined && r.minExpires > this.asked && r.minExpires <= MAX_EXPIRES) {
      this.asked = r.minExpires;
      return this.schedule(0);
    }
    this.failures++;
    const error = r.status >= 200 && r.status < 300 ? `${r.status} ${r.reason} granting no time` : describe(r);
    this.o.onState({ status: 'failed', expiresAt: null, lastError: error });
    const wait = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (this.failures - 1));
    this.schedule(wait * (0.8 + 0.4 * this.o.random()));
  }

  /**
   * Stops refreshing and removes the binding (REGISTER with Expires: 0) when one may exist,
   * waiting at most `timeoutMs` for the registrar's answer.
   */
  async stop(timeoutMs = 3000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.o.timers.clear(this.timer);
    const deadline = this.o.now() + timeoutMs;
    const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve(undefined), Math.max(0, ms));
        void p.then(
          (v) => {
            clearTimeout(t);
            resolve(v);
          },
          () => {
            clearTimeout(t);
            resolve(undefined);
          },
        );
      });
    if (this.inFlight) await within(this.inFlight, deadline - this.o.now());
    let error: string | null = null;
    if (this.boundUntil > this.o.now()) {
      const r = await within(this.o.register(0), deadline - this.o.now());
      if (!r) error = 'no answer to the un-REGISTER';
      else if (r.status < 200 || r.status >= 300) error = `un-REGISTER: ${describe(r)}`;
    }
    this.boundUntil = 0;
    this.o.onState({ status: 'unregistered', expiresAt: null, lastError: error });
  }
}
