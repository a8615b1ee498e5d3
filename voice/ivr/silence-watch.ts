// Ends a voicemail recording when the caller has said nothing for a while. The media engine
// writes the recording's WAV as it goes (at least once a second), so the file itself is read
// here, a little behind, and every 20 ms block of it measured: a block at -40 dBFS or louder
// (the level the recorder's silence trim uses) is sound. Reading the file keeps this out of
// the media worker's tick, and costs one small read a poll.
import { open, type FileHandle } from 'node:fs/promises';
import { PCM_WAV_HEADER_BYTES } from '../../media/recorder/pcm-wav-header.js';

const THRESHOLD_DBFS = -40;
const THRESHOLD_MS = (32768 * 10 ** (THRESHOLD_DBFS / 20)) ** 2;

export interface SilenceWatchOptions {
  /** The WAV being written (mono, 16-bit). */
  path: string;
  sampleRate: number;
  /** Silence this long ends the recording. */
  silenceMs: number;
  /** How often the file is read (default 250 ms). */
  pollMs?: number;
  onSilence: () => void;
}

export class SilenceWatch {
  private fh: FileHandle | undefined;
  private offset = PCM_WAV_HEADER_BYTES;
  /** Samples read so far, and the sample just after the last loud block. */
  private samples = 0;
  private lastSound = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private stopped = false;

  constructor(private readonly o: SilenceWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.o.pollMs ?? 250);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }

  /** Milliseconds of the recording read so far. */
  get heardMs(): number {
    return (this.samples * 1000) / this.o.sampleRate;
  }

  private async poll(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      this.fh ??= await open(this.o.path, 'r');
      const block = (this.o.sampleRate / 50) * 2;
      // Whole blocks only; the rest is read on the next poll.
      const buf = Buffer.alloc(block * 50);
      for (let i = 0; i < 20 && !this.stopped; i++) {
        const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.offset);
        const usable = bytesRead - (bytesRead % block);
        if (usable === 0) break;
        for (let at = 0; at < usable; at += block) this.measure(buf, at, block);
        this.offset += usable;
        if (usable < buf.length) break;
      }
      if (!this.stopped && (this.samples - this.lastSound) * 1000 >= this.o.silenceMs * this.o.sampleRate) {
        this.stopped = true;
        this.o.onSilence();
      }
    } catch {
      // Not there yet (the engine opens it on its thread), or gone: the next poll or stop() settles it.
    } finally {
      this.busy = false;
    }
  }

  private measure(buf: Buffer, at: number, bytes: number): void {
    let sum = 0;
    for (let i = at; i < at + bytes; i += 2) {
      const v = buf.readInt16LE(i);
      sum += v * v;
    }
    const n = bytes / 2;
    this.samples += n;
    if (sum >= THRESHOLD_MS * n) this.lastSound = this.samples;
  }
}
