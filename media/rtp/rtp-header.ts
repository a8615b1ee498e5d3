// RTP fixed header (RFC 3550 §5.1), read and written in place on the packet's bytes.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           synchronization source (SSRC) identifier            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |            contributing source (CSRC) identifiers             |
//   |                      (CC of them, 4 bytes each)               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      defined by profile       |           length              |  header extension
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (§5.3.1, when X=1;
//   |                        header extension                       |   length in 32-bit
//   |                             ....                              |   words)
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 payload ...   | padding ... | padding count   |  (when P=1)
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Everything here works on a Uint8Array (a Buffer is one) and allocates nothing: the
// single-field readers touch only the bytes of that field, so a relay that needs the SSRC
// and sequence number reads six bytes, and `RtpHeaderReader` is one reused object.

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_BYTES = 12;

/** Why a datagram is not an RTP packet we accept (RFC 3550 A.1 header validity checks). */
export const RtpCheck = {
  Ok: 0,
  /** Shorter than the 12-byte fixed header. */
  TooShort: 1,
  /** Version field is not 2. */
  BadVersion: 2,
  /** The CSRC list runs past the end of the packet. */
  CsrcOverrun: 3,
  /** The header extension runs past the end of the packet. */
  ExtensionOverrun: 4,
  /** Padding count is zero or larger than what follows the header. */
  BadPadding: 5,
  /** Second byte 192-223 (marker + payload type 64-95): an RTCP packet on a muxed port (RFC 5761 §4). */
  RtcpPayloadType: 6,
} as const;
export type RtpCheck = (typeof RtpCheck)[keyof typeof RtpCheck];

const CHECK_NAMES = ['ok', 'too-short', 'bad-version', 'csrc-overrun', 'extension-overrun', 'bad-padding', 'rtcp-payload-type'] as const;

/** The reason code as a word for logs and stats ("bad-version"). */
export function rtpCheckName(check: RtpCheck): (typeof CHECK_NAMES)[number] {
  return CHECK_NAMES[check]!;
}

export const rtpVersion = (b: Uint8Array): number => b[0]! >>> 6;
export const rtpHasPadding = (b: Uint8Array): boolean => (b[0]! & 0x20) !== 0;
export const rtpHasExtension = (b: Uint8Array): boolean => (b[0]! & 0x10) !== 0;
export const rtpCsrcCount = (b: Uint8Array): number => b[0]! & 0x0f;
export const rtpMarker = (b: Uint8Array): boolean => (b[1]! & 0x80) !== 0;
export const rtpPayloadType = (b: Uint8Array): number => b[1]! & 0x7f;
export const rtpSequence = (b: Uint8Array): number => (b[2]! << 8) | b[3]!;
export const rtpTimestamp = (b: Uint8Array): number => readU32(b, 4);
export const rtpSsrc = (b: Uint8Array): number => readU32(b, 8);
/** The i-th contributing source (caller checks i < CC and the packet is valid). */
export const rtpCsrc = (b: Uint8Array, i: number): number => readU32(b, 12 + 4 * i);

export function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

export function setRtpMarker(b: Uint8Array, marker: boolean): void {
  b[1] = marker ? b[1]! | 0x80 : b[1]! & 0x7f;
}
export function setRtpPayloadType(b: Uint8Array, pt: number): void {
  b[1] = (b[1]! & 0x80) | (pt & 0x7f);
}
export function setRtpSequence(b: Uint8Array, seq: number): void {
  b[2] = seq >>> 8;
  b[3] = seq;
}
export function setRtpTimestamp(b: Uint8Array, ts: number): void {
  writeU32(b, 4, ts);
}
export function setRtpSsrc(b: Uint8Array, ssrc: number): void {
  writeU32(b, 8, ssrc);
}

/**
 * RFC 5761 §4 (RTP and RTCP on one port): "payload type values in the range 64-95 MUST
 * NOT be used", because RTCP packet types 192-223 read as an RTP second byte are the
 * marker bit plus those payload types. So a second byte in 192-223 means RTCP.
 */
export function looksLikeRtcp(b: Uint8Array, length = b.length): boolean {
  if (length < 2) return false;
  const pt = b[1]!;
  return pt >= 192 && pt <= 223;
}

/**
 * The header of one packet, parsed into reused fields. One reader per socket or stream:
 * `read()` overwrites every field, allocates nothing and never throws.
 */
export class RtpHeaderReader {
  version = 0;
  padding = false;
  extension = false;
  csrcCount = 0;
  marker = false;
  payloadType = 0;
  sequence = 0;
  timestamp = 0;
  ssrc = 0;
  /** Offset of the CSRC list (always 12). */
  readonly csrcOffset = RTP_FIXED_HEADER_BYTES;
  /** The 16-bit "defined by profile" field of the header extension (0xBEDE: RFC 8285 one-byte form). */
  extensionProfile = 0;
  /** Offset and length in bytes of the header extension's data (after its 4-byte preamble); 0 when absent. */
  extensionOffset = 0;
  extensionLength = 0;
  /** Where the payload starts: after the fixed header, the CSRCs and the extension. */
  payloadOffset = 0;
  /** Payload bytes, padding excluded. */
  payloadLength = 0;
  /** Padding bytes at the end, the count byte included; 0 when P is clear. */
  paddingLength = 0;

  /**
   * Parses and validates `b[0..length)`. RFC 3550 A.1: "RTP version field must equal 2.
   * ... If the P bit is set, then the last octet of the packet must contain a valid octet
   * count, in particular, less than the total packet length minus the header size. ...
   * the extension length field must be less than the total packet size minus the fixed
   * header length and padding." (The payload type check is the caller's: it knows the
   * negotiated types.) Fields are meaningful only when the result is `RtpCheck.Ok`.
   */
  read(b: Uint8Array, length = b.length): RtpCheck {
    if (length < RTP_FIXED_HEADER_BYTES) return RtpCheck.TooShort;
    const b0 = b[0]!;
    this.version = b0 >>> 6;
    if (this.version !== RTP_VERSION) return RtpCheck.BadVersion;
    if (looksLikeRtcp(b, length)) return RtpCheck.RtcpPayloadType;
    this.padding = (b0 & 0x20) !== 0;
    this.extension = (b0 & 0x10) !== 0;
    this.csrcCount = b0 & 0x0f;
    const b1 = b[1]!;
    this.marker = (b1 & 0x80) !== 0;
    this.payloadType = b1 & 0x7f;
    this.sequence = (b[2]! << 8) | b[3]!;
    this.timestamp = readU32(b, 4);
    this.ssrc = readU32(b, 8);

    let offset = RTP_FIXED_HEADER_BYTES + 4 * this.csrcCount;
    if (offset > length) return RtpCheck.CsrcOverrun;
    this.extensionProfile = 0;
    this.extensionOffset = 0;
    this.extensionLength = 0;
    if (this.extension) {
      if (offset + 4 > length) return RtpCheck.ExtensionOverrun;
      this.extensionProfile = (b[offset]! << 8) | b[offset + 1]!;
      const words = (b[offset + 2]! << 8) | b[offset + 3]!;
      this.extensionOffset = offset + 4;
      this.extensionLength = words * 4;
      offset += 4 + this.extensionLength;
      if (offset > length) return RtpCheck.ExtensionOverrun;
    }
    this.paddingLength = 0;
    if (this.padding) {
      const count = b[length - 1]!;
      if (count === 0 || count > length - offset) return RtpCheck.BadPadding;
      this.paddingLength = count;
    }
    this.payloadOffset = offset;
    this.payloadLength = length - offset - this.paddingLength;
    return RtpCheck.Ok;
  }
}

/**
 * Writes the 12-byte fixed header (no CSRCs, no extension, no padding) at `offset` and
 * returns its length: what every stream this server originates needs, and nothing more.
 */
export function writeRtpHeader(
  out: Uint8Array,
  payloadType: number,
  sequence: number,
  timestamp: number,
  ssrc: number,
  marker = false,
  offset = 0,
): number {
  out[offset] = RTP_VERSION << 6;
  out[offset + 1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  out[offset + 2] = sequence >>> 8;
  out[offset + 3] = sequence;
  writeU32(out, offset + 4, timestamp);
  writeU32(out, offset + 8, ssrc);
  return RTP_FIXED_HEADER_BYTES;
}

/** Every header field, for the general writer. */
export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Up to 15 contributing sources (§5.1: "CC ... 4 bits"). */
  csrcs?: readonly number[];
  /** Header extension: profile word and data, a multiple of 4 bytes long (§5.3.1). */
  extension?: { profile: number; data: Uint8Array };
  /** Sets P; the caller appends the padding with `writeRtpPadding` after the payload. */
  padding?: boolean;
}

/** Bytes `writeRtpHeaderFields` will write for these fields. */
export function rtpHeaderLength(h: RtpHeaderFields): number {
  return RTP_FIXED_HEADER_BYTES + 4 * (h.csrcs?.length ?? 0) + (h.extension ? 4 + h.extension.data.length : 0);
}

/**
 * Writes a full header (CSRCs, extension) at `offset` and returns where the payload goes.
 * Throws on fields the format cannot carry: this is the control path, not the hot path.
 */
export function writeRtpHeaderFields(out: Uint8Array, h: RtpHeaderFields, offset = 0): number {
  const csrcs = h.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('RTP carries at most 15 CSRCs');
  if (h.extension && h.extension.data.length % 4 !== 0) throw new RangeError('RTP header extension data must be a multiple of 4 bytes');
  if (out.length < offset + rtpHeaderLength(h)) throw new RangeError('RTP header does not fit the buffer');
  writeRtpHeader(out, h.payloadType, h.sequence, h.timestamp, h.ssrc, h.marker, offset);
  out[offset] = (RTP_VERSION << 6) | (h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) | csrcs.length;
  let o = offset + RTP_FIXED_HEADER_BYTES;
  for (const c of csrcs) {
    writeU32(out, o, c);
    o += 4;
  }
  if (h.extension) {
    const { profile, data } = h.extension;
    out[o] = profile >>> 8;
    out[o + 1] = profile;
    out[o + 2] = (data.length / 4) >>> 8;
    out[o + 3] = data.length / 4;
    out.set(data, o + 4);
    o += 4 + data.length;
  }
  return o;
}

/**
 * §5.1: "The last octet of the padding contains a count of how many padding octets should
 * be ignored, including itself." Writes `count` padding bytes ending at `end` (zeros, then
 * the count) and returns the new end.
 */
export function writeRtpPadding(out: Uint8Array, end: number, count: number): number {
  if (count < 1 || count > 255) throw new RangeError('RTP padding is 1 to 255 bytes');
  out.fill(0, end, end + count - 1);
  out[end + count - 1] = count;
  return end + count;
}
