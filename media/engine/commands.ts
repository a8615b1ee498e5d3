// The command/event protocol between the control plane's MediaEngine and the media hosts that do
// the work (in-process, or one per worker thread). Plain data only: every value here crosses
// postMessage by structured clone.
import type { AmdDecision, AmdSettings } from '../dsp/amd.js';
import type { PlayItem } from '../player/player.js';
import type { RecordingResult } from '../recorder/recorder.js';
import type { Direction, LocalCrypto } from '../sdp/index.js';
import type { MediaEngineErrorJSON } from './engine-error.js';

export type { PlayItem, RecordingResult, Direction, AmdDecision, AmdSettings };

export interface CreateEndpointOptions {
  /** The remote offer: we answer it. Without it we make an offer (then applyAnswer). */
  remoteSdp?: string;
  /** Codec priority list for this leg ("PCMU", "PCMA", "G722", "opus", "L16/16000"); default the engine's. */
  codecs?: string[];
  /** Offer / accept telephone-event; default true. */
  telephoneEvent?: boolean;
  /**
   * Look for DTMF tones in the audio when telephone-event is not negotiated (default true). A leg
   * whose digits nobody needs can turn it off: detection needs the audio decoded, so it keeps a
   * bridge off the relay fast path.
   */
  inbandDtmf?: boolean;
  /** Addresses besides the SDP c= address RTP may come from (where the INVITE came from). */
  allowedSources?: string[];
  /** SRTP with SDES keys (RFC 4568); plain RTP when absent. */
  srtp?: LocalCrypto;
  /** Offer / accept rtcp-mux (RFC 5761); default the engine's (true). */
  rtcpMux?: boolean;
  /** The direction we want (sendrecv unless set). */
  direction?: Direction;
  /** Per-leg media timeout, overriding the engine's. */
  mediaTimeoutMs?: number;
}

export type ModeName = 'normal' | 'mute' | 'deaf' | 'hold' | 'listen' | 'whisper' | 'barge';

export type ModeSpec =
  | { mode: 'normal' | 'mute' | 'deaf' | 'listen' | 'barge' }
  /** Hears `music` (played in a loop) or silence; heard by nobody. */
  | { mode: 'hold'; music?: PlayItem[] }
  /** Heard only by `target` (an endpoint in the same room); hears everyone. */
  | { mode: 'whisper'; target: string };

export interface RecordOptions {
  /** WAV path: relative to the engine's recordingsDir (absolute paths must lie inside it). */
  path: string;
  /** mono: everything mixed; dual: the endpoint (or the room's first participant) left, what it hears right. */
  mode?: 'mono' | 'dual';
  /** Encode to MP3 on stop (the WAV is removed once lame succeeded). */
  mp3?: boolean;
  /** Trim leading and trailing silence on stop (default true). */
  trim?: boolean;
}

/** An endpoint a room is created with, in its mode (normal when absent). */
export interface RoomMember {
  endpointId: string;
  mode?: ModeSpec;
}

/** What a destroy answers: the last stats of every endpoint it destroyed, by id (asked with `finalStats`). */
export interface DestroyResult {
  endpoints: Record<string, unknown>;
}

export type Command =
  /**
   * A new session; `session` is its id when the engine chose it (worker engines do, so that a
   * session costs no round trip of its own: the create travels with the session's first
   * command, `then`, whose reply is the reply).
   */
  | { op: 'createSession'; session?: string; then?: Command }
  | { op: 'destroySession'; session: string }
  | { op: 'createEndpoint'; session: string; options: CreateEndpointOptions }
  | { op: 'updateEndpoint'; session: string; endpointId: string; remoteSdp: string; allowedSources?: string[]; direction?: Direction }
  | { op: 'offer'; session: string; endpointId: string; direction?: Direction }
  | { op: 'applyAnswer'; session: string; endpointId: string; remoteSdp: string }
  /** A room, with `members` joined at once (one round trip for a bridge). */
  | { op: 'createRoom'; session: string; members?: RoomMember[] }
  | { op: 'join'; session: string; roomId: string; endpointId: string; mode?: ModeSpec }
  | { op: 'leave'; session: string; endpointId: string }
  | { op: 'setMode'; session: string; endpointId: string; mode: ModeSpec }
  | { op: 'play'; session: string; target: string; items: PlayItem[]; loop?: boolean }
  | { op: 'stopPlay'; session: string; playId: string }
  | { op: 'record'; session: string; target: string; options: RecordOptions }
  | { op: 'stopRecord'; session: string; recordingId: string }
  | { op: 'sendDtmf'; session: string; endpointId: string; digits: string; toneMs?: number; gapMs?: number }
  /** Answering machine detection on what the endpoint says; the reply is the decision (machine-detection.ts). */
  | { op: 'detectMachine'; session: string; endpointId: string; settings?: Partial<AmdSettings> }
  | { op: 'stats'; session?: string; id?: string }
  /** Starts every worker's tick-lateness figures over (to measure a stretch of time). */
  | { op: 'resetTickStats' }
  | { op: 'destroy'; session: string; id: string; finalStats?: boolean };

export interface EndpointCreated {
  endpointId: string;
  localSdp: string;
}

export interface DtmfEvent {
  sessionId: string;
  endpointId: string;
  digit: string;
  source: 'rfc4733' | 'inband';
  durationMs: number;
}

export interface MediaTimeoutEvent {
  sessionId: string;
  endpointId: string;
  idleMs: number;
}

export interface PlaybackDoneEvent {
  sessionId: string;
  playId: string;
  /** finished: the queue played out; stopped: stopPlay; destroyed: its target went away. */
  reason: 'finished' | 'stopped' | 'destroyed';
  playedMs: number;
}

export interface RecordingDoneEvent {
  sessionId: string;
  recordingId: string;
  result: RecordingResult | null;
  error?: string;
}

export interface EndpointErrorEvent {
  sessionId: string;
  endpointId: string;
  message: string;
}

export interface WorkerExitEvent {
  worker: number;
  code: number | null;
  error?: string;
  /** Sessions that lived in the worker: gone, their calls should be hung up. */
  lostSessions: string[];
}

export interface MediaEngineEvents {
  dtmf: [DtmfEvent];
  media_timeout: [MediaTimeoutEvent];
  playback_done: [PlaybackDoneEvent];
  recording_done: [RecordingDoneEvent];
  endpoint_error: [EndpointErrorEvent];
  worker_exit: [WorkerExitEvent];
}

/** An event as a host emits it (the engine re-emits it by name). */
export type HostEvent = {
  [K in Exclude<keyof MediaEngineEvents, 'worker_exit'>]: { name: K; payload: MediaEngineEvents[K][0] };
}[Exclude<keyof MediaEngineEvents, 'worker_exit'>];

/** Worker thread messages. */
export type ToWorker = { type: 'command'; id: number; command: Command } | { type: 'close' };
export type FromWorker =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: MediaEngineErrorJSON }
  | { type: 'event'; event: HostEvent }
  | { type: 'ready' }
  | { type: 'closed' };
