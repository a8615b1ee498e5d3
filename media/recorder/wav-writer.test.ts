// The WAV writer: what is on disk while recording, after a clean close, and after a SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAudioFile } from '../audio-probe.js';
import { goertzelPower } from '../dsp/goertzel.js';
import { sine } from '../dsp/tone.js';
import { PCM_WAV_HEADER_BYTES, readU32 } from './pcm-wav-header.js';
import { repairWav } from './wav-repair.js';
import { WavWriter, type WavFileHandle } from './wav-writer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-wav-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The samples after the recorder's 44-byte header (the whole file, whatever the header says). */
function samplesOf(bytes: Uint8Array, from = PCM_WAV_HEADER_BYTES): Int16Array {
  const n = (bytes.length - from) >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[from + 2 * i]! | (bytes[from + 2 * i + 1]! << 8)) << 16 >> 16;
  return out;
}

/** An in-memory file that records each call, and whose writes can be held back. */
class FakeFile implements WavFileHandle {
  bytes = new Uint8Array(0);
  writevCalls = 0;
  syncs = 0;
  /** Data sizes the header gave at each fdatasync. */
  syncedDataSizes: number[] = [];
  private held: (() => void)[] = [];
  hold = false;

  private put(b: Uint8Array, position: number): void {
    if (position + b.length > this.bytes.length) {
      const grown = new Uint8Array(position + b.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(b, position);
  }

  private async gate(): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
  }

  release(): void {
    this.hold = false;
    for (const r of this.held.splice(0)) r();
  }

  async writev(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }> {
    this.writevCalls++;
    await this.gate();
    let at = position;
    for (const b of buffers) {
      this.put(b, at);
      at += b.length;
    }
    return { bytesWritten: at - position };
  }

  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    await this.gate();
    this.put(buffer.subarray(offset, offset + length), position);
    return { bytesWritten: length };
  }

  async datasync(): Promise<void> {
    this.syncs++;
    this.syncedDataSizes.push(readU32(this.bytes, 40));
  }

  async close(): Promise<void> {}
}

/** Lets the writer's pump run its queued operations. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('WavWriter', () => {
  it('writes a file that sox-compatible readers parse: header sizes match the samples after close', async () => {
    const file = path.join(dir, 'clean.wav');
    const w = await WavWriter.open(file, { sampleRate: 16000, channels: 2 });
    const frame = new Int16Array(640); // 20 ms of 16 kHz stereo
    for (let i = 0; i < frame.length; i++) frame[i] = i % 2 === 0 ? 1000 : -1000;
    for (let t = 0; t < 100; t++) expect(w.write(frame)).toBe(true);
    const result = await w.close();
    expect(result).toMatchObject({ dataBytes: 100 * 640 * 2, sampleFrames: 32000, durationMs: 2000 });

    const info = probeAudioFile(file);
    expect(info).toMatchObject({ format: 'wav', encoding: 'pcm_s16', sampleRate: 16000, channels: 2 });
    expect(info.durationSeconds).toBe(2);
    const samples = samplesOf(readFileSync(file));
    expect(samples.length).toBe(64000);
    expect(samples[0]).toBe(1000);
    expect(samples[1]).toBe(-1000);
    expect(samples[63999]).toBe(-1000);
  });

  it('batches frames into few writes and refreshes the header about once a second by the injected clock', async () => {
    const fake = new FakeFile();
    let now = 0;
    const w = await WavWriter.open('fake.wav', { sampleRate: 8000, channels: 1, now: () => now, openFile: async () => fake });
    const frame = sine(440, 8000, 160);
    // 5 s of 20 ms frames.
    for (let t = 0; t < 250; t++) {
      w.write(frame);
      now += 20;
      await settle();
    }
    // Far fewer writes than frames: a batch per second (the sync) and per full 16 KB chunk.
    expect(fake.writevCalls).toBeGreaterThanOrEqual(4);
    expect(fake.writevCalls).toBeLessThanOrEqual(10);
    expect(fake.syncs).toBe(4);
    // Each sync's header covered the audio written up to that second.
    expect(fake.syncedDataSizes).toEqual([1, 2, 3, 4].map((s) => s * 16000 + 320));
    expect(w.toJSON()).toMatchObject({ syncs: 4, bytesSynced: 4 * 16000 + 320, lastSyncAt: 4000 + 20, droppedFrames: 0, backpressure: false });
    await w.close();
    expect(readU32(fake.bytes, 40)).toBe(250 * 320);
    expect(readU32(fake.bytes, 4)).toBe(36 + 250 * 320);
    expect(samplesOf(fake.bytes)).toEqual(Int16Array.from({ length: 250 * 160 }, (_, i) => frame[i % 160]!));
  });

  it('drops whole frames and reports backpressure when the disk falls behind, holding bounded memory', async () => {
    const fake = new FakeFile();
    const w = await WavWriter.open('slow.wav', { sampleRate: 8000, channels: 1, chunkBytes: 3200, maxQueuedBytes: 4 * 3200, openFile: async () => fake });
    fake.hold = true;
    const frame = new Int16Array(160).fill(7);
    const accepted: boolean[] = [];
    for (let t = 0; t < 100; t++) accepted.push(w.write(frame));
    // 4 chunks of 10 frames each fit; everything after is dropped, not queued.
    expect(accepted.filter(Boolean).length).toBe(40);
    const s = w.toJSON();
    expect(s).toMatchObject({ backpressure: true, droppedFrames: 60, backpressureEvents: 1, queuedBytes: 40 * 320 });
    expect(s.queuedBytes).toBeLessThanOrEqual(s.maxQueuedBytes);

    fake.release();
    await settle();
    expect(w.write(frame)).toBe(true);
    expect(w.toJSON().backpressure).toBe(false);
    const result = await w.close();
    expect(result.dataBytes).toBe(41 * 320);
    expect(samplesOf(fake.bytes).every((v) => v === 7)).toBe(true);
  });

  it('reports a write error, drops what follows and rejects close', async () => {
    const fake = new FakeFile();
    fake.writev = async () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const w = await WavWriter.open('full.wav', { sampleRate: 8000, channels: 1, chunkBytes: 320, openFile: async () => fake });
    w.write(new Int16Array(160));
    await settle();
    expect(w.write(new Int16Array(160))).toBe(false);
    expect(w.toJSON().error).toMatch(/ENOSPC/);
    await expect(w.close()).rejects.toThrow(/ENOSPC/);
  });
});

describe('a recorder killed with SIGKILL', () => {
  const child = path.join(ROOT, 'test/fixtures/media/recorder-child.mjs');

  it('leaves a WAV that plays the tone up to the last sync, and repairWav recovers all but the last second', async () => {
    if (!existsSync(path.join(ROOT, 'dist/media/recorder/recorder.js'))) {
      throw new Error('dist/ is not built: run vitest without SWITCHBOARD_TEST_SKIP_BUILD, or npm run build');
    }
    const file = path.join(dir, 'killed.wav');
    const proc = spawn(process.execPath, [child, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let last = { bytes: 0, synced: 0 };
    let ready = false;
    let buffered = '';
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') ready = true;
        else {
          const [bytes, synced] = line.split(' ').map(Number);
          last = { bytes: bytes!, synced: synced! };
        }
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 200 && !ready; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ready, stderr).toBe(true);
    await new Promise((r) => setTimeout(r, 2500));
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // About 2.5 s were recorded and synced at least once (a loaded machine may tick late, hence the slack).
    expect(last.synced).toBeGreaterThanOrEqual(8000 * 2 * 0.5);
    const synced = last.synced / 2 / 8000;

    // As left by the kill: the header covers at least the last synced second.
    const info = probeAudioFile(file);
    expect(info).toMatchObject({ format: 'wav', sampleRate: 8000, channels: 1 });
    expect(info.durationSeconds).toBeGreaterThanOrEqual(0.95 * synced);
    const onDisk = readFileSync(file);
    const headerBytes = readU32(onDisk, 40);
    expect(headerBytes).toBeGreaterThanOrEqual(last.synced);
    expect(headerBytes).toBeLessThanOrEqual(onDisk.length - PCM_WAV_HEADER_BYTES);
    const audible = samplesOf(onDisk).subarray(0, headerBytes / 2);
    // The tone is there, in every 20 ms of it: no holes, no misordered batches.
    for (let at = 0; at + 160 <= audible.length; at += 160) {
      expect(goertzelPower(audible, 8000, 1000, at, at + 160)).toBeGreaterThan(0.2);
    }

    // At the next start: the header is extended to what reached the file, within ~1 s of all taken.
    const repaired = await repairWav(file);
    expect(repaired.dataBytes).toBeGreaterThanOrEqual(last.synced);
    // What was still in memory at the kill: at most the second since the last sync, plus scheduling slack.
    expect(last.bytes - repaired.dataBytes).toBeLessThanOrEqual(8000 * 2 * 1.5);
    expect(probeAudioFile(file).durationSeconds).toBeCloseTo(repaired.dataBytes / 2 / 8000, 6);
  });
});
