// The recorder as a listener would judge it: which party is on which channel, what silence is
// left, and whether the MP3 plays the call.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAudioFile } from '../audio-probe.js';
import { goertzelPower, rms } from '../dsp/goertzel.js';
import { ToneGenerator } from '../dsp/tone.js';
import { PCM_WAV_HEADER_BYTES } from './pcm-wav-header.js';
import { Recorder, type RecorderOptions } from './recorder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-recorder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 8000;
const FRAME = 160;

/** Channel `c` of `channels` from a 16-bit WAV with a 44-byte header. */
function channel(bytes: Uint8Array, channels: number, c: number, headerLength = PCM_WAV_HEADER_BYTES): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + headerLength, bytes.length - headerLength);
  const n = Math.floor(view.byteLength / 2 / channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16((i * channels + c) * 2, true);
  return out;
}

/** A 20 ms frame source for one party. */
function party(frequency: number): () => Int16Array {
  const gen = new ToneGenerator({ frequencies: [frequency], sampleRate: RATE, level: -10 });
  const frame = new Int16Array(FRAME);
  return () => {
    gen.fill(frame);
    return frame;
  };
}

const silence = new Int16Array(FRAME);

async function record(name: string, o: Partial<RecorderOptions>, ticks: (rec: Recorder, t: number) => void, count: number) {
  const file = path.join(dir, name);
  const rec = await Recorder.open({ path: file, sampleRate: RATE, mode: 'mono', ...o });
  for (let t = 0; t < count; t++) ticks(rec, t);
  return { rec, result: await rec.finalize(), file };
}

describe('Recorder', () => {
  it('dual channel: the caller is heard on the left only, the other party on the right only', async () => {
    const caller = party(600);
    const other = party(1400);
    const { result, file } = await record('dual.wav', { mode: 'dual', trim: false }, (rec) => rec.write(caller(), other()), 100);
    expect(result).toMatchObject({ path: file, format: 'wav', durationMs: 2000 });
    expect(probeAudioFile(file)).toMatchObject({ channels: 2, sampleRate: RATE, durationSeconds: 2 });
    const bytes = readFileSync(file);
    const left = channel(bytes, 2, 0);
    const right = channel(bytes, 2, 1);
    // -10 dBFS tones: ~0.1 where present, nothing of the other party leaking across.
    expect(goertzelPower(left, RATE, 600)).toBeGreaterThan(0.08);
    expect(goertzelPower(left, RATE, 1400)).toBeLessThan(1e-6);
    expect(goertzelPower(right, RATE, 1400)).toBeGreaterThan(0.08);
    expect(goertzelPower(right, RATE, 600)).toBeLessThan(1e-6);
  });

  it('dual channel: a side that sent nothing this tick is recorded as silence, keeping both in step', async () => {
    const caller = party(600);
    // The other party only talks in the second half.
    const other = party(1400);
    const { file } = await record('gap.wav', { mode: 'dual', trim: false }, (rec, t) => rec.write(caller(), t < 50 ? null : other()), 100);
    const right = channel(readFileSync(file), 2, 1);
    expect(right.length).toBe(16000);
    expect(rms(right.subarray(0, 8000))).toBe(0);
    expect(goertzelPower(right, RATE, 1400, 8000, 16000)).toBeGreaterThan(0.08);
  });

  it('mono: both parties are mixed into one channel', async () => {
    const caller = party(600);
    const other = party(1400);
    const { file } = await record('mono.wav', { trim: false }, (rec) => rec.write(caller(), other()), 50);
    expect(probeAudioFile(file)).toMatchObject({ channels: 1, durationSeconds: 1 });
    const mono = channel(readFileSync(file), 1, 0);
    expect(goertzelPower(mono, RATE, 600)).toBeGreaterThan(0.08);
    expect(goertzelPower(mono, RATE, 1400)).toBeGreaterThan(0.08);
  });

  it('finalize trims leading and trailing silence, keeping a short pad around the sound', async () => {
    const voice = party(800);
    // 2 s silence, 1 s tone, 3 s silence.
    const { result, file } = await record(
      'trim.wav',
      { trim: { padMs: 200 } },
      (rec, t) => rec.write(t >= 100 && t < 150 ? voice() : silence),
      300,
    );
    expect(result.durationMs).toBe(1400);
    const samples = channel(readFileSync(file), 1, 0);
    expect(samples.length).toBe(1400 * 8);
    expect(probeAudioFile(file).durationSeconds).toBeCloseTo(1.4, 6);
    expect(rms(samples.subarray(0, 1600))).toBe(0);
    expect(goertzelPower(samples, RATE, 800, 1600, 1600 + 8000)).toBeGreaterThan(0.08);
    expect(rms(samples.subarray(9600))).toBe(0);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('pause writes silence (default) or skips, and the stats count what was written', async () => {
    const voice = party(800);
    const run = (rec: Recorder, t: number): void => {
      if (t === 25) rec.pause();
      if (t === 75) rec.resume();
      rec.write(voice());
    };
    const silent = await record('pause-silence.wav', { trim: false }, run, 100);
    expect(silent.result.durationMs).toBe(2000);
    const s = channel(readFileSync(silent.file), 1, 0);
    expect(rms(s.subarray(25 * FRAME, 75 * FRAME))).toBe(0);
    expect(goertzelPower(s, RATE, 800, 75 * FRAME, 100 * FRAME)).toBeGreaterThan(0.08);
    expect(silent.rec.toJSON()).toMatchObject({ state: 'done', framesWritten: 100, durationMs: 2000, droppedFrames: 0 });

    const skipped = await record('pause-skip.wav', { trim: false, pauseMode: 'skip' }, run, 100);
    expect(skipped.result.durationMs).toBe(1000);
    const k = channel(readFileSync(skipped.file), 1, 0);
    // No hole where the pause was: the tone runs through the whole file.
    for (let at = 0; at + FRAME <= k.length; at += FRAME) expect(goertzelPower(k, RATE, 800, at, at + FRAME)).toBeGreaterThan(0.05);
  });

  it('finalize to MP3: lame makes a file that decodes to the call, and the WAV is removed', async () => {
    const caller = party(600);
    const other = party(1400);
    const { result, file } = await record('call.wav', { mode: 'dual', mp3: {} }, (rec) => rec.write(caller(), other()), 150);
    expect(result).toMatchObject({ format: 'mp3', path: path.join(dir, 'call.mp3'), durationMs: 3000 });
    expect(result.mp3Error).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${result.path}.part`)).toBe(false);
    expect(result.bytes).toBe(readFileSync(result.path).length);

    const decoded = path.join(dir, 'call.decoded.wav');
    const r = spawnSync('lame', ['--quiet', '--decode', result.path, decoded]);
    expect(r.status).toBe(0);
    const info = probeAudioFile(decoded);
    expect(info).toMatchObject({ channels: 2, sampleRate: RATE });
    expect(info.durationSeconds).toBeGreaterThan(2.9);
    const header = readFileSync(decoded).indexOf('data') + 8;
    const left = channel(readFileSync(decoded), 2, 0, header);
    const right = channel(readFileSync(decoded), 2, 1, header);
    // Lossy, but each party stays on its own side.
    expect(goertzelPower(left, RATE, 600, 4000, 20000)).toBeGreaterThan(0.05);
    expect(goertzelPower(left, RATE, 1400, 4000, 20000)).toBeLessThan(0.005);
    expect(goertzelPower(right, RATE, 1400, 4000, 20000)).toBeGreaterThan(0.05);
    expect(goertzelPower(right, RATE, 600, 4000, 20000)).toBeLessThan(0.005);
  });

  it('keeps the WAV and says why when lame fails', async () => {
    const voice = party(800);
    const { result, file } = await record('nolame.wav', { mp3: { lamePath: path.join(dir, 'no-such-lame') } }, (rec) => rec.write(voice()), 50);
    expect(result).toMatchObject({ format: 'wav', path: file, durationMs: 1000 });
    expect(result.mp3Error).toMatch(/cannot run/);
    expect(probeAudioFile(file).durationSeconds).toBe(1);
    expect(existsSync(path.join(dir, 'nolame.mp3'))).toBe(false);
  });

  it('ignores frames after finalize and returns the same result when finalized twice', async () => {
    const voice = party(800);
    const file = path.join(dir, 'twice.wav');
    const rec = await Recorder.open({ path: file, sampleRate: RATE, mode: 'mono', trim: false });
    for (let t = 0; t < 10; t++) rec.write(voice());
    const first = rec.finalize();
    rec.write(voice());
    expect(await rec.finalize()).toEqual(await first);
    expect((await first).durationMs).toBe(200);
  });
});
