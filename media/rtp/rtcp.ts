// RTCP packets (RFC 3550 §6.4-§6.6): SR, RR, SDES, BYE; parse a compound packet, write one.
//
// Common header of every RTCP packet, then the sender report's body:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|   RC    |   PT=SR=200   |   length (32-bit words - 1)   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         SSRC of sender                        |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |              NTP timestamp, most significant word             |  sender info
//   |             NTP timestamp, least significant word             |  (SR only)
//   |                         RTP timestamp                         |
//   |                     sender's packet count                     |
//   |                      sender's octet count                     |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                 SSRC_1 (SSRC of first source)                 |  report block,
//   | fraction lost |       cumulative number of packets lost       |  RC of them
//   |           extended highest sequence number received           |  (24 bytes each;
//   |                      interarrival jitter                      |  RR = header, SSRC
//   |                         last SR (LSR)                         |  and these)
//   |                   delay since last SR (DLSR)                  |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//
//   SDES (202): SC chunks of  SSRC | item type (1) | length (1) | text ... | 0 | pad to 32 bits
//   BYE  (203): SC SSRCs, then optionally  length (1) | reason text | pad to 32 bits
//
// Parsing is bounded (at most 64 packets per datagram, 31 blocks/chunks per packet, 32
// items per chunk) and tolerant: packet types it does not know (APP, feedback, XR) come
// back as `other` with their bytes. It allocates result objects: RTCP arrives about once
// every 5 s per stream, not 50 times a second. Writing is in rtcp-writer.ts.
import { readU32 } from './rtp-header.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

export const SDES_CNAME = 1;

const MAX_PACKETS = 64;
const MAX_SDES_ITEMS = 32;
export const REPORT_BLOCK_BYTES = 24;
export const SENDER_INFO_BYTES = 20;

export interface ReportBlock {
  /** The source this block reports on. */
  ssrc: number;
  /** §6.4.1: "the fraction of RTP data packets from source SSRC_n lost since the previous SR or RR packet was sent, expressed as a fixed point number with the binary point at the left edge of the field" (0-255). */
  fractionLost: number;
  /** Signed 24-bit cumulative loss (negative when duplicates outnumber losses). */
  cumulativeLost: number;
  /** Extended highest sequence number received: 16 bits of cycles, 16 of sequence number. */
  highestSequence: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** LSR: the middle 32 bits of the NTP timestamp of the last SR from this source, 0 if none. */
  lastSr: number;
  /** DLSR: delay since receiving that SR, in units of 1/65536 s. */
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface SenderReport extends SenderInfo {
  type: 'sr';
  ssrc: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: ReportBlock[];
}

export interface SdesItem {
  type: number;
  text: string;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export interface SourceDescription {
  type: 'sdes';
  chunks: SdesChunk[];
}

export interface Goodbye {
  type: 'bye';
  ssrcs: number[];
  reason?: string;
}

/** A packet type this parser does not interpret: APP, RTPFB/PSFB (RFC 4585), XR (RFC 3611). */
export interface OtherRtcp {
  type: 'other';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** The bytes after the 4-byte header, padding removed (a copy). */
  body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | OtherRtcp;

export type RtcpError =
  | 'too-short'
  | 'bad-version'
  | 'truncated'
  | 'bad-padding'
  | 'padding-not-last'
  | 'too-many-packets'
  | 'report-overrun'
  | 'bad-sdes'
  | 'bad-bye';

export type RtcpParseResult =
  | {
      ok: true;
      packets: RtcpPacket[];
      /** A.2: the payload type "of the first RTCP packet in a compound packet must be equal to SR or RR"; false means a reduced-size packet (RFC 5506). */
      compound: boolean;
    }
  | { ok: false; reason: RtcpError };

const utf8 = new TextDecoder('utf-8', { fatal: false });
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** The cumulative-loss field is a signed 24-bit number. */
function int24(b: Uint8Array, o: number): number {
  const v = (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

function readReportBlock(b: Uint8Array, o: number): ReportBlock {
  return {
    ssrc: readU32(b, o),
    fractionLost: b[o + 4]!,
    cumulativeLost: int24(b, o + 5),
    highestSequence: readU32(b, o + 8),
    jitter: readU32(b, o + 12),
    lastSr: readU32(b, o + 16),
    delaySinceLastSr: readU32(b, o + 20),
  };
}

function readReports(b: Uint8Array, from: number, end: number, count: number): ReportBlock[] | null {
  if (from + count * REPORT_BLOCK_BYTES > end) return null;
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(b, from + i * REPORT_BLOCK_BYTES));
  return reports;
}

function readSdes(b: Uint8Array, start: number, end: number, count: number): SdesChunk[] | null {
  const chunks: SdesChunk[] = [];
  let o = start;
  for (let c = 0; c < count; c++) {
    if (o + 4 > end) return null;
    const chunk: SdesChunk = { ssrc: readU32(b, o), items: [] };
    o += 4;
    for (;;) {
      if (o >= end) return null;
      const type = b[o]!;
      if (type === 0) break;
      if (o + 2 > end || chunk.items.length >= MAX_SDES_ITEMS) return null;
      const len = b[o + 1]!;
      if (o + 2 + len > end) return null;
      chunk.items.push({ type, text: utf8.decode(b.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    // §6.5: the null item ends the list, "additional null octets MUST be included if
    // needed to pad until the next 32-bit boundary" (chunks start on 32-bit boundaries).
    o = start + ((o - start + 4) & ~3);
    chunks.push(chunk);
  }
  return chunks;
}

function readBye(b: Uint8Array, start: number, end: number, count: number): Goodbye | null {
  if (start + 4 * count > end) return null;
  const bye: Goodbye = { type: 'bye', ssrcs: [] };
  for (let i = 0; i < count; i++) bye.ssrcs.push(readU32(b, start + 4 * i));
  const o = start + 4 * count;
  if (o < end) {
    const len = b[o]!;
    if (o + 1 + len > end) return null;
    bye.reason = utf8.decode(b.subarray(o + 1, o + 1 + len));
  }
  return bye;
}

/**
 * Parses a (compound) RTCP datagram `b[0..length)`, already decrypted if SRTCP. Checks
 * A.2's validity rules that hold for any RTCP packet: version 2, padding only on the last
 * packet, lengths that add up to the datagram. Never throws.
 */
export function parseRtcp(b: Uint8Array, length = b.length): RtcpParseResult {
  if (length < 4) return { ok: false, reason: 'too-short' };
  const packets: RtcpPacket[] = [];
  let o = 0;
  while (o < length) {
    if (packets.length >= MAX_PACKETS) return { ok: false, reason: 'too-many-packets' };
    if (o + 4 > length) return { ok: false, reason: 'truncated' };
    const b0 = b[o]!;
    if (b0 >>> 6 !== 2) return { ok: false, reason: 'bad-version' };
    const count = b0 & 0x1f;
    const pt = b[o + 1]!;
    const end = o + (u16(b, o + 2) + 1) * 4;
    if (end > length) return { ok: false, reason: 'truncated' };
    let bodyEnd = end;
    if (b0 & 0x20) {
      // A.2: "The padding bit (P) should be zero for the first packet of a compound RTCP
      // packet because padding should only be applied, if it is needed, to the last packet."
      if (end !== length) return { ok: false, reason: 'padding-not-last' };
      const pad = b[end - 1]!;
      if (pad === 0 || pad > end - o - 4) return { ok: false, reason: 'bad-padding' };
      bodyEnd = end - pad;
    }
    const body = o + 4;
    switch (pt) {
      case RTCP_SR: {
        if (body + 4 + SENDER_INFO_BYTES > bodyEnd) return { ok: false, reason: 'report-overrun' };
        const reports = readReports(b, body + 4 + SENDER_INFO_BYTES, bodyEnd, count);
        if (!reports) return { ok: false, reason: 'report-overrun' };
        packets.push({
          type: 'sr',
          ssrc: readU32(b, body),
          ntpSeconds: readU32(b, body + 4),
          ntpFraction: readU32(b, body + 8),
          rtpTimestamp: readU32(b, body + 12),
          packetCount: readU32(b, body + 16),
          octetCount: readU32(b, body + 20),
          reports,
        });
        break;
      }
      case RTCP_RR: {
        if (body + 4 > bodyEnd) return { ok: false, reason: 'report-overrun' };
        const reports = readReports(b, body + 4, bodyEnd, count);
        if (!reports) return { ok: false, reason: 'report-overrun' };
        packets.push({ type: 'rr', ssrc: readU32(b, body), reports });
        break;
      }
      case RTCP_SDES: {
        const chunks = readSdes(b, body, bodyEnd, count);
        if (!chunks) return { ok: false, reason: 'bad-sdes' };
        packets.push({ type: 'sdes', chunks });
        break;
      }
      case RTCP_BYE: {
        const bye = readBye(b, body, bodyEnd, count);
        if (!bye) return { ok: false, reason: 'bad-bye' };
        packets.push(bye);
        break;
      }
      default:
        packets.push({ type: 'other', packetType: pt, count, body: b.slice(body, bodyEnd) });
    }
    o = end;
  }
  const first = packets[0]!.type;
  return { ok: true, packets, compound: first === 'sr' || first === 'rr' };
}

/** The CNAME of the first SDES chunk that has one, if any. */
export function findCname(packets: readonly RtcpPacket[]): string | undefined {
  for (const p of packets) {
    if (p.type !== 'sdes') continue;
    for (const c of p.chunks) for (const i of c.items) if (i.type === SDES_CNAME) return i.text;
  }
  return undefined;
}
