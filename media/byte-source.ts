// Random access to the bytes of an audio file, so header parsers can walk a file of
// tens of megabytes (an MP3 without a Xing header is read frame by frame to its end)
// without holding it all in memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset`; fewer (or none) past the end of the file. */
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(Math.max(0, offset), Math.max(0, Math.min(bytes.length, offset + length))),
  };
}

const WINDOW = 64 * 1024;

/**
 * A file read through one cached window: parsers move mostly forward in small steps,
 * so a 64 KB window turns thousands of 4-byte reads into a few dozen system calls.
 */
export class FileSource implements ByteSource {
  readonly size: number;
  private windowStart = 0;
  private window = new Uint8Array(0);

  private constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  static open(path: string): FileSource {
    return new FileSource(openSync(path, 'r'));
  }

  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length <= 0 || offset >= this.size) return new Uint8Array(0);
    const end = Math.min(this.size, offset + length);
    if (offset < this.windowStart || end > this.windowStart + this.window.length) {
      const size = Math.min(Math.max(WINDOW, end - offset), this.size - offset);
      const buf = new Uint8Array(size);
      let got = 0;
      while (got < size) {
        const n = readSync(this.fd, buf, got, size - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      this.window = buf.subarray(0, got);
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, end - this.windowStart);
  }

  close(): void {
    closeSync(this.fd);
  }
}
