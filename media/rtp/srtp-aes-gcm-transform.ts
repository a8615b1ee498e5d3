// AEAD_AES_128_GCM (RFC 7714) applied to one packet in place.
//
// SRTP (§8)                                SRTCP (§9, E = 1)
//   RTP header            (AAD, clear)       first 8 bytes of RTCP   (AAD, clear)
//   ciphertext of payload                    ciphertext of the rest
//   16-byte tag                              16-byte tag
//                                            E | SRTCP index (AAD, clear)
//
// §8.1: the 12-byte IV is two zero octets, the SSRC, the ROC and the sequence number,
// XORed with the 12-byte session salt. §9.1: for SRTCP, two zero octets, the SSRC, two
// more zero octets and the 31-bit SRTCP index behind a 0 bit, XORed with the salt.
// §9.3: an SRTCP packet with E = 0 is authenticated only: the whole packet and the ESRTCP
// word are the AAD and the "cipher" is the tag alone. We never send that, but accept it.
//
// Allocation per packet: node:crypto has no way to re-key a GCM context with a new IV, so
// each packet creates a Cipher/Decipher object, and update() and getAuthTag() return new
// Buffers. A failed tag surfaces as an exception from final(), caught here and returned as
// SrtpError.AuthFailed; nothing is written to the packet until the tag has verified.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { readU32, writeU32 } from './rtp-header.js';
import type { SrtpSessionKeys } from './srtp-key-derivation.js';
import { SrtpError, type SrtpTransform } from './srtp-transform.js';

const TAG_BYTES = 16;
const IV_BYTES = 12;
const GCM = 'aes-128-gcm';

export class AesGcmTransform implements SrtpTransform {
  readonly rtpOverhead = TAG_BYTES;
  readonly rtcpOverhead = TAG_BYTES + 4;
  private readonly rtpKey: KeyObject;
  private readonly rtcpKey: KeyObject;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  private readonly iv = new Uint8Array(IV_BYTES);
  /** SRTCP's AAD is not contiguous in the packet (header, then the trailing ESRTCP word). */
  private readonly aad: Uint8Array;

  constructor(keys: SrtpSessionKeys, maxPacketBytes: number) {
    if (keys.rtpKey.length !== 16 || keys.rtcpKey.length !== 16) throw new RangeError('AEAD_AES_128_GCM takes 128-bit keys');
    if (keys.rtpSalt.length !== IV_BYTES || keys.rtcpSalt.length !== IV_BYTES) throw new RangeError('AEAD_AES_128_GCM takes 96-bit salts');
    this.rtpKey = createSecretKey(keys.rtpKey);
    this.rtcpKey = createSecretKey(keys.rtcpKey);
    this.rtpSalt = keys.rtpSalt;
    this.rtcpSalt = keys.rtcpSalt;
    this.aad = new Uint8Array(maxPacketBytes + 4);
  }

  /** IV = (00 00 || SSRC || a || b) XOR salt, where (a, b) is (ROC, SEQ) or (0, index). */
  private setIv(salt: Uint8Array, ssrc: number, a: number, b: number): void {
    const iv = this.iv;
    iv[0] = 0;
    iv[1] = 0;
    writeU32(iv, 2, ssrc);
    writeU32(iv, 6, a);
    iv[10] = b >>> 8;
    iv[11] = b;
    for (let i = 0; i < IV_BYTES; i++) iv[i]! ^= salt[i]!;
  }

  private setRtcpIv(ssrc: number, index: number): void {
    // The 31-bit index right-justified in 4 bytes after "00 00": (a, b) = (index >>> 16, index & 0xffff).
    this.setIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
  }

  encryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number {
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    const c = createCipheriv(GCM, this.rtpKey, this.iv, { authTagLength: TAG_BYTES });
    // §8.2: the associated data is the RTP header, CSRCs and extension included.
    c.setAAD(buf.subarray(0, header));
    const ct = c.update(buf.subarray(header, end));
    c.final();
    buf.set(ct, header);
    buf.set(c.getAuthTag(), end);
    return end + TAG_BYTES;
  }

  decryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number {
    const tagAt = end - TAG_BYTES;
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    const d = createDecipheriv(GCM, this.rtpKey, this.iv, { authTagLength: TAG_BYTES });
    d.setAuthTag(buf.subarray(tagAt, end));
    d.setAAD(buf.subarray(0, header));
    const pt = d.update(buf.subarray(header, tagAt));
    try {
      d.final();
    } catch {
      return SrtpError.AuthFailed;
    }
    buf.set(pt, header);
    return tagAt;
  }

  encryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number): number {
    this.setRtcpIv(ssrc, index);
    const word = (0x80000000 | index) >>> 0;
    // §9.2 (E = 1): AAD = the first 8 octets of the RTCP packet || the ESRTCP word.
    const aad = this.aad;
    for (let i = 0; i < 8; i++) aad[i] = buf[i]!;
    writeU32(aad, 8, word);
    const c = createCipheriv(GCM, this.rtcpKey, this.iv, { authTagLength: TAG_BYTES });
    c.setAAD(aad.subarray(0, 12));
    const ct = c.update(buf.subarray(8, end));
    c.final();
    buf.set(ct, 8);
    buf.set(c.getAuthTag(), end);
    writeU32(buf, end + TAG_BYTES, word);
    return end + TAG_BYTES + 4;
  }

  rtcpIndexAt(end: number): number {
    return end - 4;
  }

  decryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number, encrypted: boolean): number {
    const wordAt = end - 4;
    const tagAt = wordAt - TAG_BYTES;
    const word = readU32(buf, wordAt);
    const aad = this.aad;
    // §9.2 / §9.3: with E = 1 the AAD is the 8-byte header; with E = 0 it is everything
    // before the tag. Either way the ESRTCP word ends it.
    const clear = encrypted ? 8 : tagAt;
    if (clear + 4 > aad.length) return SrtpError.TooLong;
    for (let i = 0; i < clear; i++) aad[i] = buf[i]!;
    writeU32(aad, clear, word);
    this.setRtcpIv(ssrc, index);
    const d = createDecipheriv(GCM, this.rtcpKey, this.iv, { authTagLength: TAG_BYTES });
    d.setAuthTag(buf.subarray(tagAt, wordAt));
    d.setAAD(aad.subarray(0, clear + 4));
    const pt = encrypted ? d.update(buf.subarray(8, tagAt)) : null;
    try {
      d.final();
    } catch {
      return SrtpError.AuthFailed;
    }
    if (pt) buf.set(pt, 8);
    return tagAt;
  }
}
