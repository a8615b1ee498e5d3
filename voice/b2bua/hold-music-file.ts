// A downloaded hold-music file made playable: whatever it is (WAV of any encoding, FLAC, Ogg
// Vorbis, MP3), it becomes one 8 kHz mono 16-bit WAV, the rate of a G.711 leg, so the players
// of every call on hold share one decoded copy and a narrowband leg needs no conversion.
//
//   WAV / FLAC / Ogg ─► sox -G … -r 8000 -c 1 -b 16 out.wav trim 0 <max>
//   MP3              ─► the media player's own decoder (sox has no MP3 support in Debian's base
//                       formats) ─► 8 kHz ─► out.wav
//
// The format is told by the file's bytes, never by the URL or its Content-Type. sox runs from
// an argument array (no shell), killed after a deadline.
import { spawn } from 'node:child_process';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { AudioProbeError, probeAudioFile } from '../../media/audio-probe.js';
import { decodeMp3 } from '../../media/player/mp3-pcm.js';
import { convertRate } from '../../media/player/rate-convert.js';
import { headerBytes } from '../../media/recorder/pcm-wav-header.js';

export const HOLD_MUSIC_RATE = 8000;

export interface ConvertOptions {
  /** Longer music is cut (sox) or refused (MP3, whose decoder stops at the limit). */
  maxSeconds: number;
  /** sox is killed after this long. */
  timeoutMs: number;
  /** The sox executable (default `sox` from PATH). */
  sox?: string;
}

export class HoldMusicFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HoldMusicFileError';
  }
}

async function head(file: string): Promise<string> {
  const f = await open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await f.read(b, 0, 4, 0);
    return b.subarray(0, bytesRead).toString('latin1');
  } finally {
    await f.close();
  }
}

/** sox's name for the input's type, or 'mp3'. */
async function formatOf(file: string): Promise<'wav' | 'flac' | 'ogg' | 'mp3'> {
  if ((await head(file)) === 'OggS') return 'ogg';
  try {
    return probeAudioFile(file).format;
  } catch (err) {
    if (err instanceof AudioProbeError) throw new HoldMusicFileError(`not playable audio: ${err.message}`);
    throw err;
  }
}

function runSox(args: string[], o: ConvertOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.sox ?? 'sox', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new HoldMusicFileError(`sox could not be started: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new HoldMusicFileError(signal ? `sox took longer than ${o.timeoutMs / 1000} s` : `sox exited with ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

async function mp3ToWav(src: string, dest: string, o: ConvertOptions): Promise<void> {
  let pcm;
  try {
    pcm = await decodeMp3(await readFile(src), 'hold music', o.maxSeconds);
  } catch (err) {
    throw new HoldMusicFileError(`the MP3 could not be decoded: ${(err as Error).message}`);
  }
  const samples = await convertRate(pcm.samples, pcm.sampleRate, HOLD_MUSIC_RATE);
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  await writeFile(dest, Buffer.concat([headerBytes({ sampleRate: HOLD_MUSIC_RATE, channels: 1 }, data.length), data]));
}

/** Converts `src` into the WAV `dest` (created or replaced); resolves with its length. */
export async function convertHoldMusic(src: string, dest: string, o: ConvertOptions): Promise<{ durationMs: number }> {
  const format = await formatOf(src);
  try {
    if (format === 'mp3') await mp3ToWav(src, dest, o);
    else {
      // -G: guard against clipping in the conversion; -V1: errors only.
      await runSox(['-V1', '-G', '-t', format, src, '-r', String(HOLD_MUSIC_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'wav', dest, 'trim', '0', String(o.maxSeconds)], o);
    }
    const info = probeAudioFile(dest);
    if (info.durationSeconds < 0.1) throw new HoldMusicFileError('the file holds no audio');
    return { durationMs: Math.round(info.durationSeconds * 1000) };
  } catch (err) {
    await rm(dest, { force: true });
    if (err instanceof AudioProbeError) throw new HoldMusicFileError(`the conversion made no WAV: ${err.message}`);
    throw err;
  }
}
