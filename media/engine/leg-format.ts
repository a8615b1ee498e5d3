// What the room needs to know about a leg's negotiated audio format. Two legs with the same `key`
// may be bridged by relaying packets (Room.canRelay compares it); a change of key on a re-INVITE
// means a new room Participant.
import { codecInfo } from '../codecs/index.js';
import type { SampleRate } from '../room/frame.js';

export interface LegFormat {
  /** SDP encoding name, registered spelling (PCMU, PCMA, G722, opus, L16). */
  name: string;
  /** PCM rate the leg decodes to and encodes from. */
  sampleRate: SampleRate;
  /** RTP timestamp rate. */
  clockRate: number;
  key: string;
}

/**
 * The format of a codec as the engine runs it. Opus legs decode to 16 kHz: wideband speech, and a
 * room with one Opus leg then mixes at 16 kHz, not 48. G.722 carries 16 kHz audio on an 8000 Hz
 * RTP clock (RFC 3551 §4.5.2).
 */
export function legFormat(name: string, clockRate: number): LegFormat {
  const sampleRate = (name === 'opus' || name === 'G722' ? 16000 : clockRate) as SampleRate;
  return { name, sampleRate, clockRate, key: `${name}/${clockRate}/${sampleRate}` };
}

/** The format of the first entry of a codec priority list ("PCMU", "L16/16000"...), before negotiation. */
export function provisionalFormat(codecs: readonly string[]): LegFormat {
  const [name = 'PCMU', rate] = (codecs[0] ?? 'PCMU').split('/');
  const info = codecInfo(name, { sampleRate: Number(rate) || 8000 });
  return legFormat(info.name, info.clockRate);
}
