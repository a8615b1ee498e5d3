// The samples of an MP3 prompt, as mono 16-bit PCM at the file's own rate, decoded by libmpg123
// compiled to WebAssembly (mpg123-decoder).
//
// The whole file is decoded at load (prompts are short, hold music a few minutes; the cache keeps
// the result), but in 16 KB slices of MP3 with a turn of the event loop between them: each slice
// is a few milliseconds of work, so a worker decoding hold music still ticks its rooms on time,
// and only mono Int16 is kept (a 44.1 kHz stereo Float32 decode of the whole file at once would
// be 8 times the memory).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MPEGDecoder } from 'mpg123-decoder';
import type { MonoPcm } from './wav-pcm.js';
import { PlayerError } from './player-error.js';

const SLICE_BYTES = 16 * 1024;

/** Decodes an MP3 file's bytes. `expectedSeconds` (from the header probe) sizes the output buffer. */
export async function decodeMp3(bytes: Uint8Array, name: string, maxSeconds: number, expectedSeconds = 0): Promise<MonoPcm> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    let sampleRate = 0;
    let out = new Int16Array(0);
    let length = 0;
    let limit = 0;
    for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
      const r = decoder.decode(bytes.subarray(at, at + SLICE_BYTES));
      const n = r.samplesDecoded;
      if (n > 0) {
        if (sampleRate === 0) {
          sampleRate = r.sampleRate;
          limit = Math.ceil(maxSeconds * sampleRate);
          out = new Int16Array(Math.min(limit, Math.ceil((expectedSeconds + 1) * sampleRate)));
        } else if (r.sampleRate !== sampleRate) {
          throw new PlayerError('decode_failed', `${name}: the sample rate changes inside the file (${sampleRate} → ${r.sampleRate} Hz)`);
        }
        if (length + n > limit) {
          throw new PlayerError('too_large', `${name}: longer than ${maxSeconds} s; prompts are limited to ${maxSeconds} s`);
        }
        if (length + n > out.length) {
          const grown = new Int16Array(Math.min(limit, Math.max(length + n, out.length * 2)));
          grown.set(out.subarray(0, length));
          out = grown;
        }
        const channels = r.channelData;
        const left = channels[0]!;
        const right = channels[1] ?? left;
        for (let i = 0; i < n; i++) {
          const v = Math.round(((left[i]! + right[i]!) / 2) * 32767);
          out[length + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
        }
        length += n;
      }
      await nextTurn();
    }
    if (length === 0) throw new PlayerError('decode_failed', `${name}: no MPEG audio could be decoded`);
    return { sampleRate, samples: length === out.length ? out : out.slice(0, length) };
  } finally {
    decoder.free();
  }
}
