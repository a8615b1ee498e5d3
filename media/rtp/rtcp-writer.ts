// Writing RTCP packets (RFC 3550 §6.4-§6.6; layouts in rtcp.ts): the `write*` functions
// write one packet into a caller's buffer at an offset, return the offset after it and
// allocate nothing — what RtcpSession uses every report. `serializeRtcp` builds a whole
// compound datagram from parsed packets (allocates; control path and tests).
import { RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR, REPORT_BLOCK_BYTES, SDES_CNAME, SENDER_INFO_BYTES, type ReportBlock, type RtcpPacket, type SenderInfo } from './rtcp.js';
import { writeU32 } from './rtp-header.js';

function need(out: Uint8Array, end: number): void {
  if (end > out.length) throw new RangeError('RTCP packet does not fit the buffer');
}

function writeHeader(out: Uint8Array, o: number, count: number, pt: number, bytes: number): void {
  out[o] = 0x80 | (count & 0x1f);
  out[o + 1] = pt;
  const words = bytes / 4 - 1;
  out[o + 2] = words >>> 8;
  out[o + 3] = words;
}

/** Writes one 24-byte report block at `o`; returns the offset after it. */
export function writeReportBlock(out: Uint8Array, o: number, r: ReportBlock): number {
  writeU32(out, o, r.ssrc);
  out[o + 4] = r.fractionLost;
  // Clamp to the signed 24-bit range, as A.3 does for the value it sends.
  const lost = r.cumulativeLost > 0x7fffff ? 0x7fffff : r.cumulativeLost < -0x800000 ? -0x800000 : r.cumulativeLost;
  out[o + 5] = lost >> 16;
  out[o + 6] = lost >> 8;
  out[o + 7] = lost;
  writeU32(out, o + 8, r.highestSequence);
  writeU32(out, o + 12, r.jitter);
  writeU32(out, o + 16, r.lastSr);
  writeU32(out, o + 20, r.delaySinceLastSr);
  return o + REPORT_BLOCK_BYTES;
}

/** Writes an SR with the first `count` of `reports` at `o`; returns the offset after it. */
export function writeSenderReport(
  out: Uint8Array,
  o: number,
  ssrc: number,
  info: SenderInfo,
  reports: readonly ReportBlock[],
  count = reports.length,
): number {
  const bytes = 8 + SENDER_INFO_BYTES + count * REPORT_BLOCK_BYTES;
  need(out, o + bytes);
  writeHeader(out, o, count, RTCP_SR, bytes);
  writeU32(out, o + 4, ssrc);
  writeU32(out, o + 8, info.ntpSeconds);
  writeU32(out, o + 12, info.ntpFraction);
  writeU32(out, o + 16, info.rtpTimestamp);
  writeU32(out, o + 20, info.packetCount);
  writeU32(out, o + 24, info.octetCount);
  let p = o + 28;
  for (let i = 0; i < count; i++) p = writeReportBlock(out, p, reports[i]!);
  return p;
}

/** Writes an RR with the first `count` of `reports` at `o`; returns the offset after it. */
export function writeReceiverReport(out: Uint8Array, o: number, ssrc: number, reports: readonly ReportBlock[], count = reports.length): number {
  const bytes = 8 + count * REPORT_BLOCK_BYTES;
  need(out, o + bytes);
  writeHeader(out, o, count, RTCP_RR, bytes);
  writeU32(out, o + 4, ssrc);
  let p = o + 8;
  for (let i = 0; i < count; i++) p = writeReportBlock(out, p, reports[i]!);
  return p;
}

/** Bytes of one SDES chunk with items of these text lengths (the null terminator and padding included). */
function sdesChunkBytes(itemBytes: number): number {
  return 4 + ((itemBytes + 4) & ~3);
}

/** Writes an SDES packet with one chunk holding only a CNAME (UTF-8 bytes, ≤ 255). */
export function writeSdesCname(out: Uint8Array, o: number, ssrc: number, cname: Uint8Array): number {
  if (cname.length > 255) throw new RangeError('an SDES item is at most 255 bytes');
  const chunk = sdesChunkBytes(2 + cname.length);
  need(out, o + 4 + chunk);
  writeHeader(out, o, 1, RTCP_SDES, 4 + chunk);
  writeU32(out, o + 4, ssrc);
  out[o + 8] = SDES_CNAME;
  out[o + 9] = cname.length;
  out.set(cname, o + 10);
  const end = o + 4 + chunk;
  out.fill(0, o + 10 + cname.length, end);
  return end;
}

/** Writes a BYE for `ssrcs` with an optional reason (UTF-8 bytes, ≤ 255). */
export function writeBye(out: Uint8Array, o: number, ssrcs: readonly number[], reason?: Uint8Array): number {
  if (reason && reason.length > 255) throw new RangeError('a BYE reason is at most 255 bytes');
  const reasonBytes = reason ? (reason.length + 1 + 3) & ~3 : 0;
  const bytes = 4 + 4 * ssrcs.length + reasonBytes;
  need(out, o + bytes);
  writeHeader(out, o, ssrcs.length, RTCP_BYE, bytes);
  let p = o + 4;
  for (const s of ssrcs) {
    writeU32(out, p, s);
    p += 4;
  }
  if (reason) {
    out[p] = reason.length;
    out.set(reason, p + 1);
    out.fill(0, p + 1 + reason.length, o + bytes);
  }
  return o + bytes;
}

const utf8Encoder = new TextEncoder();

function packetBytes(p: RtcpPacket): number {
  switch (p.type) {
    case 'sr':
      return 28 + p.reports.length * REPORT_BLOCK_BYTES;
    case 'rr':
      return 8 + p.reports.length * REPORT_BLOCK_BYTES;
    case 'sdes':
      return 4 + p.chunks.reduce((n, c) => n + sdesChunkBytes(c.items.reduce((m, i) => m + 2 + utf8Encoder.encode(i.text).length, 0)), 0);
    case 'bye':
      return 4 + 4 * p.ssrcs.length + (p.reason === undefined ? 0 : (utf8Encoder.encode(p.reason).length + 4) & ~3);
    case 'other':
      return 4 + ((p.body.length + 3) & ~3);
  }
}

/** Serialises packets into one compound datagram (allocates; not for the per-packet path). */
export function serializeRtcp(packets: readonly RtcpPacket[]): Uint8Array {
  const out = new Uint8Array(packets.reduce((n, p) => n + packetBytes(p), 0));
  let o = 0;
  for (const p of packets) {
    switch (p.type) {
      case 'sr':
        o = writeSenderReport(out, o, p.ssrc, p, p.reports);
        break;
      case 'rr':
        o = writeReceiverReport(out, o, p.ssrc, p.reports);
        break;
      case 'sdes': {
        const start = o;
        let q = o + 4;
        for (const c of p.chunks) {
          const chunkStart = q;
          writeU32(out, q, c.ssrc);
          q += 4;
          for (const item of c.items) {
            const text = utf8Encoder.encode(item.text);
            if (text.length > 255) throw new RangeError('an SDES item is at most 255 bytes');
            out[q] = item.type;
            out[q + 1] = text.length;
            out.set(text, q + 2);
            q += 2 + text.length;
          }
          q = chunkStart + 4 + ((q - chunkStart - 4 + 4) & ~3);
        }
        writeHeader(out, start, p.chunks.length, RTCP_SDES, q - start);
        o = q;
        break;
      }
      case 'bye':
        o = writeBye(out, o, p.ssrcs, p.reason === undefined ? undefined : utf8Encoder.encode(p.reason));
        break;
      case 'other': {
        const bytes = 4 + ((p.body.length + 3) & ~3);
        writeHeader(out, o, p.count, p.packetType, bytes);
        out.set(p.body, o + 4);
        o += bytes;
        break;
      }
    }
  }
  return out;
}
