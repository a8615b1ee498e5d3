// The samples of a WAV prompt, as mono 16-bit PCM at the file's own rate.
//
//   "RIFF" size "WAVE" | "fmt " 16+ {tag, channels, rate, …, bits} | … | "data" size | samples
//
// The format is read by media/wav-header.ts (the same parser that checks uploads); this file
// only finds the samples. 16-bit PCM is taken, mono or stereo — stereo is averaged to mono, since
// a telephone leg is mono and music-on-hold files are usually stereo. Other encodings are refused
// with a PlayerError naming the conversion.
import { AudioProbeError } from '../audio-info.js';
import { bufferSource } from '../byte-source.js';
import { probeWav } from '../wav-header.js';
import { PlayerError } from './player-error.js';

export interface MonoPcm {
  sampleRate: number;
  samples: Int16Array;
}

const UNKNOWN_SIZES = [0, 0xffffffff];
const MAX_CHUNKS = 10_000;

const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const isData = (b: Uint8Array, o: number): boolean => b[o] === 0x64 && b[o + 1] === 0x61 && b[o + 2] === 0x74 && b[o + 3] === 0x61;

/** Offset and length of the samples; a size left unknown by a streaming writer runs to the end. */
function dataChunk(bytes: Uint8Array): { start: number; length: number } {
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= bytes.length; n++) {
    const size = u32(bytes, pos + 4);
    const body = pos + 8;
    const available = bytes.length - body;
    if (isData(bytes, pos)) {
      return { start: body, length: UNKNOWN_SIZES.includes(size) || size > available ? available : size };
    }
    pos = body + size + (size & 1);
  }
  throw new PlayerError('decode_failed', 'the WAV file has no data chunk');
}

/** Decodes a WAV file's bytes. Allocates the result (and nothing else of size). */
export function decodeWav(bytes: Uint8Array, name: string, maxSeconds: number): MonoPcm {
  let info;
  try {
    info = probeWav(bufferSource(bytes));
  } catch (err) {
    if (err instanceof AudioProbeError) throw new PlayerError('unsupported_format', `${name}: ${err.message}`);
    throw err;
  }
  if (info.encoding !== 'pcm_s16' || info.channels > 2) {
    throw new PlayerError(
      'unsupported_format',
      `${name}: ${info.encoding}, ${info.channels} channel(s); 16-bit PCM mono or stereo is needed (sox in.wav -b 16 -c 1 out.wav)`,
    );
  }
  if (info.durationSeconds > maxSeconds) {
    throw new PlayerError('too_large', `${name}: ${Math.round(info.durationSeconds)} s long; prompts are limited to ${maxSeconds} s`);
  }
  const { start, length } = dataChunk(bytes);
  const channels = info.channels;
  const frames = Math.floor(length / (2 * channels));
  const samples = new Int16Array(frames);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, frames * 2 * channels);
  if (channels === 1) {
    for (let i = 0; i < frames; i++) samples[i] = view.getInt16(2 * i, true);
  } else {
    // Averaging (not summing) keeps a mono-compatible mix from clipping.
    for (let i = 0; i < frames; i++) samples[i] = (view.getInt16(4 * i, true) + view.getInt16(4 * i + 2, true)) >> 1;
  }
  return { sampleRate: info.sampleRate, samples };
}
