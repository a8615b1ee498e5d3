// The unit a room works in: 20 ms of mono 16-bit PCM at one of the rates the resampler serves.

/** The rates a room mixes at and its members may run at (media/dsp/resample.ts converts between them). */
export type SampleRate = 8000 | 16000 | 48000;

/** Every room ticks every 20 ms: the ptime nearly every SIP peer uses, and what the tests and bench assume. */
export const FRAME_MS = 20;

/** Samples in one 20 ms frame at `rate` (160, 320, 960). */
export function frameSamples(rate: SampleRate): number {
  return (rate * FRAME_MS) / 1000;
}

export function assertSampleRate(rate: number, what: string): asserts rate is SampleRate {
  if (rate !== 8000 && rate !== 16000 && rate !== 48000) {
    throw new RangeError(`${what}: sample rate ${rate} is not one of 8000, 16000, 48000`);
  }
}

/**
 * Something that says 20 ms of audio per tick at its own rate: a participant's decoded RTP
 * (rtp-input.ts), a player, a tone. Called once per room tick, so it must allocate nothing.
 */
export interface FrameSource {
  readonly sampleRate: SampleRate;
  /**
   * Writes the next 20 ms into `out` (exactly frameSamples(sampleRate) long). Returns false when
   * there is nothing to hear this tick; `out` may then hold anything and the room skips it.
   */
  readFrame(out: Int16Array): boolean;
}

/**
 * Something that takes a member's mix on every tick: the engine's encoder for a participant, a
 * recorder for a tap. `frame` is the member's reused output buffer: read it before returning.
 */
export interface FrameSink {
  /** `heard` is false when nothing audible went into the frame (it is then all zeros). */
  writeFrame(frame: Int16Array, heard: boolean): void;
}
