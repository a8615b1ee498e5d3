// The entry of a media worker thread: one MediaHost, commands in, replies and events out.
// Started by WorkerMediaEngine with its slice of the port range in workerData.
//
// Never call process.exit() here while sockets are open: Node 20 then aborts the whole process
// (FATAL ERROR in AddressToJS, a datagram arriving during the worker's teardown). An uncaught
// exception or worker.terminate() is safe (tested under traffic); 'close' shuts the host down
// (sockets closed) before the worker ends.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './commands.js';
import { MediaEngineError } from './engine-error.js';
import { MediaHost, type MediaHostOptions } from './media-host.js';

export interface WorkerInit {
  index: number;
  host: MediaHostOptions;
}

const port = parentPort;
if (port === null) throw new Error('worker-main.js runs as a worker thread (WorkerMediaEngine starts it)');
const init = workerData as WorkerInit;

const post = (m: FromWorker): void => port.postMessage(m);
const host = new MediaHost(init.host, (event) => post({ type: 'event', event }));

port.on('message', (m: ToWorker) => {
  if (m.type === 'command') {
    host.handle(m.command).then(
      (value) => post({ type: 'reply', id: m.id, ok: true, value: value ?? null }),
      (err: unknown) => {
        const e = err instanceof MediaEngineError ? err : new MediaEngineError('internal', String(err));
        post({ type: 'reply', id: m.id, ok: false, error: e.toJSON() });
      },
    );
  } else if (m.type === 'close') {
    void host.close().finally(() => {
      post({ type: 'closed' });
      port.close();
    });
  }
});

post({ type: 'ready' });
