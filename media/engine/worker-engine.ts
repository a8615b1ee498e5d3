// The media engine on worker threads: N workers (default one per core), each a MediaHost with
// its own slice of the RTP port range. A session is created on the least loaded worker and
// stays there; every command for it (and for anything in it) goes to that worker.
//
// A session costs no round trip of its own: the engine names it (the worker's prefix and a
// count) and its create travels with its first command. One destroyed before any command
// never reaches the worker.
//
// A worker that dies takes its sessions with it: pending commands reject with `worker_lost`,
// `worker_exit` lists the lost sessions (the control plane hangs up those calls), and a new
// worker takes the slice over. Its session ids carry a new generation, so an old id never
// reaches a new session.
import { availableParallelism } from 'node:os';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Command, FromWorker, MediaEngineEvents, ToWorker } from './commands.js';
import { MediaSessionHandle, resolveEngineOptions, sessionOf, type MediaEngine, type MediaEngineOptions, type ResolvedEngineOptions } from './engine.js';
import { MediaEngineError } from './engine-error.js';
import { slicePortRange, type PortRange } from './port-allocator.js';
import type { WorkerInit } from './worker-main.js';

export interface WorkerMediaEngineOptions extends MediaEngineOptions {
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  /** The worker entry (compiled worker-main.js); default the one next to this module. */
  workerUrl?: URL;
  /** Lost session ids remembered to answer `worker_lost` rather than `not_found`. Default 10000. */
  rememberLost?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  index: number;
  ports: PortRange;
  generation: number;
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  sessions: Set<string>;
  /** Sessions named here whose create has not been sent yet (it goes with their first command). */
  unborn: Set<string>;
  /** Session ids made for this worker generation. */
  sessionCount: number;
  lastError: string | undefined;
  alive: boolean;
}

function defaultWorkerUrl(): URL {
  const here = new URL('./worker-main.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  throw new MediaEngineError('internal', `no compiled worker at ${fileURLToPath(here)}: build the project (npm run build) or pass workerUrl`);
}

export class WorkerMediaEngine extends EventEmitter<MediaEngineEvents> implements MediaEngine {
  readonly workers: number;
  private readonly o: ResolvedEngineOptions;
  private readonly url: URL;
  private readonly slots: Slot[] = [];
  private readonly sessionSlot = new Map<string, Slot>();
  private readonly lost = new Set<string>();
  private readonly rememberLost: number;
  private nextId = 1;
  private closing = false;

  constructor(options: WorkerMediaEngineOptions = {}) {
    super();
    this.o = resolveEngineOptions(options);
    this.workers = options.workers ?? availableParallelism();
    this.url = options.workerUrl ?? defaultWorkerUrl();
    this.rememberLost = options.rememberLost ?? 10_000;
    const slices = slicePortRange({ min: this.o.portMin, max: this.o.portMax }, this.workers);
    slices.forEach((ports, index) => this.slots.push(this.spawn(index, ports, 1)));
  }

  /** Resolves when every worker has started (commands sent earlier wait in the worker's queue). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  private spawn(index: number, ports: PortRange, generation: number): Slot {
    const { portMin: _min, portMax: _max, ...rest } = this.o;
    const init: WorkerInit = { index, host: { ...rest, ports, idPrefix: `w${index}g${generation}` } };
    const worker = new Worker(this.url, { workerData: init, name: `media-${index}` });
    let onReady!: () => void;
    let onFail!: (e: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    ready.catch(() => undefined);
    const slot: Slot = { index, ports, generation, worker, ready, pending: new Map(), sessions: new Set(), unborn: new Set(), sessionCount: 0, lastError: undefined, alive: true };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'reply') this.onReply(slot, m);
      else if (m.type === 'event') this.emit(m.event.name, m.event.payload as never);
    });
    worker.on('error', (err) => {
      slot.lastError = err instanceof Error ? err.message : String(err);
      onFail(err);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onReply(slot: Slot, m: Extract<FromWorker, { type: 'reply' }>): void {
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(MediaEngineError.from(m.error));
  }

  private onExit(slot: Slot, code: number): void {
    if (this.slots[slot.index] !== slot) return;
    slot.alive = false;
    const err = new MediaEngineError('worker_lost', `media worker ${slot.index} exited (code ${code}${slot.lastError ? `: ${slot.lastError}` : ''})`);
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
    const lostSessions = [...slot.sessions];
    for (const s of lostSessions) {
      this.sessionSlot.delete(s);
      this.lost.add(s);
    }
    while (this.lost.size > this.rememberLost) this.lost.delete(this.lost.values().next().value!);
    if (this.closing) return;
    this.slots[slot.index] = this.spawn(slot.index, slot.ports, slot.generation + 1);
    this.emit('worker_exit', { worker: slot.index, code, ...(slot.lastError ? { error: slot.lastError } : {}), lostSessions });
  }

  private post(slot: Slot, command: Command): Promise<unknown> {
    if (!slot.alive) return Promise.reject(new MediaEngineError('worker_lost', `media worker ${slot.index} is gone`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ type: 'command', id, command } satisfies ToWorker);
    });
  }

  private route = (c: Command): Promise<unknown> => {
    if (this.closing) return Promise.reject(new MediaEngineError('closed', 'the media engine is closed'));
    const session = 'session' in c ? c.session : undefined;
    if (session === undefined) return Promise.reject(new MediaEngineError('invalid_argument', `${c.op} needs a session`));
    const slot = this.sessionSlot.get(session);
    if (!slot) {
      if (this.lost.has(session)) return Promise.reject(new MediaEngineError('worker_lost', `session ${session} was lost with its worker`));
      return Promise.reject(new MediaEngineError('not_found', `no session ${JSON.stringify(session)}`));
    }
    const ending = c.op === 'destroySession' || (c.op === 'destroy' && c.id === c.session);
    let p: Promise<unknown>;
    if (slot.unborn.delete(session)) {
      // Nothing was ever made in the worker: ending it is only forgetting it.
      p = ending ? Promise.resolve(c.op === 'destroy' && c.finalStats ? { endpoints: {} } : null) : this.post(slot, { op: 'createSession', session, then: c });
    } else {
      p = this.post(slot, c);
    }
    if (ending) {
      return p.finally(() => {
        slot.sessions.delete(session);
        this.sessionSlot.delete(session);
      });
    }
    return p;
  };

  async createSession(): Promise<MediaSessionHandle> {
    if (this.closing) throw new MediaEngineError('closed', 'the media engine is closed');
    let best: Slot | null = null;
    for (const s of this.slots) if (s.alive && (best === null || s.sessions.size < best.sessions.size)) best = s;
    if (best === null) throw new MediaEngineError('worker_lost', 'no media worker is running');
    const id = `w${best.index}g${best.generation}s${++best.sessionCount}`;
    best.sessions.add(id);
    best.unborn.add(id);
    this.sessionSlot.set(id, best);
    return new MediaSessionHandle(id, best.index, this.route);
  }

  session(sessionId: string): MediaSessionHandle {
    return new MediaSessionHandle(sessionId, this.sessionSlot.get(sessionId)?.index ?? -1, this.route);
  }

  async stats(id?: string): Promise<unknown> {
    if (id !== undefined) return this.route({ op: 'stats', session: sessionOf(id), id });
    const workers = await Promise.all(
      this.slots.map(async (s) => {
        try {
          return { worker: s.index, generation: s.generation, ...((await this.post(s, { op: 'stats' })) as object) };
        } catch (err) {
          return { worker: s.index, generation: s.generation, error: (err as Error).message };
        }
      }),
    );
    return { workers };
  }

  async destroy(id: string): Promise<void> {
    await this.route({ op: 'destroy', session: sessionOf(id), id });
  }

  async destroySession(sessionId: string): Promise<void> {
    await this.route({ op: 'destroySession', session: sessionId });
  }

  async resetTickStats(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.post(s, { op: 'resetTickStats' })));
  }

  /** Stops a worker as a crash would (operators and tests): its sessions are reported lost. */
  async terminateWorker(index: number): Promise<void> {
    const slot = this.slots[index];
    if (!slot) throw new MediaEngineError('invalid_argument', `no worker ${index}`);
    await slot.worker.terminate();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.slots.map(async (s) => {
        if (!s.alive) return;
        const closed = new Promise<void>((resolve) => {
          s.worker.once('exit', () => resolve());
          s.worker.on('message', (m: FromWorker) => {
            if (m.type === 'closed') void s.worker.terminate();
          });
        });
        s.worker.postMessage({ type: 'close' } satisfies ToWorker);
        // A worker that does not finish closing (a stuck finalize) is stopped after 10 s.
        const timer = setTimeout(() => void s.worker.terminate(), 10_000);
        await closed;
        clearTimeout(timer);
      }),
    );
  }
}
