// The embedded speech-to-text engine: CMU pocketsphinx with the US English model Debian
// ships (packages pocketsphinx + pocketsphinx-en-us). The CLI is used rather than a
// native binding: a crash or a runaway decode stays in a child process we can kill.
//
// The acoustic model is trained on 16 kHz, 16-bit mono speech, so every input is first
// converted with sox (which also reads 8 kHz call recordings, MP3, FLAC, Ogg).
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { runTool, ToolError } from './run-tool.js';
import {
  TranscriptionError,
  type TranscribeOptions,
  type Transcript,
  type TranscriptionProvider,
} from './transcription-provider.js';

export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxOptions {
  /** Scratch files (the 16 kHz copies) go here; each is removed after its job. */
  workDir: string;
  modelDir?: string;
  /** Longer audio is refused rather than tying the recogniser up for hours. */
  maxSeconds?: number;
}

/** 16 kHz x 2 bytes, mono. */
const BYTES_PER_SECOND = 32_000;
const WAV_HEADER = 44;

export class PocketsphinxProvider implements TranscriptionProvider {
  readonly name = 'pocketsphinx';
  private readonly modelDir: string;
  private readonly maxSeconds: number;

  constructor(private readonly opts: PocketsphinxOptions) {
    this.modelDir = opts.modelDir ?? DEFAULT_MODEL_DIR;
    this.maxSeconds = opts.maxSeconds ?? 30 * 60;
  }

  /** Only the English model is installed: "en", "en-US", "en-GB"... all use it. */
  supports(language: string): boolean {
    return /^en(-[A-Za-z]{2})?$/i.test(language);
  }

  async transcribe(audioFile: string, opts: TranscribeOptions): Promise<Transcript> {
    if (!this.supports(opts.language)) {
      throw new TranscriptionError('unsupported_language', `no speech model for ${opts.language}; supported: en, en-US`);
    }
    await mkdir(this.opts.workDir, { recursive: true });
    const pcm = path.join(this.opts.workDir, `asr-${randomBytes(8).toString('hex')}.wav`);
    try {
      try {
        await runTool('sox', ['-V1', audioFile, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', pcm], opts.signal);
      } catch (err) {
        if (err instanceof ToolError && !err.missing) {
          throw new TranscriptionError('bad_audio', `the audio could not be decoded: ${err.stderrTail || 'unknown format'}`);
        }
        throw this.engineError(err);
      }
      const seconds = ((await stat(pcm)).size - WAV_HEADER) / BYTES_PER_SECOND;
      if (seconds > this.maxSeconds) {
        throw new TranscriptionError('too_long', `the audio lasts ${Math.round(seconds)} s; at most ${this.maxSeconds} s are transcribed`);
      }
      let out: string;
      try {
        out = (
          await runTool(
            'pocketsphinx_continuous',
            [
              '-infile', pcm,
              '-hmm', path.join(this.modelDir, 'en-us'),
              '-lm', path.join(this.modelDir, 'en-us.lm.bin'),
              '-dict', path.join(this.modelDir, 'cmudict-en-us.dict'),
              '-logfn', '/dev/null',
            ],
            opts.signal,
          )
        ).stdout;
      } catch (err) {
        throw this.engineError(err);
      }
      // One line per utterance (pocketsphinx splits on silence).
      const text = out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .join(' ');
      return { text, durationSeconds: Math.round(seconds * 100) / 100 };
    } finally {
      await rm(pcm, { force: true });
    }
  }

  private engineError(err: unknown): unknown {
    if (err instanceof TranscriptionError) return err;
    if (err instanceof ToolError) return new TranscriptionError('engine', err.message);
    return err;
  }
}
