// What the media plane reads out of a session description: one MediaDescription per m= line,
// with session-level defaults (c=, direction) already applied.
import type { PayloadFormat } from './codec-catalog.js';
import type { CryptoAttribute } from './crypto-attribute.js';
import { direction, sends, type Direction } from './direction.js';
import type { Connection, Origin } from './sdp-fields.js';

/** The RTP profiles the media plane speaks: plain RTP (RFC 3551) and SRTP with SDES keys (RFC 3711, RFC 4568). */
export type RtpProfile = 'RTP/AVP' | 'RTP/SAVP';

export const isRtpProfile = (p: string): p is RtpProfile => p === 'RTP/AVP' || p === 'RTP/SAVP';

export interface MediaDescription {
  /** Position of the m= line, counting from 0: answers and re-offers keep every line in place. */
  index: number;
  /** "audio", "video", "image", "application"... */
  type: string;
  /** RTP port; 0 means the stream is disabled or rejected (RFC 3264 §5.1, §6). */
  port: number;
  portCount: number;
  /** As written: "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF", "udptl"... */
  protocol: string;
  /** The m= line's formats as written (payload type numbers for RTP). */
  formats: string[];
  /** The media-level c=, else the session-level one. Absent only on a disabled stream. */
  connection?: Connection;
  /** Where RTCP goes when it is not multiplexed: a=rtcp (RFC 3605), else port + 1 (RFC 3264 §5.1). */
  rtcpPort?: number;
  rtcpAddress?: string;
  /** a=rtcp-mux (RFC 5761): the peer can take RTCP on the RTP port. */
  rtcpMux: boolean;
  /** RTP formats in m= order (the offerer's preference, RFC 4566 §5.14), telephone-event included. */
  payloads: PayloadFormat[];
  /** a=ptime / a=maxptime in milliseconds (RFC 4566 §6). */
  ptime?: number;
  maxptime?: number;
  /** Media-level attribute, else session-level, else sendrecv (RFC 3264 §5.1). */
  direction: Direction;
  /** c=0.0.0.0: RFC 2543 hold, or an offer made before the address is known (RFC 3264 §8.4). */
  nullConnection: boolean;
  crypto: CryptoAttribute[];
}

export interface SessionDescription {
  origin: Origin;
  name: string;
  connection?: Connection;
  /** Session-level direction attribute, if any (already applied to each MediaDescription). */
  direction?: Direction;
  media: MediaDescription[];
}

/** The remote side's direction as it will act: an RFC 2543 c=0.0.0.0 hold receives nothing. */
export function effectiveDirection(m: MediaDescription): Direction {
  return m.nullConnection ? direction(sends(m.direction), false) : m.direction;
}

/** The stream a call uses: the first audio m= line with a port (others are rejected or disabled). */
export function activeAudio(sdp: SessionDescription): MediaDescription | undefined {
  return sdp.media.find((m) => m.type === 'audio' && m.port !== 0);
}
