// Reading a prompt file into the samples a player sends: WAV or MP3 (told apart by their
// headers, never by the file name), mono, at the player's rate.
//
// The file is read whole (fs/promises, after a size check against maxFileBytes), probed with the
// upload parser (media/audio-probe.ts), decoded and converted. Everything here is load-time work
// that allocates; PromptCache makes sure it runs once per file and rate.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AudioProbeError, bufferSource, probeAudio } from '../audio-probe.js';
import { decodeMp3 } from './mp3-pcm.js';
import { PlayerError } from './player-error.js';
import { convertRate } from './rate-convert.js';
import { decodeWav } from './wav-pcm.js';

export interface Prompt {
  path: string;
  /** The rate `samples` are at (the player's rate). */
  sampleRate: number;
  /** Mono 16-bit PCM. Shared by every player using the prompt: read, never write. */
  samples: Int16Array;
  durationMs: number;
}

export interface PromptLimits {
  /** Largest file read. */
  maxFileBytes: number;
  /** Longest audio decoded. */
  maxSeconds: number;
}

function notFound(file: string, err: unknown): PlayerError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new PlayerError('not_found', `${path.basename(file)}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(err)})`}`);
}

/** Loads `file` as mono samples at `sampleRate`. Rejects with PlayerError. */
export async function loadPrompt(file: string, sampleRate: number, limits: PromptLimits): Promise<Prompt> {
  const name = path.basename(file);
  let bytes: Uint8Array;
  try {
    const size = (await stat(file)).size;
    if (size > limits.maxFileBytes) {
      throw new PlayerError('too_large', `${name}: ${size} bytes; prompt files are limited to ${limits.maxFileBytes} bytes`);
    }
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof PlayerError) throw err;
    throw notFound(file, err);
  }
  let info;
  try {
    info = probeAudio(bufferSource(bytes));
  } catch (err) {
    if (err instanceof AudioProbeError) throw new PlayerError('unsupported_format', `${name}: ${err.message}`);
    throw err;
  }
  if (info.durationSeconds > limits.maxSeconds) {
    throw new PlayerError('too_large', `${name}: ${Math.round(info.durationSeconds)} s long; prompts are limited to ${limits.maxSeconds} s`);
  }
  let pcm;
  if (info.format === 'wav') pcm = decodeWav(bytes, name, limits.maxSeconds);
  else if (info.format === 'mp3') pcm = await decodeMp3(bytes, name, limits.maxSeconds, info.durationSeconds);
  else throw new PlayerError('unsupported_format', `${name}: ${info.format.toUpperCase()} cannot be played; WAV or MP3 is needed`);
  const samples = await convertRate(pcm.samples, pcm.sampleRate, sampleRate);
  return { path: file, sampleRate, samples, durationMs: (samples.length * 1000) / sampleRate };
}
