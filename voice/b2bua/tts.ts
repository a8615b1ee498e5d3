// Speech for the warm transfer's whisper message: Debian's espeak-ng synthesizes the text,
// and the result is written as a 16 kHz mono 16-bit WAV (the wideband rate the media engine
// plays without another conversion) in a private temporary directory, deleted after use.
//
//   text ─stdin─▶ espeak-ng --stdin -w raw.wav (22 050 Hz) ─▶ decode ─▶ 16 kHz ─▶ speech.wav
//
// The text goes in on stdin and the command is spawned with an argument array, never a
// shell: nothing a caller types can become an option or a command.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeWav } from '../../media/player/wav-pcm.js';
import { convertRate } from '../../media/player/rate-convert.js';
import { headerBytes } from '../../media/recorder/pcm-wav-header.js';

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

  constructor(private readonly o: SynthesizerOptions = {}) {}

  /** Speaks `text` into a WAV file; rejects when espeak-ng is missing, fails or takes too long. */
  async synthesize(text: string): Promise<Speech> {
    const dir = await (this.dir ??= this.o.dir ? Promise.resolve(this.o.dir) : mkdtemp(path.join(tmpdir(), 'switchboard-tts-')));
    const name = randomBytes(8).toString('hex');
    const raw = path.join(dir, `${name}.raw.wav`);
    const out = path.join(dir, `${name}.wav`);
    let sampleCount: number;
    try {
      await this.run(['-v', this.o.voice ?? 'en-us', '-s', String(this.o.wordsPerMinute ?? 160), '-w', raw, '--stdin'], text);
      const pcm = decodeWav(await readFile(raw), 'espeak-ng output', 600);
      const samples = await convertRate(pcm.samples, pcm.sampleRate, SPEECH_RATE);
      if (samples.length === 0) throw new Error('espeak-ng produced no audio');
      sampleCount = samples.length;
      const data = Buffer.alloc(samples.length * 2);
      for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i]!, i * 2);
      await writeFile(out, Buffer.concat([headerBytes({ sampleRate: SPEECH_RATE, channels: 1 }, data.length), data]));
    } catch (err) {
      await rm(out, { force: true });
      throw err;
    } finally {
      await rm(raw, { force: true });
    }
    const dispose = () => rm(out, { force: true });
    setTimeout(() => void dispose().catch(() => undefined), this.o.maxAgeMs ?? 600_000).unref();
    return { path: out, durationMs: Math.round((sampleCount * 1000) / SPEECH_RATE), dispose };
  }

  private run(args: string[], input: string): Promise<void> {
    const command = this.o.command ?? 'espeak-ng';
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${command} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 2000) stderr += d.toString('utf8');
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${command} could not be started: ${err.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${command} exited with ${code}: ${stderr.trim().slice(0, 200)}`));
      });
      // A process that exits before reading everything closes the pipe: that is its error to report.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input, 'utf8');
    });
  }
}
