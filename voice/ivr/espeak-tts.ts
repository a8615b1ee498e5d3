// espeak-ng, the embedded speech synthesizer (a Debian package of the setup script): the text
// goes in on stdin, espeak-ng writes a 22 050 Hz WAV, and it is converted to the rate asked for
// and written as a mono 16-bit WAV.
//
//   text ─stdin─▶ espeak-ng -v <voice> --stdin -w raw.wav ─▶ decode ─▶ 8/16 kHz ─▶ out.wav
//
// The command is spawned with an argument array, never a shell, and the text is never an
// argument: nothing a flow author or caller types can become an option or a command.
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { decodeWav } from '../../media/player/wav-pcm.js';
import { convertRate } from '../../media/player/rate-convert.js';
import { headerBytes } from '../../media/recorder/pcm-wav-header.js';
import type { TtsProvider, TtsRequest } from './tts-provider.js';

export interface EspeakOptions {
  /** The espeak-ng executable (default: `espeak-ng` from PATH). */
  command?: string;
  /** Words per minute (default 160: a little slower than espeak's 175, for a phone line). */
  wordsPerMinute?: number;
  /** A synthesis that takes longer is killed (default 10 s). */
  timeoutMs?: number;
  /** The voice when a language has none of its own (default `en-us`). */
  fallbackVoice?: string;
}

/** Longest speech accepted back from espeak-ng (a prompt is a few sentences). */
const MAX_SECONDS = 600;

export class EspeakTts implements TtsProvider {
  readonly name = 'espeak-ng';
  private voices: Promise<Set<string>> | undefined;

  constructor(private readonly o: EspeakOptions = {}) {}

  /**
   * espeak-ng's voice for a BCP-47 tag: the whole tag when espeak has it ("en-US" → en-us),
   * else the bare language ("de-AT" → de), else its first regional voice ("fr-CA" → fr-fr),
   * else the fallback. The list comes from `espeak-ng --voices` once.
   */
  async voiceFor(language: string): Promise<string> {
    const fallback = this.o.fallbackVoice ?? 'en-us';
    let known: Set<string>;
    try {
      known = await (this.voices ??= this.listVoices());
    } catch {
      this.voices = undefined;
      return fallback;
    }
    const tag = language.toLowerCase();
    if (known.has(tag)) return tag;
    const primary = tag.split('-')[0]!;
    if (known.has(primary)) return primary;
    const regional = [...known].sort().find((v) => v.startsWith(`${primary}-`));
    return regional ?? fallback;
  }

  private async listVoices(): Promise<Set<string>> {
    const out = await this.run(['--voices'], '');
    // "Pty Language Age/Gender VoiceName File Other Languages": the second column.
    const names = out.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter((v): v is string => !!v);
    return new Set(names.map((n) => n.toLowerCase()));
  }

  async renderTo(req: TtsRequest, voice: string, outPath: string): Promise<{ durationMs: number }> {
    const raw = `${outPath}.espeak.wav`;
    try {
      await this.run(['-v', voice, '-s', String(this.o.wordsPerMinute ?? 160), '-w', raw, '--stdin'], req.text);
      const pcm = decodeWav(await readFile(raw), 'espeak-ng output', MAX_SECONDS);
      const samples = await convertRate(pcm.samples, pcm.sampleRate, req.sampleRate);
      if (samples.length === 0) throw new Error('espeak-ng produced no audio');
      const data = Buffer.alloc(samples.length * 2);
      for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i]!, i * 2);
      await writeFile(outPath, Buffer.concat([headerBytes({ sampleRate: req.sampleRate, channels: 1 }, data.length), data]));
      return { durationMs: Math.round((samples.length * 1000) / req.sampleRate) };
    } catch (err) {
      await rm(outPath, { force: true });
      throw err;
    } finally {
      await rm(raw, { force: true });
    }
  }

  /** Runs espeak-ng with `input` on stdin; resolves with its stdout. */
  private run(args: string[], input: string): Promise<string> {
    const command = this.o.command ?? 'espeak-ng';
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${command} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < 200_000) stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 2000) stderr += d.toString('utf8');
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${command} could not be started: ${err.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`${command} exited with ${code}: ${stderr.trim().slice(0, 200)}`));
      });
      // A process that exits before reading everything closes the pipe: that is its error to report.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input, 'utf8');
    });
  }
}
