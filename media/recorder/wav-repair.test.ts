// Repairing WAV headers left stale by a crash, as found at the next start.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeAudioFile } from '../audio-probe.js';
import { sine } from '../dsp/tone.js';
import { headerBytes, readU32, writeU32, UNKNOWN_SIZE } from './pcm-wav-header.js';
import { repairRecordings, repairWav, WavRepairError } from './wav-repair.js';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-wav-repair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 16-bit WAV of `seconds` of 440 Hz at `rate`, whose header claims `claimedDataBytes`. */
function wav(name: string, o: { rate?: number; channels?: number; seconds: number; claimedDataBytes?: number; extraBytes?: number }): string {
  const rate = o.rate ?? 8000;
  const channels = o.channels ?? 1;
  const samples = sine(440, rate, Math.round(rate * o.seconds) * channels, -6);
  const data = new Uint8Array(samples.buffer);
  const header = headerBytes({ sampleRate: rate, channels }, data.length);
  if (o.claimedDataBytes !== undefined) {
    writeU32(header, 40, o.claimedDataBytes);
    writeU32(header, 4, o.claimedDataBytes === UNKNOWN_SIZE ? UNKNOWN_SIZE : 36 + o.claimedDataBytes);
  }
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat([header, data, new Uint8Array(o.extraBytes ?? 0).fill(0x55)]));
  return file;
}

const sizesOf = (file: string): { riff: number; data: number; length: number } => {
  const b = readFileSync(file);
  return { riff: readU32(b, 4), data: readU32(b, 40), length: b.length };
};

describe('repairWav', () => {
  it('fixes a header left at the last sync: the audio written after it becomes playable', async () => {
    // 3 s on disk, the header still says 1 s (killed two seconds after a sync... or a lost sync).
    const file = wav('stale.wav', { seconds: 3, claimedDataBytes: 16000 });
    expect(probeAudioFile(file).durationSeconds).toBe(1);
    const r = await repairWav(file);
    expect(r).toMatchObject({ fixed: true, dataBytes: 48000, previousDataBytes: 16000, truncatedBytes: 0 });
    expect(probeAudioFile(file).durationSeconds).toBe(3);
    expect(sizesOf(file)).toEqual({ riff: 36 + 48000, data: 48000, length: 44 + 48000 });
  });

  it('fixes unknown (0xFFFFFFFF) and zero sizes: killed before the first sync', async () => {
    for (const claimed of [UNKNOWN_SIZE, 0]) {
      const file = wav(`unknown-${claimed}.wav`, { seconds: 0.5, claimedDataBytes: claimed });
      const r = await repairWav(file);
      expect(r).toMatchObject({ fixed: true, dataBytes: 8000, previousDataBytes: claimed });
      expect(sizesOf(file)).toEqual({ riff: 8036, data: 8000, length: 8044 });
    }
  });

  it('fixes sizes larger than the file (a power cut after the header reached the disk but not the data)', async () => {
    const file = wav('beyond.wav', { seconds: 1, claimedDataBytes: 10 * 16000 });
    const r = await repairWav(file);
    expect(r).toMatchObject({ fixed: true, dataBytes: 16000 });
    expect(probeAudioFile(file).durationSeconds).toBe(1);
  });

  it('cuts a partial last sample frame, keeping the data frame-aligned', async () => {
    // Stereo 16-bit: 4-byte frames; 3 stray bytes from a cut-short write.
    const file = wav('partial.wav', { channels: 2, seconds: 1, claimedDataBytes: 0, extraBytes: 3 });
    const r = await repairWav(file);
    expect(r).toMatchObject({ fixed: true, dataBytes: 32000, truncatedBytes: 3 });
    expect(sizesOf(file)).toEqual({ riff: 36 + 32000, data: 32000, length: 44 + 32000 });
  });

  it('leaves a consistent file alone, also one with a chunk after the data', async () => {
    const file = wav('good.wav', { seconds: 1 });
    const before = readFileSync(file);
    expect(await repairWav(file)).toMatchObject({ fixed: false, dataBytes: 16000 });
    expect(readFileSync(file).equals(before)).toBe(true);

    // An editor's LIST chunk after the samples, RIFF size counting it.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const tagged = Buffer.concat([before, list]);
    tagged.writeUInt32LE(tagged.length - 8, 4);
    const taggedFile = path.join(dir, 'tagged.wav');
    writeFileSync(taggedFile, tagged);
    expect(await repairWav(taggedFile)).toMatchObject({ fixed: false, dataBytes: 16000 });
    expect(readFileSync(taggedFile).equals(tagged)).toBe(true);
  });

  it('refuses what is not a WAV', async () => {
    const file = path.join(dir, 'not.wav');
    writeFileSync(file, 'ID3 this is an mp3, honestly');
    await expect(repairWav(file)).rejects.toBeInstanceOf(WavRepairError);
  });
});

describe('repairRecordings', () => {
  it('repairs every WAV under the directory, reports what it fixed and what it could not, and removes .part leftovers', async () => {
    const root = path.join(dir, 'recordings');
    mkdirSync(path.join(root, 'tenant-a', '2025-01-01'), { recursive: true });
    const stale = wav('s.wav', { seconds: 2, claimedDataBytes: 16000 });
    const good = wav('g.wav', { seconds: 1 });
    const inTree = path.join(root, 'tenant-a', '2025-01-01', 'call-1.wav');
    writeFileSync(inTree, readFileSync(stale));
    writeFileSync(path.join(root, 'good.wav'), readFileSync(good));
    writeFileSync(path.join(root, 'broken.wav'), 'garbage');
    writeFileSync(path.join(root, 'tenant-a', 'call-2.mp3.part'), 'half an mp3');
    writeFileSync(path.join(root, 'notes.txt'), 'not audio, not touched');

    const r = await repairRecordings(root);
    expect(r.fixed.map((f) => f.path)).toEqual([inTree]);
    expect(r.fixed[0]).toMatchObject({ dataBytes: 32000, previousDataBytes: 16000 });
    expect(r.failed).toEqual([{ path: path.join(root, 'broken.wav'), reason: 'not a RIFF/WAVE file' }]);
    expect(r.removed).toEqual([path.join(root, 'tenant-a', 'call-2.mp3.part')]);
    expect(existsSync(path.join(root, 'notes.txt'))).toBe(true);
    expect(probeAudioFile(inTree).durationSeconds).toBe(2);

    // A second start finds nothing more to do.
    expect(await repairRecordings(root)).toEqual({ fixed: [], failed: r.failed, removed: [] });
  });
});
