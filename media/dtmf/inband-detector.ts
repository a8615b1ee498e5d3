// In-band DTMF detection: finds Q.23 digits in audio, for peers that send them as tones.
//
// Each block of 106 samples at 8 kHz (13.25 ms; scaled for other rates) goes through eight
// Goertzel filters, one per Q.23 frequency. A block holds a digit when the strongest row and the
// strongest column tone pass every check:
//   level      each tone at least minLevelDbfs
//   twist      the two tones' levels differ no more than the twist limits (a line attenuates the
//              high group more, hence the larger limit when the row tone is the louder one)
//   peak       each is at least relativePeakDb above the other tones of its own group
//   energy     the two tones carry at least minToneEnergy of the block's energy — the check that
//              rejects speech, music and noise, which spread their energy across the band
// A digit starts after enough consecutive blocks agree (so that any tone of minToneMs starts one,
// and a blip of half that never does), and ends after enough consecutive blocks do not (so that any
// pause of minGapMs ends it, and a 10 ms dropout does not split one key press into two).
//
// Why 106 samples: the low-group tones are only 73–89 Hz apart, and a block of N samples resolves
// about fs/N; at 106 samples (75 Hz) each row filter lands near a null of its neighbours' leakage,
// while two blocks still fit in the shortest tone Q.24 asks us to accept (40 ms).
import { goertzelPower } from '../dsp/goertzel.js';
import { DTMF_COLUMNS, DTMF_ROWS, digitAt, dtmfEventCode } from './digits.js';

/** A key press found in the audio, reported once, when it ends. */
export interface DetectedDigit {
  digit: string;
  /** Index (from the first sample ever processed) of the first sample of the first block that held it. */
  startSample: number;
  /** From that block's start to the end of the last block that held it. */
  durationMs: number;
}

export interface InbandDtmfDetectorOptions {
  /** Called once per key press, when it ends (or on flush()). */
  onDigit: (digit: DetectedDigit) => void;
  /** Called when a key press is confirmed (for barge-in). Optional. */
  onDigitStart?: (digit: string, startSample: number) => void;
  /** Default 8000. */
  sampleRate?: number;
  /** Weakest tone accepted, dBFS per tone (peak-referenced). Default -36 (about -33 dBm0 in G.711). */
  minLevelDbfs?: number;
  /** How far the column (high) tone may be above the row tone, dB. Default 4. */
  maxForwardTwistDb?: number;
  /** How far the row (low) tone may be above the column tone, dB. Default 8. */
  maxReverseTwistDb?: number;
  /** How far each tone must be above the others of its group, dB. Default 6. */
  relativePeakDb?: number;
  /** Share of the block's energy the two tones must carry, 0..1. Default 0.8. */
  minToneEnergy?: number;
  /** Tones this long are always detected (tones of half this never are). Default 40. */
  minToneMs?: number;
  /** Pauses this long always separate two presses of the same key. Default 40. */
  minGapMs?: number;
}

/** Block length at 8 kHz; other rates scale it to the same 13.25 ms. */
const BLOCK_8K = 106;
const NONE = -1;

const dbToPower = (db: number): number => Math.pow(10, db / 10);

/**
 * A synchronous processor: process() each frame of one audio stream (any length, any split),
 * flush() when it ends. Allocates nothing per frame; one DetectedDigit object per reported digit.
 */
export class InbandDtmfDetector {
  private readonly onDigit: (digit: DetectedDigit) => void;
  private readonly onDigitStart: ((digit: string, startSample: number) => void) | undefined;
  private readonly sampleRate: number;
  private readonly block: Int16Array;
  private readonly minPower: number;
  private readonly maxForwardTwist: number;
  private readonly maxReverseTwist: number;
  private readonly relativePeak: number;
  private readonly minToneEnergy: number;
  private readonly hitsToStart: number;
  private readonly missesToEnd: number;
  private readonly rowPowers = new Float64Array(4);
  private readonly columnPowers = new Float64Array(4);

  private fillLevel = 0;
  /** Samples processed before the block being filled. */
  private blockStart = 0;
  // The run of consecutive blocks holding the same candidate digit (event code).
  private candidate = NONE;
  private candidateRun = 0;
  private candidateStart = 0;
  // The digit being held.
  private active = NONE;
  private activeStart = 0;
  private activeEnd = 0;
  private misses = 0;

  private readonly stats = { blocks: 0, toneBlocks: 0, digits: 0 };

  constructor(o: InbandDtmfDetectorOptions) {
    this.onDigit = o.onDigit;
    this.onDigitStart = o.onDigitStart;
    this.sampleRate = o.sampleRate ?? 8000;
    if (!(this.sampleRate >= 8000)) throw new RangeError(`DTMF detection needs at least 8 kHz, got ${this.sampleRate}`);
    this.block = new Int16Array(Math.round((BLOCK_8K * this.sampleRate) / 8000));
    this.minPower = dbToPower(o.minLevelDbfs ?? -36);
    this.maxForwardTwist = dbToPower(o.maxForwardTwistDb ?? 4);
    this.maxReverseTwist = dbToPower(o.maxReverseTwistDb ?? 8);
    this.relativePeak = dbToPower(o.relativePeakDb ?? 6);
    this.minToneEnergy = o.minToneEnergy ?? 0.8;
    // A block passes the energy check about when the tone fills minToneEnergy of it (the share is
    // roughly the fraction of the block the tone covers), and fails when silence fills the rest.
    const n = this.block.length;
    const toneSamples = Math.round(((o.minToneMs ?? 40) * this.sampleRate) / 1000);
    const gapSamples = Math.round(((o.minGapMs ?? 40) * this.sampleRate) / 1000);
    this.hitsToStart = Math.max(1, fewestBlocks(toneSamples, Math.ceil(this.minToneEnergy * n), n));
    this.missesToEnd = Math.max(1, fewestBlocks(gapSamples, Math.floor((1 - this.minToneEnergy) * n) + 1, n));
  }

  /** Feeds the next samples of the stream. Allocates nothing (except a reported digit). */
  process(samples: Int16Array): void {
    const size = this.block.length;
    for (let i = 0; i < samples.length; ) {
      const n = Math.min(samples.length - i, size - this.fillLevel);
      for (let k = 0; k < n; k++) this.block[this.fillLevel + k] = samples[i + k]!;
      this.fillLevel += n;
      i += n;
      if (this.fillLevel === size) {
        this.decide(this.classify());
        this.blockStart += size;
        this.fillLevel = 0;
      }
    }
  }

  /** Reports the digit being held, if any (the stream ended). */
  flush(): void {
    if (this.active !== NONE) this.end();
    this.candidate = NONE;
    this.candidateRun = 0;
  }

  /** The digit currently held, or null. */
  get current(): string | null {
    return this.active === NONE ? null : digitOf(this.active);
  }

  toJSON(): Record<string, number | string | null> {
    return { ...this.stats, current: this.current };
  }

  /** The event code of the digit this block holds, or NONE. */
  private classify(): number {
    this.stats.blocks++;
    const block = this.block;
    const n = block.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += block[i]! * block[i]!;
    // Mean square as a fraction of full scale. A sine of peak A has mean square A²/2 and Goertzel
    // power A², so a pure two-tone block has (row + column power) / 2 equal to its mean square.
    const energy = sum / (n * 1073741824);
    if (energy < this.minPower) return NONE; // too quiet for two tones at minLevel: skip the filters

    const row = strongest(block, this.sampleRate, DTMF_ROWS, this.rowPowers);
    const column = strongest(block, this.sampleRate, DTMF_COLUMNS, this.columnPowers);
    const rowPower = this.rowPowers[row]!;
    const columnPower = this.columnPowers[column]!;
    if (rowPower < this.minPower || columnPower < this.minPower) return NONE;
    if (columnPower > rowPower * this.maxForwardTwist || rowPower > columnPower * this.maxReverseTwist) return NONE;
    if (!standsOut(this.rowPowers, row, this.relativePeak) || !standsOut(this.columnPowers, column, this.relativePeak)) {
      return NONE;
    }
    if ((rowPower + columnPower) / 2 < energy * this.minToneEnergy) return NONE;
    this.stats.toneBlocks++;
    return dtmfEventCode(digitAt(row, column));
  }

  private decide(hit: number): void {
    const blockEnd = this.blockStart + this.block.length;
    if (hit !== NONE && hit === this.candidate) {
      this.candidateRun++;
    } else {
      this.candidate = hit;
      this.candidateRun = hit === NONE ? 0 : 1;
      this.candidateStart = this.blockStart;
    }
    if (this.active !== NONE) {
      if (hit === this.active) {
        this.misses = 0;
        this.activeEnd = blockEnd;
      } else {
        // Another key pressed without a pause ends this one the same way a pause does.
        if (++this.misses >= this.missesToEnd) this.end();
      }
    }
    if (this.active === NONE && this.candidate !== NONE && this.candidateRun >= this.hitsToStart) {
      this.active = this.candidate;
      this.activeStart = this.candidateStart;
      this.activeEnd = blockEnd;
      this.misses = 0;
      this.onDigitStart?.(digitOf(this.active), this.activeStart);
    }
  }

  private end(): void {
    const code = this.active;
    this.active = NONE;
    this.stats.digits++;
    this.onDigit({
      digit: digitOf(code),
      startSample: this.activeStart,
      durationMs: ((this.activeEnd - this.activeStart) * 1000) / this.sampleRate,
    });
  }
}

/**
 * However a stretch of `span` samples falls across blocks of `block` samples, at least this many
 * blocks have `overlap` or more of their samples inside it. At 8 kHz with the 0.8 default: a 40 ms
 * tone always fills 2 blocks enough to pass, and a 40 ms pause always spoils 3 (a 10 ms dropout at
 * most 2, so it never splits a press).
 */
export function fewestBlocks(span: number, overlap: number, block: number): number {
  if (span < overlap) return 0;
  return Math.max(0, Math.floor((span - 2 * overlap + 1) / block) + 1);
}

function digitOf(code: number): string {
  return '0123456789*#ABCD'[code]!;
}

/** Fills powers[] with the Goertzel power at each frequency and returns the index of the largest. */
function strongest(block: Int16Array, rate: number, frequencies: readonly number[], powers: Float64Array): number {
  let best = 0;
  for (let k = 0; k < 4; k++) {
    powers[k] = goertzelPower(block, rate, frequencies[k]!);
    if (powers[k]! > powers[best]!) best = k;
  }
  return best;
}

/** True when powers[best] is at least `ratio` times every other entry. */
function standsOut(powers: Float64Array, best: number, ratio: number): boolean {
  const p = powers[best]!;
  for (let k = 0; k < 4; k++) if (k !== best && powers[k]! * ratio > p) return false;
  return true;
}
