// Real audio files for tests, made at test time by Debian's sox and lame
// (scripts/debian-packages.txt), so parsers are tested against what real encoders write.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is missing (install the packages in scripts/debian-packages.txt): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
}

export interface ToneOptions {
  seconds: number;
  rate?: number;
  channels?: number;
  /** Bits per sample (sox -b). */
  bits?: number;
  /** sox -e: signed-integer, floating-point, a-law, mu-law. */
  encoding?: string;
}

export class SampleFiles {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'switchboard-audio-'));

  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** A tone (two partials, so stereo channels differ) in the format the extension names: .wav .flac .ogg */
  tone(name: string, o: ToneOptions): string {
    const out = this.path(name);
    const fmt = ['-r', String(o.rate ?? 16000), '-c', String(o.channels ?? 1)];
    if (o.bits) fmt.push('-b', String(o.bits));
    if (o.encoding) fmt.push('-e', o.encoding);
    run('sox', ['-n', ...fmt, out, 'synth', String(o.seconds), 'sine', '440', 'sine', '660', 'vol', '0.5']);
    return out;
  }

  /** MP3 with lame from a WAV tone; `lameArgs` choose bitrate mode, tags... */
  mp3(name: string, tone: ToneOptions, lameArgs: string[] = []): string {
    const wav = this.tone(`${name}.src.wav`, tone);
    const out = this.path(name);
    run('lame', ['--quiet', ...lameArgs, wav, out]);
    return out;
  }

  /** Writes bytes made by the caller (edge cases real encoders do not produce). */
  write(name: string, bytes: Uint8Array): string {
    const out = this.path(name);
    writeFileSync(out, bytes);
    return out;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
