// The worker's one timer: every 20 ms it ticks every room and endpoint the worker hosts.
//
// Tick n is due at start + n × 20 ms on a monotonic clock, and each timer is set for the next due
// time, not for "now + 20": a timer that fires late does not push every later tick back, so the
// worker sends 50 packets per second per stream over any stretch of time, which is what the far
// ends' jitter buffers and our own inputs (one packet in, one frame out per tick) need.
//
// After a stall (GC pause, a burst of work) the missed ticks run back to back, up to `maxCatchUp`;
// a longer stall skips the rest (counted): sending seconds of audio in one burst would only
// overflow the far ends' buffers.
import { TickLateness } from './tick-lateness.js';

export interface TickerOptions {
  onTick: () => void;
  periodMs?: number;
  /** Monotonic milliseconds. Default performance.now. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Ticks run back to back after a stall before the rest are skipped. Default 5 (100 ms). */
  maxCatchUp?: number;
  /** A tick this much past its due time counts as late. Default 5 ms. */
  lateMs?: number;
}

export class Ticker {
  readonly periodMs: number;
  readonly lateness: TickLateness;
  private readonly onTick: () => void;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly maxCatchUp: number;
  private readonly fire = (): void => this.run();
  private handle: unknown = null;
  private startAt = 0;
  private n = 0;
  private running = false;

  constructor(o: TickerOptions) {
    this.onTick = o.onTick;
    this.periodMs = o.periodMs ?? 20;
    this.now = o.now ?? (() => performance.now());
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.maxCatchUp = o.maxCatchUp ?? 5;
    this.lateness = new TickLateness({ lateMs: o.lateMs ?? 5 });
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startAt = this.now();
    this.n = 1;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.clearTimer(this.handle);
    this.handle = null;
  }

  /** The due time of the next tick (for tests). */
  get nextDueAt(): number {
    return this.startAt + this.n * this.periodMs;
  }

  private arm(): void {
    const delay = this.startAt + this.n * this.periodMs - this.now();
    // Node timers have millisecond resolution; rounding to nearest keeps the average on time
    // (a tick up to 1 ms early runs; see run()).
    this.handle = this.setTimer(this.fire, delay > 1 ? Math.round(delay) : 1);
  }

  private run(): void {
    this.handle = null;
    if (!this.running) return;
    let now = this.now();
    for (let k = 0; k < this.maxCatchUp; k++) {
      const due = this.startAt + this.n * this.periodMs;
      if (now < due - 1) break;
      try {
        this.onTick();
      } finally {
        const after = this.now();
        this.lateness.record(now - due, after - now);
        now = after;
        this.n++;
      }
      if (!this.running) return;
    }
    // Still behind after catching up: skip to the present.
    const behind = Math.floor((now - (this.startAt + this.n * this.periodMs)) / this.periodMs);
    if (behind > 0) {
      this.lateness.skipped += behind;
      this.n += behind;
    }
    this.arm();
  }
}
