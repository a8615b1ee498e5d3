// Checkpoints the WAL from a worker thread. SQLite's automatic checkpoint runs inside
// whichever commit crosses the threshold, on the event loop, with fsyncs: a stall
// that makes phones retransmit. So both of the server's connections turn it off, and
// this worker copies the WAL back into the database every second (PASSIVE: it never
// blocks the server's readers or writers). Every second rather than every few: under a
// few hundred calls a second the WAL grows by megabytes a second, and one large copy with
// its fsync made the call writer's own fsyncs wait for hundreds of milliseconds.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const run = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err)); } };
const timer = setInterval(run, workerData.everyMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); run(); db.close(); parentPort.close(); } });
`;

export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(dataDir: string, everyMs = 1000, onError: (msg: string) => void = () => {}) {
    const lib = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { lib, file: path.join(dataDir, 'switchboard.db'), everyMs } });
    this.worker.on('message', (m: string) => onError(m));
    this.worker.on('error', (err) => onError(String(err)));
    this.worker.unref();
  }

  /** A last checkpoint, then the worker ends. */
  async stop(): Promise<void> {
    // Hold the process open until the worker is done (it is unref'd while running).
    this.worker.ref();
    const done = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }
}
