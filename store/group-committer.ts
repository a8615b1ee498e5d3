// Group commit: units of writes from many callers (the status changes of many calls) go to
// the database together, one transaction and one fsync for all of them, still with
// synchronous=FULL. At most one batch is in flight; whatever is submitted while it commits
// is the next batch, so the batch grows with the load and an idle server commits at once.
//
// What a caller may rely on (docs/b2bua.md, "Performance"):
// - submit() resolves only after the COMMIT that holds its unit returned: the rows are on
//   disk (synchronous=FULL), and readers on other connections see them from then on.
// - units commit in the order they were submitted (one batch at a time, FIFO inside it);
// - a unit commits whole or not at all, and a unit that fails (a constraint) fails alone;
//   when a whole batch fails (the disk), every unit in it rejects and nothing of it is kept.
import type { UnitOutcome, WriteUnit } from './write-unit.js';

/** Runs one batch; on the writer thread (writer-thread.ts) or, for tools and tests, inline. */
export interface BatchRunner {
  run(units: WriteUnit[]): Promise<UnitOutcome[]>;
  close(): Promise<void>;
}

interface Queued {
  unit: WriteUnit;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface GroupCommitStats {
  batches: number;
  units: number;
  failedUnits: number;
  failedBatches: number;
  largestBatch: number;
  /** Time batches spent with the runner (submitted to committed), and the longest one, ms. */
  busyMs: number;
  slowestBatchMs: number;
}

export class GroupCommitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroupCommitError';
  }
}

export class GroupCommitter {
  private queue: Queued[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];
  readonly stats: GroupCommitStats = { batches: 0, units: 0, failedUnits: 0, failedBatches: 0, largestBatch: 0, busyMs: 0, slowestBatchMs: 0 };

  private lastStart = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runner: BatchRunner,
    private readonly o: {
      /** Units per batch at most (a bound on one transaction's size). */
      maxBatch?: number;
      /**
       * A batch starts at least this long after the previous one started: fewer, larger
       * commits (each rewrites the pages it touched into the WAL) for a few ms of latency.
       */
      minIntervalMs?: number;
    } = {},
  ) {}

  /** Queues a unit; resolves once it is committed, rejects if it was not. */
  submit(unit: WriteUnit): Promise<void> {
    if (this.closed) return Promise.reject(new GroupCommitError('the store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      if (!this.inFlight && !this.scheduled) {
        // Not at once: the writes made by the rest of this turn of the event loop join the batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Units waiting for their commit (queued or in flight). */
  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  private flush(): void {
    if (this.inFlight || this.timer || this.queue.length === 0) {
      if (!this.inFlight && !this.timer) this.notifyIdle();
      return;
    }
    const wait = this.lastStart + (this.o.minIntervalMs ?? 0) - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      return;
    }
    const batch = this.queue.splice(0, this.o.maxBatch ?? 2000);
    this.stats.batches++;
    this.stats.units += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;
    const started = performance.now();
    this.lastStart = started;
    this.inFlight = this.runner.run(batch.map((q) => q.unit)).then(
      (outcomes) => {
        batch.forEach((q, i) => {
          const o = outcomes[i];
          if (o?.ok) return q.resolve();
          this.stats.failedUnits++;
          q.reject(new GroupCommitError(o ? o.error : 'the writer gave no outcome for this unit'));
        });
      },
      (err: unknown) => {
        this.stats.failedBatches++;
        const e = new GroupCommitError(`batch not committed: ${err instanceof Error ? err.message : String(err)}`);
        for (const q of batch) q.reject(e);
      },
    );
    void this.inFlight.then(() => {
      const ms = performance.now() - started;
      this.stats.busyMs += ms;
      if (ms > this.stats.slowestBatchMs) this.stats.slowestBatchMs = ms;
      this.inFlight = undefined;
      // What was submitted during this commit goes now, as one batch.
      this.flush();
    });
  }

  private notifyIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once everything submitted so far has been committed (or failed). */
  drain(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0 && !this.scheduled && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Commits what is queued, then stops the runner; later submits reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await this.runner.close();
  }
}
