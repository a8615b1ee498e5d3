// /api/v1/voice/clones over HTTP: real samples (made by sox and lame) served from a local
// HTTP server, fetched and checked in the background by the spawned server.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SampleFiles } from '../audio/sample-files.js';
import { client, type Client } from '../helpers/http.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { checkIsolationAndPaging, expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

const BASE = '/api/v1/voice/clones';
let t: TwoTenants;
let files: SampleFiles;
let media: http.Server;
let mediaUrl: string;

beforeAll(async () => {
  files = new SampleFiles();
  files.tone('ok.wav', { seconds: 35, rate: 16000, bits: 16 });
  files.mp3('ok.mp3', { seconds: 35 }, ['-V', '5']);
  files.tone('ok.flac', { seconds: 35, rate: 22050, bits: 16 });
  files.tone('short.wav', { seconds: 12.4, bits: 16 });
  files.tone('8k.wav', { seconds: 35, rate: 8000, bits: 16 });
  files.tone('stereo.wav', { seconds: 35, channels: 2, bits: 16 });
  files.tone('voice.ogg', { seconds: 35 });
  files.write('noise.bin', randomBytes(300_000));

  media = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/big') {
      // 51 MB produced lazily, with no Content-Length: the server must stop reading at 50 MB.
      res.writeHead(200, { 'content-type': 'audio/wav' });
      const chunk = Buffer.alloc(1024 * 1024);
      let left = 51;
      const more = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (left = 0));
      more();
      return;
    }
    const m = /^\/files\/([\w.]+)$/.exec(url);
    const file = m ? files.path(m[1]!) : undefined;
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    // Deliberately misleading type: the format must come from the bytes.
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;

  t = await startWithTwoTenants({ env: { SWITCHBOARD_FETCH_ALLOW_PRIVATE: 'true' } });
});

afterAll(async () => {
  await t?.sb.stop();
  media?.closeAllConnections();
  await new Promise((r) => media?.close(r));
  files?.remove();
});

const body = (file: string, name = `Brand Voice ${file}`) => ({ name, language: 'en-US', sample_url: `${mediaUrl}/files/${file}` });

/** Polls the clone until it leaves `processing` (bounded). */
async function settled(c: Client, id: string): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const r = await c.get(`${BASE}/${id}`);
    expect(r.status, r.text).toBe(200);
    if (r.body.data.status !== 'processing') return r.body.data;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`clone ${id} still processing after 15 s`);
}

async function createAndSettle(c: Client, b: unknown): Promise<any> {
  const r = await c.post(BASE, b);
  expect(r.status, r.text).toBe(201);
  return settled(c, r.body.data.id);
}

const storedFile = (tenant: string, id: string, ext: string): string => path.join(t.sb.dataDir, 'clones', tenant, `${id}.${ext}`);

describe('voice clones', () => {
  it("accepts the seed's request, answers processing, then becomes ready with the sample's numbers", async () => {
    const r = await t.a.post(BASE, { ...body('ok.wav'), name: 'Brand Voice — EN' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toMatchObject({
      name: 'Brand Voice — EN',
      language: 'en-US',
      sample_url: `${mediaUrl}/files/ok.wav`,
      status: 'processing',
      rejection_reason: null,
      format: null,
      sample_rate: null,
      channels: null,
      duration_seconds: null,
      size_bytes: null,
    });
    expect(r.body.data.id).toMatch(/^clone_[0-9a-z]+$/);
    expect(Date.parse(r.body.data.created_at)).not.toBeNaN();

    const done = await settled(t.a, r.body.data.id);
    const size = statSync(files.path('ok.wav')).size;
    expect(done).toMatchObject({
      status: 'ready',
      rejection_reason: null,
      format: 'wav',
      sample_rate: 16000,
      channels: 1,
      duration_seconds: 35,
      size_bytes: size,
    });
    expect(Date.parse(done.updated_at)).toBeGreaterThanOrEqual(Date.parse(done.created_at));
    // The sample is kept, byte for byte, where the brief says.
    expect(readFileSync(storedFile(t.tenantA, done.id, 'wav')).equals(readFileSync(files.path('ok.wav')))).toBe(true);
  });

  it('takes MP3 and FLAC samples, by their bytes rather than their names', async () => {
    const mp3 = await createAndSettle(t.a, body('ok.mp3'));
    expect(mp3).toMatchObject({ status: 'ready', format: 'mp3', sample_rate: 16000, channels: 1 });
    expect(mp3.duration_seconds).toBeCloseTo(35, 2);
    expect(existsSync(storedFile(t.tenantA, mp3.id, 'mp3'))).toBe(true);

    const flac = await createAndSettle(t.a, body('ok.flac'));
    expect(flac).toMatchObject({ status: 'ready', format: 'flac', sample_rate: 22050, channels: 1, duration_seconds: 35 });
    expect(existsSync(storedFile(t.tenantA, flac.id, 'flac'))).toBe(true);
  });

  it.each([
    ['short.wav', 'sample is 12.4 s long; at least 30 s is needed'],
    ['8k.wav', 'sample is 8000 Hz; at least 16 kHz is needed'],
    ['stereo.wav', 'sample has 2 channels; mono is needed'],
    ['voice.ogg', 'unsupported format (Ogg); WAV, MP3 or FLAC is needed'],
    ['noise.bin', 'unsupported format; WAV, MP3 or FLAC is needed'],
    ['nothing-here.wav', 'fetching sample_url answered HTTP 404'],
  ])('rejects %s, saying why', async (file, reason) => {
    const done = await createAndSettle(t.a, body(file));
    expect(done).toMatchObject({ status: 'rejected', rejection_reason: reason, format: null, duration_seconds: null });
    for (const ext of ['wav', 'mp3', 'flac', 'part']) expect(existsSync(storedFile(t.tenantA, done.id, ext))).toBe(false);
  });

  it('rejects a sample over 50 MB without reading all of it', async () => {
    const done = await createAndSettle(t.a, { ...body('x'), sample_url: `${mediaUrl}/big` });
    expect(done).toMatchObject({ status: 'rejected', rejection_reason: 'sample exceeds 50 MB' });
    expect(existsSync(storedFile(t.tenantA, done.id, 'part'))).toBe(false);
  });

  it('names every bad field', async () => {
    expectFieldErrors(await t.a.post(BASE, { language: 'en-US', sample_url: 'ftp://files.example.com/a.wav' }), ['name', 'sample_url']);
    expectFieldErrors(await t.a.post(BASE, { name: 'x', language: 'English', sample_url: 'file:///etc/passwd' }), [
      'language',
      'sample_url',
    ]);
    expectFieldErrors(await t.a.post(BASE, {}), ['name', 'language', 'sample_url']);
    expectFieldErrors(await t.a.post(BASE, { ...body('ok.wav'), name: 'x'.repeat(201) }), ['name']);
  });

  it('stores the language tag in its usual case', async () => {
    const r = await t.a.post(BASE, { ...body('ok.wav'), language: 'zh-hans-cn' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data.language).toBe('zh-Hans-CN');
    await settled(t.a, r.body.data.id);
  });

  it('keeps tenants apart and pages without gaps', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => body('ok.wav', `paged ${i}`), { name: 'renamed' });
  });

  it('filters the list by status', async () => {
    const rejected = await listAll(t.a, `${BASE}?status=rejected`);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((c) => c.status === 'rejected')).toBe(true);
    expectFieldErrors(await t.a.get(`${BASE}?status=done`), ['status']);
  });

  it('deletes the clone and its stored sample', async () => {
    const done = await createAndSettle(t.a, body('ok.wav'));
    const file = storedFile(t.tenantA, done.id, 'wav');
    expect(existsSync(file)).toBe(true);
    const del = await t.a.delete(`${BASE}/${done.id}`);
    expect(del.status, del.text).toBe(200);
    expect(del.body.data).toEqual({ id: done.id, deleted: true });
    expect(existsSync(file)).toBe(false);
    expect((await t.a.get(`${BASE}/${done.id}`)).status).toBe(404);
  });

  it('refuses to delete a clone an agent speaks with', async () => {
    const done = await createAndSettle(t.a, body('ok.wav'));
    const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'));
    const now = new Date().toISOString();
    try {
      db.prepare(
        `INSERT INTO agents (id, tenant_id, name, kind, extension_id, phone_number, stream_url, tts_voice_id, skills,
           archived, status, status_changed_at, created_at, updated_at)
         VALUES ('agt_talker', ?, 'Ava', 'ai', NULL, NULL, NULL, ?, '[]', 0, 'available', ?, ?, ?)`,
      ).run(t.tenantA, done.id, now, now, now);
      const r = await t.a.delete(`${BASE}/${done.id}`);
      expect(r.status, r.text).toBe(409);
      expect(r.body.error.code).toBe('RESOURCE_IN_USE');
      expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'agent', referrer_id: 'agt_talker', field: 'tts_voice_id' })]);
      expect(existsSync(storedFile(t.tenantA, done.id, 'wav'))).toBe(true);
      expect((await t.a.get(`${BASE}/${done.id}`)).body.data.status).toBe('ready');

      db.prepare(`DELETE FROM agents WHERE id = 'agt_talker'`).run();
      expect((await t.a.delete(`${BASE}/${done.id}`)).status).toBe(200);
    } finally {
      db.close();
    }
  });

  it('publishes the endpoints in the OpenAPI document', async () => {
    const doc = (await t.a.get('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([BASE, `${BASE}/{id}`]));
  });
});

describe('voice clones on a server that keeps fetches off private addresses (the default)', () => {
  let sb: RunningServer;
  let c: Client;
  beforeAll(async () => {
    sb = await startServer();
    c = client(sb.baseUrl, sb.firstKey);
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('rejects a sample_url on 127.0.0.1 without fetching it', async () => {
    let hits = 0;
    media.on('request', (req: http.IncomingMessage) => void (req.url?.includes('guarded') && hits++));
    const done = await createAndSettle(c, { ...body('ok.wav'), sample_url: `${mediaUrl}/files/ok.wav?guarded` });
    expect(done).toMatchObject({ status: 'rejected', rejection_reason: 'sample_url resolves to a private address' });
    expect(hits).toBe(0);
  });
});
