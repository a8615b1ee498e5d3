// What a player plays, one queue entry at a time: a decoded prompt, a tone, or silence. Each
// source copies its next samples into the caller's frame at an offset, so an entry that ends in
// the middle of a frame hands the rest of the frame to the next entry with no gap.
//
// Allocation: a ToneSource allocates its generator and a one-frame buffer when created (at
// play() time); read() allocates nothing in any source.
import { ToneGenerator } from '../dsp/tone.js';
import type { Prompt } from './prompt-loader.js';

export interface PlaySource {
  readonly type: 'file' | 'tone' | 'silence';
  /** The file played, for stats. */
  readonly path: string | null;
  /** Samples in the whole entry; Infinity for a tone without a duration. */
  readonly totalSamples: number;
  /** Samples played so far. */
  readonly position: number;
  /** Writes up to `count` samples at out[offset]; returns how many (0 once the entry is over). */
  read(out: Int16Array, offset: number, count: number): number;
  /** Back to the start (a looping queue replays its entries). */
  reset(): void;
}

export class PromptSource implements PlaySource {
  readonly type = 'file';
  readonly path: string;
  readonly totalSamples: number;
  position = 0;
  private readonly samples: Int16Array;

  constructor(prompt: Prompt) {
    this.path = prompt.path;
    this.samples = prompt.samples;
    this.totalSamples = prompt.samples.length;
  }

  read(out: Int16Array, offset: number, count: number): number {
    const n = Math.min(count, this.totalSamples - this.position);
    const src = this.samples;
    const from = this.position;
    // An index loop rather than out.set(src.subarray(…)): subarray allocates a view per frame.
    for (let i = 0; i < n; i++) out[offset + i] = src[from + i]!;
    this.position += n;
    return n;
  }

  reset(): void {
    this.position = 0;
  }
}

export class SilenceSource implements PlaySource {
  readonly type = 'silence';
  readonly path = null;
  position = 0;

  constructor(readonly totalSamples: number) {}

  read(out: Int16Array, offset: number, count: number): number {
    const n = Math.min(count, this.totalSamples - this.position);
    out.fill(0, offset, offset + n);
    this.position += n;
    return n;
  }

  reset(): void {
    this.position = 0;
  }
}

export interface ToneSpec {
  frequencies: number[];
  /** dBFS per component. Default -10 (ToneGenerator's default). */
  level?: number;
  onMs?: number;
  offMs?: number;
  /** How long the entry lasts; omitted = until stop() (a tone never ends a queue by itself). */
  durationMs?: number;
}

/**
 * A tone through ToneGenerator, whose fill() writes a whole array: it fills a one-frame buffer
 * and this source hands that out piecewise, so the tone stays phase- and cadence-continuous
 * whatever offset in the frame it starts at.
 */
export class ToneSource implements PlaySource {
  readonly type = 'tone';
  readonly path = null;
  readonly totalSamples: number;
  position = 0;
  private readonly generator: ToneGenerator;
  private readonly buffer: Int16Array;
  /** Next unread sample of `buffer` (buffer.length = empty). */
  private bufferPos: number;

  constructor(spec: ToneSpec, sampleRate: number, frameSamples: number) {
    this.generator = new ToneGenerator({
      frequencies: spec.frequencies,
      sampleRate,
      ...(spec.level !== undefined ? { level: spec.level } : {}),
      ...(spec.onMs !== undefined ? { onMs: spec.onMs } : {}),
      ...(spec.offMs !== undefined ? { offMs: spec.offMs } : {}),
    });
    this.totalSamples = spec.durationMs === undefined ? Infinity : Math.round((spec.durationMs * sampleRate) / 1000);
    this.buffer = new Int16Array(frameSamples);
    this.bufferPos = frameSamples;
  }

  read(out: Int16Array, offset: number, count: number): number {
    const n = Math.min(count, this.totalSamples - this.position);
    let done = 0;
    // Bounded: each pass copies at least one sample (the buffer is refilled when empty).
    while (done < n) {
      if (this.bufferPos === this.buffer.length) {
        this.generator.fill(this.buffer);
        this.bufferPos = 0;
      }
      const k = Math.min(n - done, this.buffer.length - this.bufferPos);
      for (let i = 0; i < k; i++) out[offset + done + i] = this.buffer[this.bufferPos + i]!;
      this.bufferPos += k;
      done += k;
    }
    this.position += n;
    return n;
  }

  reset(): void {
    this.generator.reset();
    this.bufferPos = this.buffer.length;
    this.position = 0;
  }
}
