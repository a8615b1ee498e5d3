// The background job of voice clones against a real store: resuming after a restart,
// deleting while a fetch runs, and what ends up on disk and in the row.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SampleFiles } from '../../test/audio/sample-files.js';
import { openStore, type Store } from '../../store/index.js';
import { resumeProcessingClones, sampleProblems, type CloneSampleDeps } from './clone-samples.js';
import { VoiceCloneService } from './clones.js';

let files: SampleFiles;
let media: http.Server;
let mediaUrl: string;
/** Requests to /stall hang until released: a fetch that is still running. */
let stalled: http.ServerResponse[] = [];

beforeAll(async () => {
  files = new SampleFiles();
  files.tone('ok.wav', { seconds: 31, rate: 16000, bits: 16 });
  media = http.createServer((req, res) => {
    if (req.url === '/stall') {
      res.writeHead(200);
      res.write('RIFF');
      stalled.push(res);
      return;
    }
    res.writeHead(200).end(readFileSync(files.path('ok.wav')));
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
});

afterAll(async () => {
  media?.closeAllConnections();
  await new Promise((r) => media?.close(r));
  files?.remove();
});

let dataDir: string;
let store: Store;
let tenantId: string;
let deps: CloneSampleDeps;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-clones-'));
  store = await openStore(dataDir);
  tenantId = (await store.tenants.create({ name: 't' })).id;
  deps = { store, logger: pino({ level: 'silent' }), fetchAllowPrivate: true };
  stalled = [];
  return async () => {
    for (const res of stalled) res.destroy();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
});

/** A clone row as a previous run of the server left it. */
async function insertClone(status: string, sampleUrl: string): Promise<string> {
  const row = await store.resources.clones.insert(tenantId, {
    name: 'left over',
    language: 'en-US',
    sample_url: sampleUrl,
    status,
    rejection_reason: null,
    format: null,
    sample_rate: null,
    channels: null,
    duration_seconds: null,
    size_bytes: null,
    sample_path: null,
  });
  return row.id;
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('resumeProcessingClones', () => {
  it('finishes the clones a stopped server left processing, and only those', async () => {
    const pending = await insertClone('processing', `${mediaUrl}/ok.wav`);
    const ready = await insertClone('ready', `${mediaUrl}/ok.wav`);
    const { resumed, processor } = await resumeProcessingClones(deps);
    expect(resumed).toBe(1);
    await processor.whenIdle();

    const row = (await store.resources.clones.get(tenantId, pending))!;
    expect(row).toMatchObject({ status: 'ready', format: 'wav', sample_rate: 16000, channels: 1, duration_seconds: 31 });
    // equals(), not toEqual(): a deep comparison of a megabyte takes seconds.
    expect(readFileSync(path.join(dataDir, row.sample_path!)).equals(readFileSync(files.path('ok.wav')))).toBe(true);
    expect(row.sample_path).toBe(path.join('clones', tenantId, `${pending}.wav`));
    expect((await store.resources.clones.get(tenantId, ready))!.sample_path).toBeNull();
  });

  it('picks up a fetch that a stop cut short', async () => {
    const id = await insertClone('processing', `${mediaUrl}/stall`);
    const first = await resumeProcessingClones(deps);
    await waitFor(() => stalled.length === 1);
    first.processor.stop(); // the server stops mid-download
    await first.processor.whenIdle();
    expect((await store.resources.clones.get(tenantId, id))!.status).toBe('processing');
    expect(readdirSync(path.join(dataDir, 'clones', tenantId))).toEqual([]);

    // The next start finds it again; this time the file is there.
    await store.resources.clones.update(tenantId, id, { sample_url: `${mediaUrl}/ok.wav` });
    const second = await resumeProcessingClones(deps);
    expect(second.resumed).toBe(1);
    await second.processor.whenIdle();
    expect((await store.resources.clones.get(tenantId, id))!.status).toBe('ready');
  });

  it('rejects with the fetch limit that was hit', async () => {
    const id = await insertClone('processing', `${mediaUrl}/stall`);
    const { processor } = await resumeProcessingClones({ ...deps, fetchLimits: { timeoutMs: 200 } });
    await processor.whenIdle();
    expect(await store.resources.clones.get(tenantId, id)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'fetch timed out after 0.2 s',
    });
  });
});

describe('VoiceCloneService', () => {
  it('deleting a clone whose sample is still downloading stops the download and leaves nothing behind', async () => {
    const clones = new VoiceCloneService(deps);
    const c = await clones.create(tenantId, { name: 'x', language: 'en-US', sampleUrl: `${mediaUrl}/stall` });
    await waitFor(() => stalled.length === 1);
    expect(await clones.delete(tenantId, c.id)).toEqual({ kind: 'deleted' });
    await clones.whenIdle();
    expect(await clones.get(tenantId, c.id)).toBeUndefined();
    expect(readdirSync(path.join(dataDir, 'clones', tenantId))).toEqual([]);
    expect(await clones.delete(tenantId, c.id)).toEqual({ kind: 'not_found' });
  });

  it('refuses private addresses unless allowed', async () => {
    const clones = new VoiceCloneService({ ...deps, fetchAllowPrivate: false });
    const c = await clones.create(tenantId, { name: 'x', language: 'en-US', sampleUrl: `${mediaUrl}/ok.wav` });
    await clones.whenIdle();
    expect(await clones.get(tenantId, c.id)).toMatchObject({
      status: 'rejected',
      rejectionReason: 'sample_url resolves to a private address',
    });
    expect(existsSync(path.join(dataDir, 'clones', tenantId, `${c.id}.wav`))).toBe(false);
  });
});

describe('sampleProblems', () => {
  it('lists every rule the sample breaks, with its numbers', () => {
    expect(
      sampleProblems({ format: 'wav', encoding: 'pcm_s16', sampleRate: 8000, channels: 2, durationSeconds: 29.97, bitsPerSample: 16 }),
    ).toEqual([
      'sample is 8000 Hz; at least 16 kHz is needed',
      'sample has 2 channels; mono is needed',
      'sample is 29.9 s long; at least 30 s is needed',
    ]);
    expect(sampleProblems({ format: 'flac', encoding: 'flac', sampleRate: 16000, channels: 1, durationSeconds: 30, bitsPerSample: 16 })).toEqual([]);
  });
});
