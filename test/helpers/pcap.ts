// A reader for classic libpcap capture files, enough to replay RTP captures (sipp's
// /usr/share/sip-tester/*.pcap) into media processors in tests.
//
// File header (24 bytes), in the writer's byte order, which the magic number reveals:
//   0 magic (4): a1b2c3d4 = µs timestamps, a1b23c4d = ns timestamps
//   4 version major (2) | 6 minor (2) | 8 thiszone (4) | 12 sigfigs (4) | 16 snaplen (4)
//  20 link type (4): 1 Ethernet, 0 BSD loopback, 101 raw IP, 113 Linux cooked (SLL)
// Each record: ts seconds (4) | ts fraction (4) | captured length (4) | original length (4) | data
//
// IPv4 header: 0 version/IHL | 2 total length (2) | 6 flags/fragment offset (2) | 9 protocol
//              12 source (4) | 16 destination (4); options to IHL×4
// UDP header:  0 source port (2) | 2 destination port (2) | 4 length (2) | 6 checksum (2)
import { readFileSync } from 'node:fs';

export interface UdpDatagram {
  /** Capture time in milliseconds since the epoch (fractional). */
  timeMs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** The UDP payload (a view into the file's bytes). */
  payload: Uint8Array;
}

export interface RtpPacket extends UdpDatagram {
  version: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** The RTP payload: after the header, CSRCs and extension, before any padding. */
  rtpPayload: Uint8Array;
}

const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const MAX_RECORDS = 1_000_000;

/** Offset of the IPv4 header within a link-layer frame, or -1 when the frame is not IPv4. */
function ipv4Offset(link: number, frame: DataView): number {
  if (link === LINK_RAW) return 0;
  if (link === LINK_NULL) return frame.byteLength >= 4 ? 4 : -1; // the family word's byte order varies
  if (link === LINK_LINUX_SLL) return frame.byteLength >= 16 && frame.getUint16(14) === 0x0800 ? 16 : -1;
  if (link === LINK_ETHERNET) {
    let at = 12;
    let type = frame.byteLength >= 14 ? frame.getUint16(at) : 0;
    while ((type === 0x8100 || type === 0x88a8) && frame.byteLength >= at + 6) {
      at += 4; // 802.1Q / 802.1ad tag
      type = frame.getUint16(at);
    }
    return type === 0x0800 ? at + 2 : -1;
  }
  throw new Error(`pcap link type ${link} is not supported`);
}

/** The UDP datagrams over IPv4 in a classic pcap file (other packets and non-first fragments skipped). */
export function readPcapUdp(file: string | Uint8Array): UdpDatagram[] {
  const bytes = typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw new Error('not a pcap file: shorter than its header');
  const magicLe = view.getUint32(0, true);
  let little: boolean;
  let nanos: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    little = true;
    nanos = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = view.getUint32(0, false);
    if (magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d) throw new Error('not a classic pcap file (pcapng is not supported)');
    little = false;
    nanos = magicBe === 0xa1b23c4d;
  }
  const link = view.getUint32(20, little);
  const out: UdpDatagram[] = [];
  let at = 24;
  for (let n = 0; n < MAX_RECORDS && at + 16 <= bytes.length; n++) {
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const start = at + 16;
    at = start + captured;
    if (at > bytes.length) break; // truncated last record
    const frame = new DataView(bytes.buffer, bytes.byteOffset + start, captured);
    const ip = ipv4Offset(link, frame);
    if (ip < 0 || captured < ip + 20 || frame.getUint8(ip) >> 4 !== 4) continue;
    const ihl = (frame.getUint8(ip) & 0x0f) * 4;
    const fragmentOffset = frame.getUint16(ip + 6) & 0x1fff;
    if (frame.getUint8(ip + 9) !== 17 || fragmentOffset !== 0) continue;
    const udp = ip + ihl;
    if (captured < udp + 8) continue;
    const udpLength = frame.getUint16(udp + 4);
    const end = Math.min(captured, udp + Math.max(8, udpLength));
    const dotted = (o: number): string =>
      `${frame.getUint8(o)}.${frame.getUint8(o + 1)}.${frame.getUint8(o + 2)}.${frame.getUint8(o + 3)}`;
    out.push({
      timeMs: seconds * 1000 + fraction / (nanos ? 1e6 : 1e3),
      src: dotted(ip + 12),
      dst: dotted(ip + 16),
      srcPort: frame.getUint16(udp),
      dstPort: frame.getUint16(udp + 2),
      payload: bytes.subarray(start + udp + 8, start + end),
    });
  }
  return out;
}

/** The RTP packets (version 2) among the UDP datagrams of a pcap file; RTCP and non-RTP are skipped. */
export function readPcapRtp(file: string | Uint8Array): RtpPacket[] {
  const out: RtpPacket[] = [];
  for (const d of readPcapUdp(file)) {
    const p = d.payload;
    if (p.length < 12 || p[0]! >> 6 !== 2) continue;
    const payloadType = p[1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 76) continue; // RTCP SR/RR/SDES/BYE/APP (RFC 5761 §4)
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    let headerEnd = 12 + (p[0]! & 0x0f) * 4;
    if (p[0]! & 0x10) {
      if (p.length < headerEnd + 4) continue;
      headerEnd += 4 + v.getUint16(headerEnd + 2) * 4;
    }
    const padding = p[0]! & 0x20 ? p[p.length - 1]! : 0;
    if (headerEnd > p.length - padding) continue;
    out.push({
      ...d,
      version: 2,
      marker: (p[1]! & 0x80) !== 0,
      payloadType,
      sequence: v.getUint16(2),
      timestamp: v.getUint32(4),
      ssrc: v.getUint32(8),
      rtpPayload: p.subarray(headerEnd, p.length - padding),
    });
  }
  return out;
}
