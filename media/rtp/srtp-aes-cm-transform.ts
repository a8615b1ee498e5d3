// AES_CM_128_HMAC_SHA1_80: RFC 3711's default transforms applied to one packet in place.
//
// SRTP packet (§3.1)                       SRTCP packet (§3.4)
//   RTP header (incl. CSRCs, extension)      first 8 bytes of the RTCP header (clear)
//   encrypted payload (+ RTP padding)        encrypted rest of the compound packet
//   [MKI]                                    E (1 bit) | SRTCP index (31 bits)
//   authentication tag (80 bits)             [MKI]
//                                            authentication tag (80 bits)
//
// Encryption (§4.1.1): "IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)", with the
// session salt k_s. Authentication (§4.2): HMAC-SHA1 over the authenticated portion
// (header and encrypted payload) followed by the ROC for SRTP, or the authenticated
// portion including E and the index for SRTCP, truncated to 80 bits. The MKI is carried
// but not authenticated.
//
// Allocation per packet: the keystream Buffer node:crypto returns (see aes-cm.ts);
// everything else is preallocated.
import { AES_BLOCK, AesCounterMode } from './aes-cm.js';
import { constantTimeEqual, HmacSha1, SHA1_BYTES } from './hmac-sha1.js';
import { writeU32 } from './rtp-header.js';
import type { SrtpSessionKeys } from './srtp-key-derivation.js';
import { SrtpError, type SrtpTransform } from './srtp-transform.js';

const TAG_BYTES = 10;

export class AesCmTransform implements SrtpTransform {
  readonly rtpOverhead: number;
  readonly rtcpOverhead: number;
  private readonly rtpCipher: AesCounterMode;
  private readonly rtcpCipher: AesCounterMode;
  private readonly rtpMac: HmacSha1;
  private readonly rtcpMac: HmacSha1;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  private readonly iv = new Uint8Array(AES_BLOCK);
  private readonly tag = new Uint8Array(SHA1_BYTES);
  private readonly mki: Uint8Array;

  constructor(keys: SrtpSessionKeys, mki: Uint8Array | undefined, maxPacketBytes: number) {
    this.mki = mki ?? new Uint8Array(0);
    this.rtpOverhead = this.mki.length + TAG_BYTES;
    this.rtcpOverhead = 4 + this.mki.length + TAG_BYTES;
    this.rtpCipher = new AesCounterMode(keys.rtpKey, maxPacketBytes);
    this.rtcpCipher = new AesCounterMode(keys.rtcpKey, maxPacketBytes);
    this.rtpMac = new HmacSha1(keys.rtpAuthKey);
    this.rtcpMac = new HmacSha1(keys.rtcpAuthKey);
    this.rtpSalt = keys.rtpSalt;
    this.rtcpSalt = keys.rtcpSalt;
  }

  /** §4.1.1's IV for index `high * 2^16 + low` (ROC and SEQ, or the SRTCP index split the same way). */
  private setIv(salt: Uint8Array, ssrc: number, high: number, low: number): void {
    const iv = this.iv;
    for (let i = 0; i < 14; i++) iv[i] = salt[i]!;
    iv[14] = 0;
    iv[15] = 0;
    iv[4]! ^= ssrc >>> 24;
    iv[5]! ^= ssrc >>> 16;
    iv[6]! ^= ssrc >>> 8;
    iv[7]! ^= ssrc;
    iv[8]! ^= high >>> 24;
    iv[9]! ^= high >>> 16;
    iv[10]! ^= high >>> 8;
    iv[11]! ^= high;
    iv[12]! ^= low >>> 8;
    iv[13]! ^= low;
  }

  private mkiMatches(buf: Uint8Array, at: number): boolean {
    return this.mki.length === 0 || constantTimeEqual(buf, at, this.mki, 0, this.mki.length);
  }

  encryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number {
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    if (!this.rtpCipher.xor(this.iv, buf, header, end)) return SrtpError.TooLong;
    let o = end;
    if (this.mki.length > 0) {
      buf.set(this.mki, o);
      o += this.mki.length;
    }
    // §4.2: "M = Authenticated Portion || ROC".
    this.rtpMac.start().update(buf, 0, end).updateUint32(roc).digestInto(buf, o, TAG_BYTES);
    return o + TAG_BYTES;
  }

  decryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number {
    const tagAt = end - TAG_BYTES;
    const mkiAt = tagAt - this.mki.length;
    if (!this.mkiMatches(buf, mkiAt)) return SrtpError.BadMki;
    this.rtpMac.start().update(buf, 0, mkiAt).updateUint32(roc).digestInto(this.tag, 0, TAG_BYTES);
    if (!constantTimeEqual(this.tag, 0, buf, tagAt, TAG_BYTES)) return SrtpError.AuthFailed;
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    if (!this.rtpCipher.xor(this.iv, buf, header, mkiAt)) return SrtpError.TooLong;
    return mkiAt;
  }

  encryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number): number {
    this.setIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
    if (!this.rtcpCipher.xor(this.iv, buf, 8, end)) return SrtpError.TooLong;
    // §3.4: the E flag (we always encrypt) above the 31-bit SRTCP index.
    writeU32(buf, end, (0x80000000 | index) >>> 0);
    let o = end + 4;
    if (this.mki.length > 0) {
      buf.set(this.mki, o);
      o += this.mki.length;
    }
    this.rtcpMac.start().update(buf, 0, end + 4).digestInto(buf, o, TAG_BYTES);
    return o + TAG_BYTES;
  }

  rtcpIndexAt(end: number): number {
    return end - TAG_BYTES - this.mki.length - 4;
  }

  decryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number, encrypted: boolean): number {
    const tagAt = end - TAG_BYTES;
    const mkiAt = tagAt - this.mki.length;
    const indexAt = mkiAt - 4;
    if (!this.mkiMatches(buf, mkiAt)) return SrtpError.BadMki;
    this.rtcpMac.start().update(buf, 0, mkiAt).digestInto(this.tag, 0, TAG_BYTES);
    if (!constantTimeEqual(this.tag, 0, buf, tagAt, TAG_BYTES)) return SrtpError.AuthFailed;
    if (encrypted) {
      this.setIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      if (!this.rtcpCipher.xor(this.iv, buf, 8, indexAt)) return SrtpError.TooLong;
    }
    return indexAt;
  }
}
