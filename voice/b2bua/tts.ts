// Speech for the warm transfer's whisper message: espeak-ng (voice/ivr/espeak-tts.ts, the
// provider IVR prompts use too) speaks the text into a 16 kHz mono 16-bit WAV (the wideband
// rate the media engine plays without another conversion) in a private temporary directory,
// deleted after use. Whisper messages are one-offs, so they are not cached like IVR prompts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EspeakTts } from '../ivr/espeak-tts.js';

export const SPEECH_RATE = 16_000;

export interface Speech {
  /** Absolute path of the WAV (16 kHz, mono, 16-bit PCM). */
  path: string;
  durationMs: number;
  /** Deletes the file. */
  dispose(): Promise<void>;
}

export interface SynthesizerOptions {
  /** The espeak-ng executable (default: `espeak-ng` from PATH). */
  command?: string;
  /** espeak-ng voice (default `en-us`). */
  voice?: string;
  /** Words per minute (default 160: a little slower than espeak's 175, for a phone line). */
  wordsPerMinute?: number;
  /** A synthesis that takes longer is killed (default 10 s). */
  timeoutMs?: number;
  /** Where the files go (default: a new directory under the system's temporary directory). */
  dir?: string;
  /** A file nobody disposed of (its consult never answered) is deleted after this long (default 10 min). */
  maxAgeMs?: number;
}

export class Synthesizer {
  private dir: Promise<string> | undefined;
  private readonly espeak: EspeakTts;

  constructor(private readonly o: SynthesizerOptions = {}) {
    this.espeak = new EspeakTts({
      ...(o.command ? { command: o.command } : {}),
      ...(o.wordsPerMinute ? { wordsPerMinute: o.wordsPerMinute } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
  }

  /** Speaks `text` into a WAV file; rejects when espeak-ng is missing, fails or takes too long. */
  async synthesize(text: string): Promise<Speech> {
    const dir = await (this.dir ??= this.o.dir ? Promise.resolve(this.o.dir) : mkdtemp(path.join(tmpdir(), 'switchboard-tts-')));
    const out = path.join(dir, `${randomBytes(8).toString('hex')}.wav`);
    const { durationMs } = await this.espeak.renderTo({ text, language: 'en-US', sampleRate: SPEECH_RATE }, this.o.voice ?? 'en-us', out);
    const dispose = () => rm(out, { force: true });
    setTimeout(() => void dispose().catch(() => undefined), this.o.maxAgeMs ?? 600_000).unref();
    return { path: out, durationMs, dispose };
  }
}
