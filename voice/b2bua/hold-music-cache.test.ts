// Hold music from URLs: fetched once from a real HTTP server on loopback, converted (sox for
// WAV/Ogg, the player's decoder for MP3) to an 8 kHz mono WAV kept under the cache directory,
// refused from private addresses unless allowed, and a failing URL remembered for a while.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudioFile } from '../../media/audio-probe.js';
import { decodeWav } from '../../media/player/wav-pcm.js';
import { hasTone } from '../../test/helpers/tone-analysis.js';
import { HoldMusicCache, loggableUrl } from './hold-music-cache.js';
import { holdMusicFor, DEFAULT_HOLD_MUSIC } from './hold-music.js';

const work = mkdtempSync(path.join(tmpdir(), 'sb-holdmusic-'));
const files: Record<string, Buffer> = {};
const hits: Record<string, number> = {};
let server: http.Server;
let base = '';

/** Makes an audio file with sox (and lame for MP3): `seconds` of a sine at `hz`. */
function audio(name: string, hz: number, o: { rate: number; channels: number; seconds?: number }): Buffer {
  const wav = path.join(work, `${name}.wav`);
  execFileSync('sox', ['-n', '-r', String(o.rate), '-c', String(o.channels), '-b', '16', wav, 'synth', String(o.seconds ?? 2), 'sine', String(hz), 'gain', '-6'], { timeout: 10_000 });
  if (name.endsWith('.mp3')) {
    const mp3 = path.join(work, name);
    execFileSync('lame', ['--quiet', wav, mp3], { timeout: 10_000 });
    return readFileSync(mp3);
  }
  if (name.endsWith('.ogg')) {
    const ogg = path.join(work, name);
    execFileSync('sox', [wav, ogg], { timeout: 10_000 });
    return readFileSync(ogg);
  }
  return readFileSync(wav);
}

const log = { warnings: [] as string[], infos: [] as string[] };
const logger = {
  warn: (obj: object, msg: string) => log.warnings.push(`${msg} ${JSON.stringify(obj)}`),
  info: (obj: object, msg: string) => log.infos.push(`${msg} ${JSON.stringify(obj)}`),
};

function cache(o: Partial<ConstructorParameters<typeof HoldMusicCache>[0]> = {}): HoldMusicCache {
  return new HoldMusicCache({ dir: path.join(work, 'cache'), allowPrivate: true, log: logger, ...o });
}

/** The samples of a converted file; it must be 8 kHz mono. */
function samplesOf(file: string): Int16Array {
  const info = probeAudioFile(file);
  expect(info).toMatchObject({ format: 'wav', sampleRate: 8000, channels: 1 });
  return decodeWav(readFileSync(file), file, 1200).samples;
}

beforeAll(async () => {
  files['/music.wav'] = audio('music.wav', 700, { rate: 44100, channels: 2 });
  files['/music.mp3'] = audio('music.mp3', 900, { rate: 44100, channels: 2 });
  files['/music.ogg'] = audio('music.ogg', 500, { rate: 22050, channels: 1 });
  files['/page.html'] = Buffer.from('<!doctype html><html><body>not music</body></html>');
  server = http.createServer((req, res) => {
    const p = (req.url ?? '').split('?')[0]!;
    hits[p] = (hits[p] ?? 0) + 1;
    const body = files[p];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

describe('HoldMusicCache', () => {
  it('fetches a stereo 44.1 kHz WAV once, however many calls ask at once, and keeps it as 8 kHz mono', async () => {
    const c = cache();
    const url = `${base}/music.wav?v=1`;
    expect(c.fileFor(url), 'not on disk yet: the fetch starts').toBeUndefined();
    const [a, b] = await Promise.all([c.get(url), c.get(url)]);
    expect(a).toBe(c.pathFor(url));
    expect(b).toBe(a);
    expect(hits['/music.wav']).toBe(1);
    const samples = samplesOf(a!);
    expect(samples.length / 8000).toBeCloseTo(2, 1);
    expect(hasTone(samples, 8000, 700)).toBe(true);
    expect(c.fileFor(url)).toBe(a);
    // The next start of the server finds it on disk: no new fetch.
    expect(cache().fileFor(url)).toBe(a);
    expect(hits['/music.wav']).toBe(1);
    // No leftovers of the download or the conversion.
    expect(readdirSync(path.join(work, 'cache')).filter((f) => !f.endsWith('.wav') || f.includes('.part'))).toEqual([]);
  });

  it('converts MP3 (the player decoder) and Ogg Vorbis (sox)', async () => {
    const c = cache();
    const mp3 = await c.get(`${base}/music.mp3`);
    expect(mp3).not.toBeNull();
    expect(hasTone(samplesOf(mp3!), 8000, 900)).toBe(true);
    const ogg = await c.get(`${base}/music.ogg`);
    expect(ogg).not.toBeNull();
    expect(hasTone(samplesOf(ogg!), 8000, 500)).toBe(true);
  });

  it('a URL that fails is logged, answered null, and not fetched again until the retry period passed', async () => {
    let now = 1_000_000;
    const c = cache({ now: () => now, retryAfterMs: 60_000 });
    const url = `${base}/page.html`;
    expect(await c.get(url)).toBeNull();
    expect(log.warnings.at(-1)).toMatch(/hold music could not be fetched.*not playable audio/);
    expect(await c.get(url)).toBeNull();
    expect(c.fileFor(url)).toBeUndefined();
    expect(hits['/page.html']).toBe(1);
    now += 61_000;
    expect(await c.get(url)).toBeNull();
    expect(hits['/page.html']).toBe(2);
    expect(await cache().get(`${base}/missing.wav`)).toBeNull();
    expect(log.warnings.at(-1)).toMatch(/HTTP 404/);
  });

  it('refuses loopback and private addresses unless the operator allows them', async () => {
    const c = cache({ allowPrivate: false });
    const before = hits['/music.wav'] ?? 0;
    expect(await c.get(`${base}/music.wav?v=private`)).toBeNull();
    expect(log.warnings.at(-1)).toMatch(/private address/);
    expect(hits['/music.wav'] ?? 0).toBe(before);
  });

  it('logs URLs without credentials or query', () => {
    expect(loggableUrl('https://user:secret@cdn.example.com/m/hold.mp3?token=abc')).toBe('https://cdn.example.com/m/hold.mp3');
    expect(loggableUrl('nonsense')).toBe('(not a URL)');
  });
});

describe('holdMusicFor', () => {
  it('silence, the built-in music, and a URL: its file once on disk, the built-in music before', async () => {
    const c = cache();
    expect(holdMusicFor('silence', c)).toEqual([]);
    expect(holdMusicFor('default', c)).toBe(DEFAULT_HOLD_MUSIC);
    expect(holdMusicFor(undefined)).toBe(DEFAULT_HOLD_MUSIC);
    const url = `${base}/music.wav?v=2`;
    expect(holdMusicFor(url, c)).toBe(DEFAULT_HOLD_MUSIC);
    const file = await c.get(url);
    expect(holdMusicFor(url, c)).toEqual([{ type: 'file', path: file }]);
  });
});
