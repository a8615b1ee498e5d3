// In-band DTMF: the Q.23 frequency pairs as audio, for peers that did not negotiate telephone-event.
import { ToneGenerator } from '../dsp/tone.js';
import { DTMF_DIGITS, dtmfEventCode, dtmfFrequencies } from './digits.js';

export interface DtmfGeneratorOptions {
  sampleRate: number;
  /** Level of each of the two tones, dBFS (peak-referenced). Default -10 (about -7 dBm0 in G.711). */
  level?: number;
  /** Default tone length per digit. Default 100. */
  toneMs?: number;
  /** Default silence after each digit. Default 100. */
  gapMs?: number;
}

/**
 * Plays queued digits as audio, frame by frame: each digit is its two Q.23 tones for toneMs, then
 * silence for gapMs. fill() writes silence when nothing is queued.
 *
 * Allocates in the constructor (one ToneGenerator per digit and tone length, made on first use)
 * and in enqueue(); fill() allocates nothing once each digit/length has been played once.
 */
export class DtmfGenerator {
  private readonly sampleRate: number;
  private readonly level: number;
  private readonly toneMs: number;
  private readonly gapMs: number;
  /** Tone generators by `${code}/${toneMs}/${gapMs}`, built once and reset() per use. */
  private readonly generators = new Map<string, ToneGenerator>();

  private readonly queue: { tone: ToneGenerator; samples: number }[] = [];
  private head = 0;
  private current: ToneGenerator | null = null;
  /** Samples left in the current digit's tone + gap. */
  private left = 0;

  constructor(o: DtmfGeneratorOptions) {
    this.sampleRate = o.sampleRate;
    this.level = o.level ?? -10;
    this.toneMs = o.toneMs ?? 100;
    this.gapMs = o.gapMs ?? 100;
  }

  /** Queues digits (0-9 * # A-D, a-d accepted); throws RangeError, queueing nothing, on anything else. */
  enqueue(digits: string, o: { toneMs?: number; gapMs?: number } = {}): void {
    const toneMs = o.toneMs ?? this.toneMs;
    const gapMs = o.gapMs ?? this.gapMs;
    if (!(toneMs > 0) || !(gapMs >= 0)) throw new RangeError(`bad DTMF timing: tone ${toneMs} ms, gap ${gapMs} ms`);
    const codes = [...digits].map((ch) => {
      const code = dtmfEventCode(ch);
      if (code < 0) throw new RangeError(`not a DTMF digit: ${JSON.stringify(ch)} in ${JSON.stringify(digits)}`);
      return code;
    });
    // ToneGenerator rounds on and off lengths to whole samples the same way.
    const samples = Math.round((toneMs * this.sampleRate) / 1000) + Math.round((gapMs * this.sampleRate) / 1000);
    for (const code of codes) this.queue.push({ tone: this.generatorFor(code, toneMs, gapMs), samples });
  }

  /**
   * Writes the next out.length samples: the digits' tones and gaps, then silence. Returns true when
   * the frame held any part of a digit (tone or gap), false when it is silence because the queue was
   * already empty. Allocates nothing.
   */
  fill(out: Int16Array): boolean {
    let i = 0;
    let any = false;
    while (i < out.length) {
      if (this.left === 0 && !this.startNext()) {
        out.fill(0, i);
        break;
      }
      any = true;
      const n = Math.min(out.length - i, this.left);
      this.current!.fill(out, i, i + n);
      this.left -= n;
      i += n;
    }
    return any;
  }

  /** Drops queued digits and stops the one playing; the next fill() is silence. */
  cancel(): void {
    this.queue.length = 0;
    this.head = 0;
    this.current = null;
    this.left = 0;
  }

  /** True while a digit is playing or queued. */
  get busy(): boolean {
    return this.left > 0 || this.head < this.queue.length;
  }

  private startNext(): boolean {
    const next = this.queue[this.head];
    if (!next) return false;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    this.current = next.tone;
    this.current.reset();
    this.left = next.samples;
    return this.left > 0;
  }

  private generatorFor(code: number, toneMs: number, gapMs: number): ToneGenerator {
    const key = `${code}/${toneMs}/${gapMs}`;
    let g = this.generators.get(key);
    if (!g) {
      // onMs + offMs gives the tone its cadence: ToneGenerator fades each burst in and out, so
      // digits start and stop without clicks.
      const cadence = gapMs > 0 ? { onMs: toneMs, offMs: gapMs } : {};
      g = new ToneGenerator({ frequencies: dtmfFrequencies(DTMF_DIGITS[code]!), sampleRate: this.sampleRate, level: this.level, ...cadence });
      this.generators.set(key, g);
    }
    return g;
  }
}

/** The audio of `digits` as one buffer (tone, gap, tone, gap…). Allocates: for tests and prompts. */
export function dtmfAudio(digits: string, o: DtmfGeneratorOptions): Int16Array {
  const g = new DtmfGenerator(o);
  g.enqueue(digits);
  const perDigit = Math.round(((o.toneMs ?? 100) * o.sampleRate) / 1000) + Math.round(((o.gapMs ?? 100) * o.sampleRate) / 1000);
  const out = new Int16Array(perDigit * [...digits].length);
  g.fill(out);
  return out;
}
