// How late the worker's ticks run: the delay between a tick's ideal time and when it ran. Kept in
// a ring of the last `window` ticks (one minute at 20 ms), with all-time maximum and counts.
//
// record() allocates nothing; toJSON() sorts a copy of the ring (once per stats request).

export interface TickLatenessStats {
  ticks: number;
  /** Ticks that ran more than `lateMs` after their ideal time. */
  late: number;
  /** Ticks not run at all: the worker stalled for longer than the catch-up allows. */
  skipped: number;
  lateMs: number;
  /** Over the last `window` ticks, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Since start. */
  maxEverMs: number;
  /** Time spent inside ticks over the same window, ms per tick (what the rooms and endpoints cost). */
  busyP50Ms: number;
  busyP99Ms: number;
  window: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export class TickLateness {
  private readonly lateness: Float64Array;
  private readonly busy: Float64Array;
  private at = 0;
  private filled = 0;
  ticks = 0;
  late = 0;
  skipped = 0;
  maxEverMs = 0;
  readonly lateMs: number;

  constructor(o: { window?: number; lateMs?: number } = {}) {
    const n = o.window ?? 3000;
    this.lateness = new Float64Array(n);
    this.busy = new Float64Array(n);
    this.lateMs = o.lateMs ?? 5;
  }

  record(latenessMs: number, busyMs: number): void {
    const l = latenessMs > 0 ? latenessMs : 0;
    this.lateness[this.at] = l;
    this.busy[this.at] = busyMs;
    this.at = this.at + 1 === this.lateness.length ? 0 : this.at + 1;
    if (this.filled < this.lateness.length) this.filled++;
    this.ticks++;
    if (l > this.lateMs) this.late++;
    if (l > this.maxEverMs) this.maxEverMs = l;
  }

  /** Starts the window and the counts over (the all-time maximum too): "from now on". */
  reset(): void {
    this.at = 0;
    this.filled = 0;
    this.ticks = 0;
    this.late = 0;
    this.skipped = 0;
    this.maxEverMs = 0;
  }

  toJSON(): TickLatenessStats {
    const l = this.lateness.slice(0, this.filled).sort();
    const b = this.busy.slice(0, this.filled).sort();
    return {
      ticks: this.ticks,
      late: this.late,
      skipped: this.skipped,
      lateMs: this.lateMs,
      p50Ms: round(percentile(l, 50)),
      p99Ms: round(percentile(l, 99)),
      maxMs: round(l.length ? l[l.length - 1]! : 0),
      maxEverMs: round(this.maxEverMs),
      busyP50Ms: round(percentile(b, 50)),
      busyP99Ms: round(percentile(b, 99)),
      window: this.filled,
    };
  }
}
