// HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1) for SRTP's per-packet authentication tag,
// written here so it allocates nothing per packet.
//
// node:crypto's createHmac() builds a new object (and a digest Buffer) for every message;
// at 100,000 SRTP packets a second that is 200,000 short-lived objects a second. This
// keeps the key's inner and outer SHA-1 states (the compression of K XOR ipad and K XOR
// opad, which RFC 2104 §4 notes can be computed once per key) so a packet costs its own
// blocks plus one for the outer hash, in preallocated typed arrays. Checked against
// node:crypto in the tests.
import { createHash } from 'node:crypto';

const BLOCK = 64;
export const SHA1_BYTES = 20;

export class HmacSha1 {
  private readonly innerStart = new Int32Array(5);
  private readonly outerStart = new Int32Array(5);
  private readonly h = new Int32Array(5);
  private readonly w = new Int32Array(80);
  private readonly block = new Uint8Array(BLOCK);
  private readonly innerDigest = new Uint8Array(SHA1_BYTES);
  private blockLength = 0;
  private total = 0;

  constructor(key: Uint8Array) {
    // RFC 2104 §2: keys longer than B bytes are first hashed.
    const k = new Uint8Array(BLOCK);
    k.set(key.length > BLOCK ? createHash('sha1').update(key).digest() : key);
    const pad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) pad[i] = k[i]! ^ 0x36;
    this.resetState();
    this.compress(pad, 0);
    this.innerStart.set(this.h);
    for (let i = 0; i < BLOCK; i++) pad[i] = k[i]! ^ 0x5c;
    this.resetState();
    this.compress(pad, 0);
    this.outerStart.set(this.h);
    this.start();
  }

  private resetState(): void {
    const h = this.h;
    h[0] = 0x67452301;
    h[1] = 0xefcdab89 | 0;
    h[2] = 0x98badcfe | 0;
    h[3] = 0x10325476;
    h[4] = 0xc3d2e1f0 | 0;
  }

  /** Begins a new message under the same key. */
  start(): this {
    this.h.set(this.innerStart);
    this.blockLength = 0;
    this.total = BLOCK;
    return this;
  }

  /** Adds `data[start..end)`. */
  update(data: Uint8Array, start = 0, end = data.length): this {
    let i = start;
    this.total += end - start;
    if (this.blockLength > 0) {
      const n = Math.min(BLOCK - this.blockLength, end - i);
      for (let k = 0; k < n; k++) this.block[this.blockLength + k] = data[i + k]!;
      this.blockLength += n;
      i += n;
      if (this.blockLength < BLOCK) return this;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    while (end - i >= BLOCK) {
      this.compress(data, i);
      i += BLOCK;
    }
    for (; i < end; i++) this.block[this.blockLength++] = data[i]!;
    return this;
  }

  /** Adds a 32-bit big-endian number (SRTP appends the ROC this way, RFC 3711 §4.2). */
  updateUint32(v: number): this {
    this.total += 4;
    for (let shift = 24; shift >= 0; shift -= 8) {
      this.block[this.blockLength++] = v >>> shift;
      if (this.blockLength === BLOCK) {
        this.compress(this.block, 0);
        this.blockLength = 0;
      }
    }
    return this;
  }

  /** Finishes the message and writes the first `length` bytes of the MAC at `out[offset]`. */
  digestInto(out: Uint8Array, offset = 0, length = SHA1_BYTES): void {
    this.finish(this.innerDigest, 0, SHA1_BYTES);
    this.h.set(this.outerStart);
    this.blockLength = 0;
    this.total = BLOCK;
    this.update(this.innerDigest);
    this.finish(out, offset, length);
    this.start();
  }

  /** SHA-1 padding (FIPS 180-4 §5.1.1) and output of the current state. */
  private finish(out: Uint8Array, offset: number, length: number): void {
    const bits = this.total * 8;
    const block = this.block;
    block[this.blockLength++] = 0x80;
    if (this.blockLength > BLOCK - 8) {
      block.fill(0, this.blockLength);
      this.compress(block, 0);
      this.blockLength = 0;
    }
    block.fill(0, this.blockLength, BLOCK - 8);
    const high = Math.floor(bits / 4294967296);
    block[56] = high >>> 24;
    block[57] = high >>> 16;
    block[58] = high >>> 8;
    block[59] = high;
    block[60] = bits >>> 24;
    block[61] = bits >>> 16;
    block[62] = bits >>> 8;
    block[63] = bits;
    this.compress(block, 0);
    for (let i = 0; i < length; i++) out[offset + i] = this.h[i >>> 2]! >>> (24 - 8 * (i & 3));
  }

  /** The SHA-1 compression function over `b[o..o+64)` (FIPS 180-4 §6.1.2). */
  private compress(b: Uint8Array, o: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const i = o + 4 * t;
      w[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    const h = this.h;
    let a = h[0]!;
    let bb = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let t = 0;
    for (; t < 20; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + w[t]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    for (; t < 40; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    for (; t < 60; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((bb & c) | (bb & d) | (c & d)) + e + 0x8f1bbcdc + w[t]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    for (; t < 80; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0xca62c1d6 + w[t]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + bb) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
}

/** Equal bytes? Runs over all `length` bytes whatever they hold, so timing reveals nothing. */
export function constantTimeEqual(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number, length: number): boolean {
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= a[aOffset + i]! ^ b[bOffset + i]!;
  return diff === 0;
}
