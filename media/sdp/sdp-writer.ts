// The session descriptions we send. Offers, answers and re-offers
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

// The lines are written here rather than through sdp-transform's writer, which builds an object
// tree and formats every line through regular expressions: an offer or answer is written for every
// call, and that was ~10% of a media worker's time per call and ~40 KB of garbage (bench/README.md
// "calls"). The output is byte for byte what sdp-transform wrote (sdp-writer.test.ts compares
// the two): its line order (v o s c t, then per m= line the a= lines in its grammar's order:
// rtpmap, fmtp, crypto, ptime, maxptime, direction, rtcp-mux) and its number formatting (%d is
// Number()).

function audioLines(a: OutgoingAudio, out: string[]): void {
  let formats = '';
  for (let i = 0; i < a.payloads.length; i++) formats += (i === 0 ? '' : ' ') + String(a.payloads[i]!.payloadType);
  out.push(`m=audio ${Number(a.port)} ${a.protocol} ${formats}`);
  for (const p of a.payloads) {
    // sdp-transform: "rtpmap:%d %s/%s/%s" with an encoding (channels), "%d %s/%s" with a rate.
    if (p.channels > 1) out.push(`a=rtpmap:${Number(p.payloadType)} ${p.name}/${p.clockRate}/${p.channels}`);
    else if (p.clockRate) out.push(`a=rtpmap:${Number(p.payloadType)} ${p.name}/${p.clockRate}`);
    else out.push(`a=rtpmap:${Number(p.payloadType)} ${p.name}`);
  }
  for (const p of a.payloads) if (p.fmtp !== undefined) out.push(`a=fmtp:${Number(p.payloadType)} ${p.fmtp}`);
  for (const c of a.crypto) out.push(`a=crypto:${Number(c.tag)} ${c.key.suite} ${formatKeyParams(c.key)}`);
  if (a.ptime !== undefined) out.push(`a=ptime:${Number(a.ptime)}`);
  if (a.maxptime !== undefined) out.push(`a=maxptime:${Number(a.maxptime)}`);
  out.push(`a=${a.direction}`);
  if (a.rtcpMux) out.push('a=rtcp-mux');
}

export function writeSdp(d: OutgoingSdp): string {
  // sdp-transform wrote the version with %d, i.e. through Number(): keep it exact.
  const version = Number(d.origin.sessionVersion);
  if (!Number.isSafeInteger(version)) throw new RangeError(`session version ${d.origin.sessionVersion} is too large to write`);
  const o = d.origin;
  const out = [
    'v=0',
    `o=${o.username} ${o.sessionId} ${version} IN IP${ipVer(o.address)} ${o.address}`,
    `s=${d.name}`,
    `c=IN IP${ipVer(d.address)} ${d.address}`,
    't=0 0',
  ];
  for (const m of d.media) {
    if (m.kind === 'audio') audioLines(m, out);
    else out.push(`m=${m.type} 0 ${m.protocol} ${m.formats.join(' ')}`);
  }
  out.push('');
  return out.join('\r\n');
}
