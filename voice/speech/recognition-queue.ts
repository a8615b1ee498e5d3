// Speech recognition is CPU-heavy (about a core for a fraction of real time), and the same
// machine carries live calls: jobs run one at a time, in arrival order, each under a
// deadline, and the backlog is bounded so a flood of requests is refused, not queued forever.
import { TranscriptionError } from './transcription-provider.js';

export interface QueueLimits {
  /** Jobs waiting (not counting the one running) before new ones are refused. */
  maxWaiting: number;
  /** Per job, from when it starts running. */
  timeoutMs: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxWaiting: 200, timeoutMs: 5 * 60_000 };

interface Waiting {
  run: (signal: AbortSignal) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class RecognitionQueue {
  private readonly waiting: Waiting[] = [];
  private running: AbortController | undefined;
  private stopped = false;
  private readonly limits: QueueLimits;

  constructor(limits: Partial<QueueLimits> = {}) {
    this.limits = { ...DEFAULT_QUEUE_LIMITS, ...limits };
  }

  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  /** Runs `job` when its turn comes; its signal aborts at the deadline or on stop(). */
  submit<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new TranscriptionError('cancelled', 'the server is stopping'));
    if (this.waiting.length >= this.limits.maxWaiting) {
      return Promise.reject(new TranscriptionError('queue_full', `more than ${this.limits.maxWaiting} transcriptions are waiting`));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run: job, resolve: resolve as (v: unknown) => void, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.stopped) return;
    const job = this.waiting.shift();
    if (!job) return;
    const ctl = new AbortController();
    this.running = ctl;
    const timer = setTimeout(
      () => ctl.abort(new TranscriptionError('timeout', `transcription took longer than ${Math.round(this.limits.timeoutMs / 1000)} s`)),
      this.limits.timeoutMs,
    );
    void job
      .run(ctl.signal)
      .then(
        (v) => (ctl.signal.aborted ? job.reject(ctl.signal.reason) : job.resolve(v)),
        (e: unknown) => job.reject(ctl.signal.aborted ? ctl.signal.reason : e),
      )
      .finally(() => {
        clearTimeout(timer);
        this.running = undefined;
        this.next();
      });
  }

  /** Aborts the running job and refuses the waiting ones (server stop). */
  stop(): void {
    this.stopped = true;
    this.running?.abort(new TranscriptionError('cancelled', 'the server is stopping'));
    for (const w of this.waiting.splice(0)) w.reject(new TranscriptionError('cancelled', 'the server is stopping'));
  }
}
