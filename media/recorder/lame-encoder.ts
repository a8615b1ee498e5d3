// MP3 encoding of a finished recording with Debian's `lame` binary.
//
// lame runs as a child process with an argument array (never through a shell, so no path is ever
// parsed as shell syntax) and writes to `${mp3}.part`, renamed to `mp3` only after lame exits 0:
// a crash or a failed encode never leaves a truncated .mp3 looking finished.
import { spawn } from 'node:child_process';
import { rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface Mp3Options {
  /** Constant bitrate. Default 32 kbps per channel. */
  bitrateKbps?: number;
  /** The lame executable. Default "lame" on PATH. */
  lamePath?: string;
  /** lame is killed after this long. Default 10 minutes. */
  timeoutMs?: number;
}

export class Mp3EncodeError extends Error {
  override name = 'Mp3EncodeError';
}

const STDERR_LIMIT = 4096;

/**
 * Bitrates MPEG-2 and MPEG-2.5 layer III allow (ISO/IEC 13818-3), the only versions for the 8 and
 * 16 kHz sample rates recordings have; lame refuses the others.
 */
const LOW_RATE_BITRATES = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Encodes `wav` (16-bit PCM, mono or 2 channels) to `mp3`. Rejects with Mp3EncodeError. */
export async function encodeMp3(wav: string, mp3: string, channels: 1 | 2, o: Mp3Options = {}): Promise<void> {
  const bitrate = o.bitrateKbps ?? 32 * channels;
  if (!LOW_RATE_BITRATES.includes(bitrate)) throw new Mp3EncodeError(`unsupported MP3 bitrate ${bitrate} kbps`);
  // Absolute paths cannot start with "-", so lame never reads a file name as an option.
  const input = path.resolve(wav);
  const part = `${path.resolve(mp3)}.part`;
  // -m s: two independent channels (caller left, other party right), never joint-stereo mixing;
  // -m m: mono.
  const args = ['--quiet', '-m', channels === 2 ? 's' : 'm', '-b', String(bitrate), input, part];
  try {
    await run(o.lamePath ?? 'lame', args, o.timeoutMs ?? 600_000);
    if ((await stat(part)).size === 0) throw new Mp3EncodeError('lame wrote an empty file');
    await rename(part, mp3);
  } catch (err) {
    await unlink(part).catch(() => undefined);
    throw err instanceof Mp3EncodeError ? err : new Mp3EncodeError(err instanceof Error ? err.message : String(err));
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += s.slice(0, STDERR_LIMIT - stderr.length);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Mp3EncodeError(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Mp3EncodeError(`${cmd} ${signal ? `was killed (${signal})` : `exited with ${String(code)}`}: ${stderr.trim()}`));
    });
  });
}
