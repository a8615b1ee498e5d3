// The entry of the writer thread: its own connection to the database (synchronous=FULL), on
// which it runs the batches the GroupCommitter sends, so that every COMMIT's fsync waits here
// and never on the event loop. Started by ThreadBatchRunner (writer-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { BatchWriter, configureWriterConnection } from './write-unit.js';
import type { FromWriter, ToWriter } from './writer-thread.js';

const port = parentPort;
if (port === null) throw new Error('writer-thread-main.js runs as a worker thread (ThreadBatchRunner starts it)');
const { file } = workerData as { file: string };

const db = new BetterSqlite3(file);
configureWriterConnection(db);
const writer = new BatchWriter(db);
const post = (m: FromWriter): void => port.postMessage(m);

port.on('message', (m: ToWriter) => {
  if (m.type === 'batch') {
    try {
      post({ type: 'done', id: m.id, outcomes: writer.run(m.units) });
    } catch (err) {
      post({ type: 'failed', id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  } else {
    db.close();
    post({ type: 'closed' });
    port.close();
  }
});

post({ type: 'ready' });
