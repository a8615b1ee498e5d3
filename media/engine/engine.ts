// The control plane's view of the media plane: async commands, events, typed errors.
//
//   const engine = new WorkerMediaEngine({ portMin: 20000, portMax: 29999, address: '10.0.0.5' });
//   const call = await engine.createSession();                  // pinned to one worker (no round trip)
//   const a = await call.createEndpoint({ remoteSdp: inviteSdp, allowedSources: [sipSource] });
//   const b = await call.createEndpoint({});                     // our offer for the B leg
//   ...                                                          // B answers
//   await call.applyAnswer(b.endpointId, answerSdp);
//   const room = await call.createRoom([{ endpointId: a.endpointId }, { endpointId: b.endpointId }]);
//   engine.on('dtmf', (e) => ...);
//   await call.destroy();                                        // then call.stats(a.endpointId): its last figures
//
// Two implementations: InProcessMediaEngine (one host on the caller's thread: unit tests, tools)
// and WorkerMediaEngine (one host per worker thread). The same classes do the work in both.
import type { EventEmitter } from 'node:events';
import type {
  AmdDecision,
  AmdSettings,
  Command,
  CreateEndpointOptions,
  DestroyResult,
  Direction,
  EndpointCreated,
  MediaEngineEvents,
  ModeSpec,
  PlayItem,
  RecordOptions,
  RecordingResult,
  RoomMember,
} from './commands.js';
import type { JitterSettings } from './endpoint.js';
import type { LocalCrypto } from '../sdp/index.js';

export interface MediaEngineOptions {
  /** Address the RTP sockets bind to. Default 127.0.0.1. */
  address?: string;
  /** Address written in SDP; default `address` (required when binding 0.0.0.0). */
  advertisedAddress?: string;
  /** RTP port range (even RTP port, odd RTCP port). Default 20000-29999. */
  portMin?: number;
  portMax?: number;
  /** Codec priority list. Default PCMU, PCMA, G722, opus. */
  codecs?: string[];
  /** Offer and accept telephone-event. Default true. */
  telephoneEvent?: boolean;
  /** Offer, and accept when offered, RTCP on the RTP port (RFC 5761). Default true. */
  rtcpMux?: boolean;
  /** Where recordings go (record() paths are relative to it). */
  recordingsDir?: string;
  /** No RTP for this long while the remote should send → media_timeout. Default 30 s. */
  mediaTimeoutMs?: number;
  /** The same while the stream is on hold. Default 10 min. */
  holdTimeoutMs?: number;
  /** A latched source silent this long may be replaced by another allowed one. Default 2 s. */
  relatchAfterMs?: number;
  jitter?: JitterSettings;
  /** SO_RCVBUF / SO_SNDBUF for RTP sockets. Default: the OS's. */
  socketBufferBytes?: number;
  /** Default SRTP policy for endpoints that do not say. */
  srtp?: LocalCrypto;
  /** Prompt cache per worker, bytes. Default 64 MiB. */
  promptCacheBytes?: number;
  /** Mean RTCP report interval (RFC 3550 §6.2). Default 5000 ms; shorter only for tests. */
  rtcpIntervalMs?: number;
}

export const DEFAULT_CODECS = ['PCMU', 'PCMA', 'G722', 'opus'];

/** Options every host needs a value for; resolveEngineOptions fills in their defaults. */
type DefaultedOption = 'address' | 'advertisedAddress' | 'portMin' | 'portMax' | 'codecs' | 'telephoneEvent' | 'rtcpMux' | 'mediaTimeoutMs' | 'holdTimeoutMs';

/** The options with defaults applied, as every host gets them. */
export type ResolvedEngineOptions = Required<Pick<MediaEngineOptions, DefaultedOption>> & Omit<MediaEngineOptions, DefaultedOption>;

export function resolveEngineOptions(o: MediaEngineOptions): ResolvedEngineOptions {
  const address = o.address ?? '127.0.0.1';
  const advertised = o.advertisedAddress ?? address;
  if (advertised === '0.0.0.0' || advertised === '::') throw new RangeError('binding a wildcard address needs advertisedAddress (the address peers send RTP to)');
  const r: ResolvedEngineOptions = {
    address,
    advertisedAddress: advertised,
    portMin: o.portMin ?? 20000,
    portMax: o.portMax ?? 29999,
    codecs: o.codecs ?? DEFAULT_CODECS,
    telephoneEvent: o.telephoneEvent ?? true,
    rtcpMux: o.rtcpMux ?? true,
    mediaTimeoutMs: o.mediaTimeoutMs ?? 30_000,
    holdTimeoutMs: o.holdTimeoutMs ?? 600_000,
  };
  if (o.recordingsDir !== undefined) r.recordingsDir = o.recordingsDir;
  if (o.relatchAfterMs !== undefined) r.relatchAfterMs = o.relatchAfterMs;
  if (o.jitter) r.jitter = o.jitter;
  if (o.socketBufferBytes) r.socketBufferBytes = o.socketBufferBytes;
  if (o.srtp) r.srtp = o.srtp;
  if (o.promptCacheBytes) r.promptCacheBytes = o.promptCacheBytes;
  if (o.rtcpIntervalMs) r.rtcpIntervalMs = o.rtcpIntervalMs;
  return r;
}

export interface MediaEngine extends EventEmitter<MediaEngineEvents> {
  /** A new session (a call or a conference), pinned to one worker. */
  createSession(): Promise<MediaSessionHandle>;
  /** The handle of an existing session, by id. */
  session(sessionId: string): MediaSessionHandle;
  /**
   * Stats: with no id, the engine's (per worker: ports, tick lateness, sessions); with a session,
   * endpoint, room, play or recording id, that object's toJSON.
   */
  stats(id?: string): Promise<unknown>;
  /** Destroys a session or anything in one, by id. */
  destroy(id: string): Promise<void>;
  destroySession(sessionId: string): Promise<void>;
  /** Starts the tick-lateness figures of every worker over (measure a stretch of time). */
  resetTickStats(): Promise<void>;
  close(): Promise<void>;
}

/** Routes commands for one session. Object ids carry their session id before the ':'. */
export class MediaSessionHandle {
  /** Last stats of the endpoints destroyed through this handle. */
  private readonly lastStats = new Map<string, unknown>();

  constructor(
    readonly id: string,
    /** The worker the session lives in (0 in process). */
    readonly worker: number,
    private readonly send: (c: Command) => Promise<unknown>,
  ) {}

  createEndpoint(options: CreateEndpointOptions = {}): Promise<EndpointCreated> {
    return this.send({ op: 'createEndpoint', session: this.id, options }) as Promise<EndpointCreated>;
  }

  /** A remote re-offer (re-INVITE): returns our answer. */
  updateEndpoint(endpointId: string, remoteSdp: string, o: { allowedSources?: string[]; direction?: Direction } = {}): Promise<{ localSdp: string }> {
    return this.send({ op: 'updateEndpoint', session: this.id, endpointId, remoteSdp, ...o }) as Promise<{ localSdp: string }>;
  }

  /** Our (re-)offer for the endpoint (hold: direction sendonly); the answer goes to applyAnswer. */
  offer(endpointId: string, o: { direction?: Direction } = {}): Promise<{ localSdp: string }> {
    return this.send({ op: 'offer', session: this.id, endpointId, ...o }) as Promise<{ localSdp: string }>;
  }

  applyAnswer(endpointId: string, remoteSdp: string): Promise<{ direction: Direction; codec: string }> {
    return this.send({ op: 'applyAnswer', session: this.id, endpointId, remoteSdp }) as Promise<{ direction: Direction; codec: string }>;
  }

  /** A room; `members` join it in the same command (a bridge is one round trip). */
  createRoom(members?: RoomMember[]): Promise<{ roomId: string }> {
    return this.send({ op: 'createRoom', session: this.id, ...(members?.length ? { members } : {}) }) as Promise<{ roomId: string }>;
  }

  async join(roomId: string, endpointId: string, mode?: ModeSpec): Promise<void> {
    await this.send({ op: 'join', session: this.id, roomId, endpointId, ...(mode ? { mode } : {}) });
  }

  async leave(endpointId: string): Promise<void> {
    await this.send({ op: 'leave', session: this.id, endpointId });
  }

  async setMode(endpointId: string, mode: ModeSpec): Promise<void> {
    await this.send({ op: 'setMode', session: this.id, endpointId, mode });
  }

  /** Plays to an endpoint (heard by it alone) or to a room (heard by all). Resolves when playback starts. */
  play(target: string, items: PlayItem[], o: { loop?: boolean } = {}): Promise<{ playId: string }> {
    return this.send({ op: 'play', session: this.id, target, items, ...(o.loop ? { loop: true } : {}) }) as Promise<{ playId: string }>;
  }

  async stopPlay(playId: string): Promise<void> {
    await this.send({ op: 'stopPlay', session: this.id, playId });
  }

  record(target: string, options: RecordOptions): Promise<{ recordingId: string }> {
    return this.send({ op: 'record', session: this.id, target, options }) as Promise<{ recordingId: string }>;
  }

  stopRecord(recordingId: string): Promise<RecordingResult> {
    return this.send({ op: 'stopRecord', session: this.id, recordingId }) as Promise<RecordingResult>;
  }

  /** RFC 4733 events when the leg negotiated telephone-event, else tones mixed into what it hears. */
  sendDtmf(endpointId: string, digits: string, o: { toneMs?: number; gapMs?: number } = {}): Promise<{ method: 'rfc4733' | 'inband' }> {
    return this.send({ op: 'sendDtmf', session: this.id, endpointId, digits, ...o }) as Promise<{ method: 'rfc4733' | 'inband' }>;
  }

  /**
   * Answering machine detection on what the endpoint says from now on (media/dsp/amd.ts); resolves
   * with the decision, at most `totalAnalysisMs` later (sooner when the endpoint goes away).
   */
  detectMachine(endpointId: string, settings: Partial<AmdSettings> = {}): Promise<AmdDecision> {
    return this.send({ op: 'detectMachine', session: this.id, endpointId, settings }) as Promise<AmdDecision>;
  }

  /** An endpoint this handle destroyed answers with its last figures, kept from the destroy's reply. */
  stats(id?: string): Promise<unknown> {
    const last = id === undefined ? undefined : this.lastStats.get(id);
    if (last !== undefined) return Promise.resolve(last);
    return this.send({ op: 'stats', session: this.id, ...(id !== undefined ? { id } : {}) });
  }

  /**
   * Destroys the session (default) or anything in it. The reply carries the last stats of the
   * endpoints destroyed, kept for stats(): a call's quality is read after its media is gone,
   * without a round trip per leg.
   */
  async destroy(id: string = this.id): Promise<void> {
    const r = (await this.send({ op: 'destroy', session: this.id, id, finalStats: true })) as DestroyResult | null;
    if (r) for (const [endpointId, stats] of Object.entries(r.endpoints)) this.lastStats.set(endpointId, stats);
  }
}

/** The session id an object id belongs to. */
export function sessionOf(id: string): string {
  const i = id.indexOf(':');
  return i < 0 ? id : id.slice(0, i);
}
