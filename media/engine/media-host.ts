// What one worker runs (or the in-process engine, for tests): its slice of the RTP ports, its
// sessions, the prompt cache its players share, and the one timer that ticks them all.
//
// `handle` takes a Command and resolves with plain data or rejects with a MediaEngineError; any
// other exception is a bug and comes back as `internal`.
import { PromptCache } from '../player/prompt-cache.js';
import type { Command, DestroyResult, HostEvent } from './commands.js';
import type { ResolvedEngineOptions } from './engine.js';
import { MediaEngineError, notFound } from './engine-error.js';
import { MediaSession } from './media-session.js';
import { PortAllocator, type PortRange } from './port-allocator.js';
import { Ticker } from './ticker.js';

/** The engine's options as one host takes them: its own slice of the ports, its id prefix. */
export type MediaHostOptions = Omit<ResolvedEngineOptions, 'portMin' | 'portMax'> & {
  /** This host's slice of the RTP port range. */
  ports: PortRange;
  /** Prefix of every session id this host makes (unique per worker and generation). */
  idPrefix: string;
};

export interface MediaHostDeps {
  now?: () => number;
  random?: () => number;
  /** Tests drive the tick by hand: no timer is started. */
  manualTick?: boolean;
}

export class MediaHost {
  readonly ports: PortAllocator;
  readonly ticker: Ticker;
  private readonly o: MediaHostOptions;
  private readonly sessions = new Map<string, MediaSession>();
  private readonly promptCache: PromptCache;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly emit: (e: HostEvent) => void;
  private counter = 0;
  private closed = false;
  /** The sessions as an array for the tick (no iterator per tick); null after a change. */
  private tickList: MediaSession[] | null = null;
  private tickErrors = 0;
  private lastTickError: string | null = null;

  constructor(o: MediaHostOptions, emit: (e: HostEvent) => void, deps: MediaHostDeps = {}) {
    this.o = o;
    this.emit = emit;
    this.now = deps.now ?? (() => performance.now());
    this.random = deps.random ?? Math.random;
    this.ports = new PortAllocator(o.ports);
    this.promptCache = new PromptCache(o.promptCacheBytes ? { maxBytes: o.promptCacheBytes } : {});
    this.ticker = new Ticker({
      onTick: () => this.tick(),
      now: this.now,
      // unref: the sockets keep a process alive while there are calls; an idle engine must not.
      setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
    });
    if (!deps.manualTick) this.ticker.start();
  }

  /** One 20 ms tick of every session. A failing session must not stop the others. */
  tick(): void {
    const now = this.now();
    if (this.tickList === null) this.tickList = [...this.sessions.values()];
    const list = this.tickList;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      try {
        s.tick(now);
      } catch (err) {
        this.tickErrors++;
        this.lastTickError = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
      }
    }
  }

  get sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  async handle(cmd: Command): Promise<unknown> {
    try {
      return await this.dispatch(cmd);
    } catch (err) {
      if (err instanceof MediaEngineError) throw err;
      throw new MediaEngineError('internal', err instanceof Error ? err.message : String(err));
    }
  }

  private session(id: string): MediaSession {
    const s = this.sessions.get(id);
    if (!s) throw notFound('session', id);
    return s;
  }

  private async dispatch(c: Command): Promise<unknown> {
    if (this.closed) throw new MediaEngineError('closed', 'the media host is closed');
    switch (c.op) {
      case 'createSession': {
        const id = c.session ?? `${this.o.idPrefix}s${++this.counter}`;
        if (!id.startsWith(this.o.idPrefix) || this.sessions.has(id)) throw new MediaEngineError('invalid_argument', `session id ${JSON.stringify(id)} is not free here`);
        this.sessions.set(id, new MediaSession(id, this.sessionContext()));
        this.tickList = null;
        return c.then ? this.dispatch(c.then) : { sessionId: id };
      }
      case 'destroySession': {
        const s = this.session(c.session);
        this.sessions.delete(c.session);
        this.tickList = null;
        await s.close();
        return null;
      }
      case 'createEndpoint':
        return this.session(c.session).createEndpoint(c.options ?? {});
      case 'updateEndpoint':
        return this.session(c.session).updateEndpoint(c.endpointId, c.remoteSdp, c.allowedSources, c.direction);
      case 'offer':
        return this.session(c.session).offer(c.endpointId, c.direction);
      case 'applyAnswer':
        return this.session(c.session).applyAnswer(c.endpointId, c.remoteSdp);
      case 'createRoom':
        return this.session(c.session).createRoom(c.members);
      case 'join':
        this.session(c.session).join(c.roomId, c.endpointId, c.mode);
        return null;
      case 'leave':
        this.session(c.session).leave(c.endpointId);
        return null;
      case 'setMode':
        this.session(c.session).setMode(c.endpointId, c.mode);
        return null;
      case 'play':
        return this.session(c.session).play(c.target, c.items, c.loop ?? false);
      case 'stopPlay':
        this.session(c.session).stopPlay(c.playId);
        return null;
      case 'record':
        return this.session(c.session).record(c.target, c.options);
      case 'stopRecord':
        return this.session(c.session).stopRecord(c.recordingId);
      case 'sendDtmf':
        return this.session(c.session).sendDtmf(c.endpointId, c.digits, { ...(c.toneMs ? { toneMs: c.toneMs } : {}), ...(c.gapMs !== undefined ? { gapMs: c.gapMs } : {}) });
      case 'detectMachine':
        return this.session(c.session).detectMachine(c.endpointId, c.settings ?? {});
      case 'stats':
        if (c.session === undefined) return this.stats();
        return this.session(c.session).stats(c.id);
      case 'resetTickStats':
        this.ticker.lateness.reset();
        return null;
      case 'destroy': {
        const s = this.session(c.session);
        const result: DestroyResult | null = c.finalStats ? { endpoints: s.endpointStats(c.id) } : null;
        if (c.id === c.session) await this.dispatch({ op: 'destroySession', session: c.session });
        else await s.destroy(c.id);
        return result;
      }
      default:
        throw new MediaEngineError('invalid_argument', `unknown command ${JSON.stringify((c as { op: unknown }).op)}`);
    }
  }

  private sessionContext() {
    const o = this.o;
    return {
      address: o.address,
      advertisedAddress: o.advertisedAddress,
      ports: this.ports,
      codecs: o.codecs,
      telephoneEvent: o.telephoneEvent,
      rtcpMux: o.rtcpMux,
      ...(o.recordingsDir !== undefined ? { recordingsDir: o.recordingsDir } : {}),
      mediaTimeoutMs: o.mediaTimeoutMs,
      holdTimeoutMs: o.holdTimeoutMs,
      ...(o.relatchAfterMs !== undefined ? { relatchAfterMs: o.relatchAfterMs } : {}),
      ...(o.jitter ? { jitter: o.jitter } : {}),
      ...(o.socketBufferBytes ? { socketBufferBytes: o.socketBufferBytes } : {}),
      ...(o.srtp ? { srtp: o.srtp } : {}),
      ...(o.rtcpIntervalMs ? { rtcpIntervalMs: o.rtcpIntervalMs } : {}),
      promptCache: this.promptCache,
      now: this.now,
      random: this.random,
      emit: this.emit,
    };
  }

  stats(): Record<string, unknown> {
    let endpoints = 0;
    let rooms = 0;
    for (const s of this.sessions.values()) {
      endpoints += s.endpointCount;
      rooms += s.roomCount;
    }
    return {
      sessions: this.sessions.size,
      endpoints,
      rooms,
      ports: this.ports.toJSON(),
      tick: this.ticker.lateness.toJSON(),
      tickErrors: this.tickErrors,
      lastTickError: this.lastTickError,
      promptCache: this.promptCache.toJSON(),
      memory: process.memoryUsage(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.tickList = null;
    await Promise.all(all.map((s) => s.close()));
    this.ticker.stop();
  }
}
