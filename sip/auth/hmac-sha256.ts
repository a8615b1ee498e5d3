// HMAC-SHA256 (RFC 2104 over FIPS 180-4) for the nonce MAC, in JavaScript, with the key's
// two padded blocks compressed once when the key is set.
//
// Why not node:crypto: every createHmac (or crypto.hash) call on Node 20 builds an
// OpenSSL context and looks the digest up again, ~2.5 µs for a 30-byte input, and a
// REGISTER costs two nonce MACs (one issued with the 401, one checked with the retry).
// Here a MAC of a short input is two compression rounds (the message block and the
// outer block) on precomputed states, with no allocation but the 32-byte result.
//
//   HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))
//   state after (K ⊕ ipad), state after (K ⊕ opad): computed in the constructor
//
// node:crypto remains the reference: the unit test compares both on many inputs.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const BLOCK = 64;

/** One SHA-256 compression of block[off..off+64) into `h` (8 words). `w` is scratch (64 words). */
function compress(h: Int32Array, block: Uint8Array, off: number, w: Int32Array): void {
  for (let t = 0; t < 16; t++) {
    const j = off + t * 4;
    w[t] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly h = new Int32Array(8);
  private readonly w = new Int32Array(64);
  /** Room for the tail of a message and its padding, and for the outer block. */
  private readonly tail = new Uint8Array(2 * BLOCK);

  constructor(key: Uint8Array) {
    let k = key;
    if (k.length > BLOCK) {
      // RFC 2104 §2: a key longer than the block is hashed first.
      const mac = this.digestFrom(IV, k, 0, k.length, 0);
      k = new Uint8Array(mac);
    }
    const pad = new Uint8Array(BLOCK);
    for (const [state, byte] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      pad.fill(byte);
      for (let i = 0; i < k.length; i++) pad[i] = k[i]! ^ byte;
      state.set(IV);
      compress(state, pad, 0, this.w);
    }
  }

  /** HMAC of bytes[0..length), as 32 bytes (a new array). */
  mac(bytes: Uint8Array, length: number): Uint8Array {
    const innerDigest = this.digestFrom(this.inner, bytes, 0, length, BLOCK);
    const out = this.digestFrom(this.outer, innerDigest, 0, 32, BLOCK);
    return out;
  }

  /**
   * SHA-256 continued from `state` (which has absorbed `prefixBytes` already) over
   * data[off..off+len), finished with the padding; returns the digest bytes.
   */
  private digestFrom(state: Int32Array, data: Uint8Array, off: number, len: number, prefixBytes: number): Uint8Array {
    const h = this.h;
    h.set(state);
    let p = off;
    const end = off + len;
    while (end - p >= BLOCK) {
      compress(h, data, p, this.w);
      p += BLOCK;
    }
    const tail = this.tail;
    const rest = end - p;
    tail.fill(0);
    for (let i = 0; i < rest; i++) tail[i] = data[p + i]!;
    tail[rest] = 0x80;
    const blocks = rest + 9 > BLOCK ? 2 : 1;
    const bits = (prefixBytes + len) * 8;
    const last = blocks * BLOCK;
    // Message length in bits, 64-bit big-endian; our inputs stay far below 2^32 bits.
    tail[last - 4] = (bits >>> 24) & 0xff;
    tail[last - 3] = (bits >>> 16) & 0xff;
    tail[last - 2] = (bits >>> 8) & 0xff;
    tail[last - 1] = bits & 0xff;
    compress(h, tail, 0, this.w);
    if (blocks === 2) compress(h, tail, BLOCK, this.w);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const v = h[i]!;
      out[i * 4] = v >>> 24;
      out[i * 4 + 1] = (v >>> 16) & 0xff;
      out[i * 4 + 2] = (v >>> 8) & 0xff;
      out[i * 4 + 3] = v & 0xff;
    }
    return out;
  }
}
