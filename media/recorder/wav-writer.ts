// A 16-bit PCM WAV file written as the call goes, so a crash loses at most about a second.
//
//   media tick ──write(frame)──▶ current chunk (16 KB) ──full, or sync due──▶ pending chunks
//                                                                                 │ one writev
//   header sizes + fdatasync ◀── about once a second (injected clock) ◀── file ◀──┘
//
// write() is synchronous and only copies samples into a preallocated chunk; all I/O happens in
// one async pump per file, one operation at a time, so the tick never waits on the disk. At open
// the header carries "unknown" sizes (0xFFFFFFFF: streaming readers read to the end of the file);
// each sync rewrites both sizes to cover what is on disk and calls fdatasync. A SIGKILL leaves
// the page cache intact, so the file keeps everything written before the kill and its header
// covers everything before the last sync; repairWav (wav-repair.ts) extends it to the rest.
//
// Memory is bounded: at most maxQueuedBytes of chunks exist per file. When the disk falls that
// far behind, frames are dropped whole (counted in droppedFrames, backpressure set) rather than
// growing the queue without limit.
//
// Allocation: chunks are allocated up to the bound and reused. Steady-state write() allocates
// nothing; each batch write allocates one small array of views (at most a few per second).
import { open as openFile } from 'node:fs/promises';
import {
  MAX_DATA_BYTES,
  PCM_WAV_HEADER_BYTES,
  blockAlign,
  headerBytes,
  setHeaderSizes,
  type PcmFormat,
} from './pcm-wav-header.js';

/** The part of fs/promises' FileHandle the writer uses (tests inject slow or failing files). */
export interface WavFileHandle {
  writev(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }>;
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export type WavSampleRate = 8000 | 16000 | 48000;

export interface WavWriterOptions {
  sampleRate: WavSampleRate;
  channels: 1 | 2;
  /** Monotonic milliseconds. Default performance.now(). */
  now?: () => number;
  /** How often the header sizes are refreshed and the file synced. Default 1000 ms. */
  syncIntervalMs?: number;
  /** Size of one write batch. Default 16 KiB (1 s of 8 kHz mono, 0.25 s of 16 kHz stereo). */
  chunkBytes?: number;
  /** Most bytes of audio held in memory waiting for the disk. Default 256 KiB. */
  maxQueuedBytes?: number;
  /** Opens the file for writing (truncating it). Default fs/promises open(path, 'w'). */
  openFile?: (path: string) => Promise<WavFileHandle>;
}

export interface WavWriterStats {
  path: string;
  sampleRate: number;
  channels: number;
  /** write() calls whose samples were taken. */
  framesWritten: number;
  /** Bytes of samples taken (the data size the file will have once written). */
  bytesWritten: number;
  /** Bytes of samples the file holds so far. */
  bytesOnDisk: number;
  /** Bytes of samples covered by the header at the last sync (what a player reads after a crash). */
  bytesSynced: number;
  /** Clock reading (now()) when the last sync finished; null before the first. */
  lastSyncAt: number | null;
  syncs: number;
  /** Bytes taken but not yet on disk. */
  queuedBytes: number;
  maxQueuedBytes: number;
  /** True while frames are being dropped because the disk is behind. */
  backpressure: boolean;
  /** Frames dropped because the queue was full, the file full (4 GiB) or the disk failing. */
  droppedFrames: number;
  /** Times the queue filled up (each start of a run of dropped frames). */
  backpressureEvents: number;
  /** The first I/O error; after it frames are dropped and close() rejects. */
  error: string | null;
}

export interface WavWriterResult {
  path: string;
  dataBytes: number;
  /** Sample frames (one sample per channel) in the file. */
  sampleFrames: number;
  durationMs: number;
}

export class WavWriterError extends Error {
  override name = 'WavWriterError';
}

const DEFAULT_CHUNK_BYTES = 16 * 1024;
const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024;

/** Writes one PCM WAV file as it goes. Open with WavWriter.open(). */
export class WavWriter {
  readonly path: string;
  readonly format: PcmFormat;
  private readonly file: WavFileHandle;
  private readonly now: () => number;
  private readonly syncIntervalMs: number;
  private readonly chunkBytes: number;
  private readonly maxChunks: number;
  private readonly header: Uint8Array;

  /** Chunks not in use. */
  private readonly free: Uint8Array[] = [];
  private chunksAllocated = 0;
  /** The chunk frames are copied into, and how many of its bytes are used. */
  private current: Uint8Array | null = null;
  private currentFill = 0;
  /** Chunks waiting for the pump, in file order, with their used lengths. */
  private readonly pending: Uint8Array[] = [];
  private readonly pendingLengths: number[] = [];

  private framesWritten = 0;
  private bytesWritten = 0;
  private bytesOnDisk = 0;
  private bytesSynced = 0;
  private lastSyncAt: number | null = null;
  /** Clock reading the next sync is measured from. */
  private syncDueFrom: number;
  private syncs = 0;
  private droppedFrames = 0;
  private backpressureEvents = 0;
  private backpressure = false;
  private error: Error | null = null;

  private syncRequested = false;
  private pumping: Promise<void> | null = null;
  private closing: Promise<WavWriterResult> | null = null;

  private constructor(path: string, file: WavFileHandle, o: WavWriterOptions) {
    this.path = path;
    this.file = file;
    this.format = { sampleRate: o.sampleRate, channels: o.channels };
    this.now = o.now ?? (() => performance.now());
    this.syncIntervalMs = o.syncIntervalMs ?? 1000;
    const align = blockAlign(this.format);
    // Whole sample frames per chunk keep every batch frame-aligned on disk.
    this.chunkBytes = Math.max(align, Math.floor((o.chunkBytes ?? DEFAULT_CHUNK_BYTES) / align) * align);
    this.maxChunks = Math.max(2, Math.floor((o.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES) / this.chunkBytes));
    this.header = headerBytes(this.format);
    this.syncDueFrom = this.now();
  }

  /** Creates (or truncates) `path` and writes the header with unknown sizes. */
  static async open(path: string, o: WavWriterOptions): Promise<WavWriter> {
    if (o.sampleRate !== 8000 && o.sampleRate !== 16000 && o.sampleRate !== 48000) {
      throw new WavWriterError(`unsupported recording sample rate ${String(o.sampleRate)} Hz (8000, 16000 or 48000)`);
    }
    if (o.channels !== 1 && o.channels !== 2) throw new WavWriterError(`unsupported channel count ${String(o.channels)} (1 or 2)`);
    const file = await (o.openFile ?? ((p: string) => openFile(p, 'w')))(path);
    const writer = new WavWriter(path, file, o);
    try {
      await file.write(writer.header, 0, PCM_WAV_HEADER_BYTES, 0);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
    return writer;
  }

  /**
   * Appends `length` samples of interleaved 16-bit PCM from samples[offset] (whole sample
   * frames: a multiple of the channel count). Returns false when the frame was dropped (queue
   * full, file full, write error, or closing). Allocates nothing in steady state.
   */
  write(samples: Int16Array, offset = 0, length = samples.length - offset): boolean {
    const bytes = length * 2;
    if (this.closing || this.error || this.bytesWritten + bytes > MAX_DATA_BYTES || !this.reserve(bytes)) {
      this.drop();
      this.tick();
      return false;
    }
    this.backpressure = false;
    let i = offset;
    const end = offset + length;
    while (i < end) {
      let chunk = this.current!;
      if (this.currentFill === chunk.length) {
        this.queueCurrent();
        chunk = this.current!;
      }
      let at = this.currentFill;
      const n = Math.min(end - i, (chunk.length - at) >> 1);
      // Little-endian byte by byte: the file's byte order whatever the host's.
      for (let k = 0; k < n; k++) {
        const s = samples[i + k]!;
        chunk[at] = s & 0xff;
        chunk[at + 1] = (s >> 8) & 0xff;
        at += 2;
      }
      this.currentFill = at;
      i += n;
    }
    if (this.currentFill === this.current!.length) this.queueCurrent();
    this.framesWritten++;
    this.bytesWritten += bytes;
    this.tick();
    return true;
  }

  /** Starts a sync when one is due. write() calls it; call it on ticks that write nothing. */
  tick(): void {
    if (this.closing || this.error) return;
    if (this.now() - this.syncDueFrom < this.syncIntervalMs) return;
    this.syncDueFrom = this.now();
    this.requestSync();
  }

  /** Writes what is queued, final sizes in the header, syncs and closes. Idempotent. */
  close(): Promise<WavWriterResult> {
    this.closing ??= this.finish();
    return this.closing;
  }

  toJSON(): WavWriterStats {
    return {
      path: this.path,
      sampleRate: this.format.sampleRate,
      channels: this.format.channels,
      framesWritten: this.framesWritten,
      bytesWritten: this.bytesWritten,
      bytesOnDisk: this.bytesOnDisk,
      bytesSynced: this.bytesSynced,
      lastSyncAt: this.lastSyncAt,
      syncs: this.syncs,
      queuedBytes: this.bytesWritten - this.bytesOnDisk,
      maxQueuedBytes: this.maxChunks * this.chunkBytes,
      backpressure: this.backpressure,
      droppedFrames: this.droppedFrames,
      backpressureEvents: this.backpressureEvents,
      error: this.error ? this.error.message : null,
    };
  }

  private async finish(): Promise<WavWriterResult> {
    this.requestSync();
    while (this.pumping) await this.pumping;
    // A failed pump leaves the file as the last good sync made it; still release the fd.
    await this.file.close().catch((err: unknown) => {
      this.error ??= err instanceof Error ? err : new Error(String(err));
    });
    if (this.error) throw new WavWriterError(`recording ${this.path} failed: ${this.error.message}`);
    const sampleFrames = this.bytesOnDisk / blockAlign(this.format);
    return {
      path: this.path,
      dataBytes: this.bytesOnDisk,
      sampleFrames,
      durationMs: (sampleFrames * 1000) / this.format.sampleRate,
    };
  }

  /** Makes sure `bytes` fit in the current chunk plus chunks that may still be allocated or reused. */
  private reserve(bytes: number): boolean {
    if (!this.current && !this.takeChunk()) return false;
    const room = this.current!.length - this.currentFill;
    if (bytes <= room) return true;
    const spare = this.free.length + (this.maxChunks - this.chunksAllocated);
    return bytes - room <= spare * this.chunkBytes;
  }

  private takeChunk(): boolean {
    let chunk = this.free.pop();
    if (!chunk && this.chunksAllocated < this.maxChunks) {
      chunk = new Uint8Array(this.chunkBytes);
      this.chunksAllocated++;
    }
    if (!chunk) return false;
    this.current = chunk;
    this.currentFill = 0;
    return true;
  }

  /** Hands the current chunk to the pump and takes another (reserve() made sure one exists). */
  private queueCurrent(): void {
    if (this.current && this.currentFill > 0) {
      this.pending.push(this.current);
      this.pendingLengths.push(this.currentFill);
      this.current = null;
      this.currentFill = 0;
      this.kick();
    }
    if (!this.current) this.takeChunk();
  }

  private drop(): void {
    this.droppedFrames++;
    if (!this.backpressure) this.backpressureEvents++;
    this.backpressure = true;
  }

  private requestSync(): void {
    // Everything taken so far goes out before the header that will cover it.
    if (this.current && this.currentFill > 0) {
      this.pending.push(this.current);
      this.pendingLengths.push(this.currentFill);
      this.current = null;
      this.currentFill = 0;
    }
    this.syncRequested = true;
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.error) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // Work queued while the last operation finished (the pump's loop saw none).
      if (!this.error && (this.pending.length > 0 || this.syncRequested)) this.kick();
    });
  }

  /** The only code that touches the file after open: one operation at a time, in order. */
  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.pending.length > 0) {
          const count = this.pending.length;
          const views: Uint8Array[] = new Array<Uint8Array>(count);
          let total = 0;
          for (let i = 0; i < count; i++) {
            views[i] = this.pending[i]!.subarray(0, this.pendingLengths[i]);
            total += this.pendingLengths[i]!;
          }
          await this.writeFully(views, total, PCM_WAV_HEADER_BYTES + this.bytesOnDisk);
          this.bytesOnDisk += total;
          for (let i = 0; i < count; i++) this.free.push(this.pending[i]!);
          this.pending.splice(0, count);
          this.pendingLengths.splice(0, count);
        } else if (this.syncRequested) {
          this.syncRequested = false;
          const covered = this.bytesOnDisk;
          setHeaderSizes(this.header, covered);
          await this.writeFully([this.header], PCM_WAV_HEADER_BYTES, 0);
          // fdatasync also persists the file size, which a later read needs ("data" only in name).
          await this.file.datasync();
          this.bytesSynced = covered;
          this.lastSyncAt = this.now();
          this.syncs++;
        } else {
          return;
        }
      }
    } catch (err) {
      this.error = err instanceof Error ? err : new Error(String(err));
      // Nothing more will be written: drop what was waiting, so close() can finish.
      this.pending.length = 0;
      this.pendingLengths.length = 0;
      this.syncRequested = false;
    }
  }

  /** writev may write less than asked (a full disk, a signal); finish the rest or fail. */
  private async writeFully(views: Uint8Array[], total: number, position: number): Promise<void> {
    let done = (await this.file.writev(views, position)).bytesWritten;
    if (done === total) return;
    const flat = new Uint8Array(total);
    let at = 0;
    for (const v of views) {
      flat.set(v, at);
      at += v.length;
    }
    for (let tries = 0; done < total && tries < 16; tries++) {
      const n = (await this.file.write(flat, done, total - done, position + done)).bytesWritten;
      if (n === 0) break;
      done += n;
    }
    if (done < total) throw new WavWriterError(`short write to ${this.path}: ${done} of ${total} bytes`);
  }
}
