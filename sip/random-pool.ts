// Random bytes for the hot path (tags, nonces): crypto.randomBytes for a few bytes is
// a call into the system's generator every time; a pool draws 4 KiB at once and hands
// out slices. Same source (the OS CSPRNG), fewer calls.
import { randomFillSync } from 'node:crypto';

export class RandomPool {
  private readonly pool: Buffer;
  private offset: number;

  constructor(size = 4096) {
    this.pool = Buffer.allocUnsafe(size);
    this.offset = size;
  }

  /** n fresh random bytes (a copy: callers may keep them). */
  bytes(n: number): Buffer {
    if (n > this.pool.length) return randomFillSync(Buffer.allocUnsafe(n));
    if (this.offset + n > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = Buffer.from(this.pool.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  hex(nBytes: number): string {
    if (this.offset + nBytes > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const s = this.pool.toString('hex', this.offset, this.offset + nBytes);
    this.offset += nBytes;
    return s;
  }
}
