// The media engine on the caller's thread: one MediaHost with the whole port range. The classes
// and the command path are the worker's; only postMessage is missing. For unit tests and tools.
import { EventEmitter } from 'node:events';
import type { Command, HostEvent, MediaEngineEvents } from './commands.js';
import { MediaSessionHandle, resolveEngineOptions, sessionOf, type MediaEngine, type MediaEngineOptions } from './engine.js';
import { MediaEngineError } from './engine-error.js';
import { MediaHost, type MediaHostDeps } from './media-host.js';

export class InProcessMediaEngine extends EventEmitter<MediaEngineEvents> implements MediaEngine {
  readonly host: MediaHost;
  private closed = false;

  constructor(options: MediaEngineOptions = {}, deps: MediaHostDeps = {}) {
    super();
    const o = resolveEngineOptions(options);
    this.host = new MediaHost({ ...o, ports: { min: o.portMin, max: o.portMax }, idPrefix: 'p' }, (e) => this.forward(e), deps);
  }

  private forward(e: HostEvent): void {
    // Deliver after the current tick or command, as a worker's postMessage would.
    queueMicrotask(() => this.emit(e.name, e.payload as never));
  }

  private send = async (c: Command): Promise<unknown> => {
    if (this.closed) throw new MediaEngineError('closed', 'the media engine is closed');
    return this.host.handle(c);
  };

  async createSession(): Promise<MediaSessionHandle> {
    const r = (await this.send({ op: 'createSession' })) as { sessionId: string };
    return new MediaSessionHandle(r.sessionId, 0, this.send);
  }

  session(sessionId: string): MediaSessionHandle {
    return new MediaSessionHandle(sessionId, 0, this.send);
  }

  async stats(id?: string): Promise<unknown> {
    if (id === undefined) return { workers: [{ worker: 0, ...this.host.stats() }] };
    return this.send({ op: 'stats', session: sessionOf(id), id });
  }

  async destroy(id: string): Promise<void> {
    await this.send({ op: 'destroy', session: sessionOf(id), id });
  }

  async destroySession(sessionId: string): Promise<void> {
    await this.send({ op: 'destroySession', session: sessionId });
  }

  async resetTickStats(): Promise<void> {
    await this.send({ op: 'resetTickStats' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.host.close();
  }
}
