// Where the GroupCommitter's batches run. In the server: a worker thread with its own
// connection (writer-thread-main.ts), so the commit's fsync blocks that thread, not the event
// loop that carries SIP and the API. Without the compiled thread entry (TypeScript run
// directly by the unit tests) the same BatchWriter runs inline on its own connection.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { BatchRunner } from './group-committer.js';
import { BatchWriter, configureWriterConnection, type UnitOutcome, type WriteUnit } from './write-unit.js';

export type ToWriter = { type: 'batch'; id: number; units: WriteUnit[] } | { type: 'close' };
export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcomes: UnitOutcome[] }
  | { type: 'failed'; id: number; error: string }
  | { type: 'closed' };

interface Pending {
  resolve: (o: UnitOutcome[]) => void;
  reject: (e: Error) => void;
}

export class ThreadBatchRunner implements BatchRunner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;

  constructor(
    private readonly file: string,
    private readonly url: URL,
  ) {}

  private start(): Worker {
    const w = new Worker(this.url, { workerData: { file: this.file }, name: 'store-writer' });
    w.on('message', (m: FromWriter) => {
      if (m.type !== 'done' && m.type !== 'failed') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.type === 'done') p.resolve(m.outcomes);
      else p.reject(new Error(m.error));
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      // A batch the thread had not answered may or may not have committed: its callers are told it failed.
      for (const p of this.pending.values()) p.reject(new Error(`the writer thread stopped (${why})`));
      this.pending.clear();
    };
    w.on('error', (err) => lost(err.message));
    w.on('exit', (code) => lost(`exit ${code}`));
    // Idle, it must not keep the process alive; while a batch is out, it must.
    w.unref();
    return w;
  }

  run(units: WriteUnit[]): Promise<UnitOutcome[]> {
    if (this.closing) return Promise.reject(new Error('the writer is closed'));
    const w = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ type: 'batch', id, units } satisfies ToWriter);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    if (!w) return;
    w.ref();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate(), 5000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      w.postMessage({ type: 'close' } satisfies ToWriter);
    });
  }
}

/** The same batches on the caller's thread, on a connection of their own. */
export class InlineBatchRunner implements BatchRunner {
  private readonly db: BetterSqlite3.Database;
  private readonly writer: BatchWriter;

  constructor(file: string) {
    this.db = new BetterSqlite3(file);
    configureWriterConnection(this.db);
    this.writer = new BatchWriter(this.db);
  }

  async run(units: WriteUnit[]): Promise<UnitOutcome[]> {
    return this.writer.run(units);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** The writer thread when its compiled entry is there (the server, dist/), else inline. */
export function openBatchRunner(file: string, mode: 'thread' | 'inline' | 'auto' = 'auto'): BatchRunner {
  const url = new URL('./writer-thread-main.js', import.meta.url);
  const compiled = existsSync(fileURLToPath(url));
  if (mode === 'thread' && !compiled) throw new Error(`no compiled writer thread at ${fileURLToPath(url)}: build the project (npm run build)`);
  return mode === 'inline' || !compiled ? new InlineBatchRunner(file) : new ThreadBatchRunner(file, url);
}
