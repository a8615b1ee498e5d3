// The session descriptions we send, written with sdp-transform. Offers, answers and re-offers
// all come through here, so every SDP we produce has the same shape:
//
//   v=0
//   o=- 4858321234 2 IN IP4 203.0.113.5
//   s=-
//   c=IN IP4 203.0.113.5
//   t=0 0
//   m=audio 40000 RTP/AVP 0 101          ← the one audio stream we use
//   a=rtpmap:0 PCMU/8000
//   a=rtpmap:101 telephone-event/8000
//   a=fmtp:101 0-16
//   a=ptime:20
//   a=sendrecv
//   m=video 0 RTP/AVP 31                 ← every other offered stream, rejected in place
import { isIPv6 } from 'node:net';
import { write as transformWrite, type MediaDescription as TransformMedia, type SessionDescription as TransformSession } from 'sdp-transform';
import type { PayloadFormat } from './codec-catalog.js';
import { formatKeyParams, type SrtpKey } from './crypto-attribute.js';
import type { Direction } from './direction.js';
import type { RtpProfile } from './media-description.js';
import type { AddressFamily } from './sdp-fields.js';

export interface OutgoingAudio {
  kind: 'audio';
  port: number;
  protocol: RtpProfile;
  /** In preference order, with the fmtp we want to receive. */
  payloads: PayloadFormat[];
  ptime?: number;
  maxptime?: number;
  direction: Direction;
  crypto: { tag: number; key: SrtpKey }[];
  rtcpMux: boolean;
}

/** RFC 3264 §6: "To reject an offered stream, the port number in the corresponding stream in the answer MUST be set to zero. Any media formats listed are ignored. At least one MUST be present, as specified by SDP." */
export interface OutgoingRejected {
  kind: 'rejected';
  type: string;
  protocol: string;
  formats: string[];
}

export interface OutgoingSdp {
  origin: { username: string; sessionId: string; sessionVersion: string; address: string };
  name: string;
  /** Session-level c=: where we receive. */
  address: string;
  media: (OutgoingAudio | OutgoingRejected)[];
}

export const familyOf = (address: string): AddressFamily => (isIPv6(address) ? 'IP6' : 'IP4');
const ipVer = (address: string): number => (isIPv6(address) ? 6 : 4);

function audioMedia(a: OutgoingAudio): TransformMedia {
  const m: TransformMedia = {
    type: 'audio',
    port: a.port,
    protocol: a.protocol,
    payloads: a.payloads.map((p) => p.payloadType).join(' '),
    rtp: a.payloads.map((p) => ({ payload: p.payloadType, codec: p.name, rate: p.clockRate, ...(p.channels > 1 ? { encoding: p.channels } : {}) })),
    fmtp: a.payloads.flatMap((p) => (p.fmtp === undefined ? [] : [{ payload: p.payloadType, config: p.fmtp }])),
    direction: a.direction,
  };
  if (a.crypto.length > 0) m.crypto = a.crypto.map((c) => ({ id: c.tag, suite: c.key.suite, config: formatKeyParams(c.key) }));
  if (a.ptime !== undefined) m.ptime = a.ptime;
  if (a.maxptime !== undefined) m.maxptime = a.maxptime;
  if (a.rtcpMux) m.rtcpMux = 'rtcp-mux';
  return m;
}

const rejectedMedia = (r: OutgoingRejected): TransformMedia => ({
  type: r.type,
  port: 0,
  protocol: r.protocol,
  payloads: r.formats.join(' '),
  rtp: [],
  fmtp: [],
});

export function writeSdp(d: OutgoingSdp): string {
  // sdp-transform writes the version with %d, i.e. through Number(): keep it exact.
  const version = Number(d.origin.sessionVersion);
  if (!Number.isSafeInteger(version)) throw new RangeError(`session version ${d.origin.sessionVersion} is too large to write`);
  const session: TransformSession = {
    version: 0,
    origin: {
      username: d.origin.username,
      sessionId: d.origin.sessionId,
      sessionVersion: version,
      netType: 'IN',
      ipVer: ipVer(d.origin.address),
      address: d.origin.address,
    },
    name: d.name,
    connection: { version: ipVer(d.address), ip: d.address },
    timing: { start: 0, stop: 0 },
    media: d.media.map((m) => (m.kind === 'audio' ? audioMedia(m) : rejectedMedia(m))),
  };
  return transformWrite(session);
}
