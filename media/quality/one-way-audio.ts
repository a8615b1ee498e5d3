// One-way audio: a leg whose media flows in only one direction, or carries only silence,
// for long enough that a person would notice ("hello? can you hear me?").
//
// A pure function of when the counters last moved: when the inbound packet count last
// rose, when the outbound one did, and when an inbound frame last had speech-level energy.
// What the SDP direction allows is part of the input, so a call on hold (sendonly,
// recvonly, inactive) is not reported as broken.

export type OneWayAudioVerdict =
  /** Not enough time since media started to say anything. */
  | 'pending'
  /** Media flows both ways (or the directions that are expected do). */
  | 'ok'
  /** We send, the far end sends nothing: we hear nothing. */
  | 'no-inbound'
  /** The far end sends, we send nothing: they hear nothing. */
  | 'no-outbound'
  /** Neither way: a dead leg (the media timeout's business). */
  | 'no-media'
  /** Packets arrive but carry only silence (a muted or broken microphone, or a far end
   *  that sends silence frames instead of the audio). */
  | 'inbound-silence';

export interface OneWayAudioInput {
  nowMs: number;
  /** When media started flowing (answer time): the clock for "never". */
  startedAtMs: number;
  /** When the inbound packet count last rose; null if it never did. */
  lastInboundMs: number | null;
  lastOutboundMs: number | null;
  /** When an inbound frame last had speech-level energy; null if never; undefined if not measured. */
  lastInboundVoiceMs?: number | null;
  /** The negotiated direction lets the far end send to us (sendrecv, or we are recvonly). */
  expectInbound: boolean;
  /** The negotiated direction lets us send (sendrecv, or we are sendonly). */
  expectOutbound: boolean;
  /** How long a direction must stay quiet (ms). */
  thresholdMs: number;
}

export const DEFAULT_ONE_WAY_THRESHOLD_MS = 10_000;

/** Has the thing last seen at `last` (null: never, i.e. since media started) been quiet for the threshold? */
function quiet(i: OneWayAudioInput, last: number | null): boolean {
  return i.nowMs - (last ?? i.startedAtMs) >= i.thresholdMs;
}

/** The verdict for one leg at `nowMs`. */
export function detectOneWayAudio(i: OneWayAudioInput): OneWayAudioVerdict {
  if (i.nowMs - i.startedAtMs < i.thresholdMs) return 'pending';
  const inboundDead = i.expectInbound && quiet(i, i.lastInboundMs);
  const outboundDead = i.expectOutbound && quiet(i, i.lastOutboundMs);
  if (inboundDead && outboundDead) return 'no-media';
  if (inboundDead) return 'no-inbound';
  if (outboundDead) return 'no-outbound';
  if (i.expectInbound && i.lastInboundVoiceMs !== undefined && quiet(i, i.lastInboundVoiceMs)) return 'inbound-silence';
  return 'ok';
}
