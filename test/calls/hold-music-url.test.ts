// A trunk's hold_music URL end to end: the server fetches the file from an HTTP server on
// 127.0.0.1 (allowed here by SWITCHBOARD_FETCH_ALLOW_PRIVATE, as the clone tests do), keeps it
// converted under its data directory, and the party held by POST /calls/{id}/hold hears it;
// a URL that cannot be had plays the built-in music and logs a warning, and the call goes on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTone } from '../helpers/tone-analysis.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { aim, callee, carries, hasStatus, rtpPeer, sleep, startRig, waitForCall, wavChannels, type Rig } from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const OURS = '+14155550100';
const work = mkdtempSync(path.join(tmpdir(), 'sb-hold-url-'));
const hits: Record<string, number> = {};
let music: http.Server;
let base = '';

beforeAll(async () => {
  // 3 s of a 700 Hz tone, stereo 44.1 kHz, as music files usually are.
  const wav = path.join(work, 'tone700.wav');
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', '3', 'sine', '700', 'gain', '-8'], { timeout: 10_000 });
  const body = readFileSync(wav);
  music = http.createServer((req, res) => {
    hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
    if (req.url === '/tone700.wav') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(body);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => music.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(music.address() as AddressInfo).port}`;

  rig = await startRig({ register: false, env: { SWITCHBOARD_FETCH_ALLOW_PRIVATE: '1' } });
  expect((await rig.api.put(`/api/v1/numbers/${encodeURIComponent(OURS)}`)).status).toBeLessThan(300);
  const set = await rig.api.patch('/api/v1/tenant', { default_number: OURS });
  expect(set.status, set.text).toBe(200);
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
  await new Promise<void>((r) => music?.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

const cacheDir = () => path.join(rig.sb.dataDir, 'hold-music');
const cached = () => (existsSync(cacheDir()) ? readdirSync(cacheDir()).filter((f) => /^[0-9a-f]{32}\.wav$/.test(f)) : []);

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * A call placed through the trunk with `holdMusic` set; `ready` is awaited once the call is up,
 * then the far end is held and what it hears for 2 s is returned (after unhold and hangup).
 */
async function heardOnHold(to: string, holdMusic: string, ready: () => Promise<void>): Promise<Int16Array> {
  const trunk = await rig.api.put(`/api/v1/voice/sip-trunks/${rig.trunkId}`, { hold_music: holdMusic });
  expect(trunk.status, trunk.text).toBe(200);
  const farRtp = await rtpPeer();
  peers.push(farRtp);
  const carrier = await callee({ scenario: 'callee-hold.xml', rtp: farRtp });
  await rig.carrierAt(carrier.port);
  const placed = await rig.api.post('/api/v1/voice/calls', { to });
  expect(placed.status, placed.text).toBe(201);
  const id = placed.body.data.id as string;
  await aim(farRtp, carrier);
  await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');
  await ready();
  const from = farRtp.received.length;
  const held = await rig.api.post(`/api/v1/voice/calls/${id}/hold`);
  expect(held.status, held.text).toBe(200);
  await farRtp.waitFor(() => farRtp.received.length - from >= 100, 5000, '2 s of hold music');
  const heard = farRtp.heard(from);
  expect((await rig.api.post(`/api/v1/voice/calls/${id}/unhold`)).status).toBe(200);
  expect((await rig.api.post(`/api/v1/voice/calls/${id}/hangup`)).status).toBe(200);
  const c = await carrier.done;
  expect(c.code, c.output).toBe(0);
  return heard;
}

describe('hold music from a URL', () => {
  it('the held party hears the file at the URL, fetched once and kept converted on disk', async () => {
    const url = `${base}/tone700.wav`;
    const first = await heardOnHold('+14155559001', url, () => until(() => cached().length === 1, 'the music in the cache'));
    // 700 Hz, and not the built-in music: its 440 Hz note comes round every 2 s. (Its other
    // notes lie too close to 700 Hz for a 50 ms window to tell them from leakage.)
    expect(carries(first, 700, 440), '700 Hz from the URL, no built-in 440 Hz').toBe(true);
    // Kept as 8 kHz mono 16-bit.
    const kept = wavChannels(new Uint8Array(readFileSync(path.join(cacheDir(), cached()[0]!))));
    expect(kept.rate).toBe(8000);
    expect(kept.channels).toHaveLength(1);
    expect(kept.channels[0]!.length / 8000).toBeCloseTo(3, 1);

    // A second call on the same trunk plays it from disk: no second fetch.
    const again = await heardOnHold('+14155559002', url, async () => undefined);
    expect(carries(again, 700, 440)).toBe(true);
    expect(hits['/tone700.wav']).toBe(1);
  });

  it('a URL that cannot be fetched plays the built-in music and logs a warning; the call goes on', async () => {
    const url = `${base}/gone.mp3`;
    const warned = () => rig.sb.stdout().includes('hold music could not be fetched');
    const heard = await heardOnHold('+14155559003', url, () => until(warned, 'the warning'));
    for (const hz of [440, 554, 659]) expect(hasTone(heard, 8000, hz), `built-in ${hz} Hz`).toBe(true);
    expect(hits['/gone.mp3']).toBe(1);
    const line = rig.sb.stdout().split('\n').find((l) => l.includes('hold music could not be fetched'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', url: url, err: 'HTTP 404' });
  });
});
