// AES in Counter Mode as SRTP uses it (RFC 3711 §4.1.1), built on one AES-ECB cipher
// object per key so a packet does not create a cipher.
//
// RFC 3711 §4.1.1: the keystream is the encryption of the counter blocks IV, IV + 1,
// IV + 2, ... and every IV SRTP forms (salt, SSRC and index, all shifted left 16 bits) has
// its 16 low bits zero — so the block number goes in the last two bytes with no carry,
// for up to 2^16 blocks.
//
// node:crypto's aes-128-ctr would need createCipheriv() per packet (the IV is fixed at
// creation). Encrypting the counter blocks with a long-lived ECB cipher gives the same
// keystream; the only allocation per packet is the Buffer `update()` returns.
import { type Cipher, createCipheriv } from 'node:crypto';

export const AES_BLOCK = 16;

export class AesCounterMode {
  private readonly ecb: Cipher;
  private readonly counters: Uint8Array;
  /** views[n] = the first n counter blocks, made once so a packet makes no views. */
  private readonly views: Uint8Array[] = [];

  /** `maxBytes`: the longest input `xor` accepts. */
  constructor(
    key: Uint8Array,
    readonly maxBytes = 2048,
  ) {
    const name = key.length === 16 ? 'aes-128-ecb' : key.length === 32 ? 'aes-256-ecb' : null;
    if (!name) throw new RangeError('AES keys are 16 or 32 bytes');
    this.ecb = createCipheriv(name, key, null).setAutoPadding(false);
    const blocks = Math.ceil(maxBytes / AES_BLOCK);
    this.counters = new Uint8Array(blocks * AES_BLOCK);
    for (let n = 0; n <= blocks; n++) this.views.push(this.counters.subarray(0, n * AES_BLOCK));
  }

  /**
   * XORs `data[start..end)` with the keystream that starts at counter block `iv` (16
   * bytes, low 16 bits zero). Returns false if the range is longer than `maxBytes`.
   */
  xor(iv: Uint8Array, data: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length <= 0) return length === 0;
    if (length > this.maxBytes) return false;
    const blocks = Math.ceil(length / AES_BLOCK);
    const c = this.counters;
    for (let j = 0; j < blocks; j++) {
      const o = j * AES_BLOCK;
      for (let k = 0; k < 14; k++) c[o + k] = iv[k]!;
      c[o + 14] = iv[14]! ^ (j >>> 8);
      c[o + 15] = iv[15]! ^ (j & 0xff);
    }
    const keystream = this.ecb.update(this.views[blocks]!);
    for (let i = 0; i < length; i++) data[start + i]! ^= keystream[i]!;
    return true;
  }
}
