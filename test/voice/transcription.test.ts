// Speech to text with the embedded pocketsphinx engine: a message left in a box with
// transcribe: true gets its words (Debian's pocketsphinx-testdata "go forward ten
// meters"), a recording that cannot be decoded ends failed without losing the message, and
// POST /transcribe fetches an audio URL and is polled to the same words.
import { readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';
import { startServer, tempDataDir } from '../helpers/server.js';
import { client, type Client } from '../helpers/http.js';
import { eventually, goForwardWav, startVoicemailRig, type VoicemailRig } from './voicemail-rig.js';

const WORDS = /go forward/i;

describe('voicemail transcription', () => {
  let rig: VoicemailRig;
  let work: string;
  let box: string;

  beforeAll(async () => {
    rig = await startVoicemailRig();
    work = path.join(rig.dataDir, 'call-recordings');
    mkdirSync(work, { recursive: true });
    box = (await rig.a.post('/api/v1/voice/voicemail-boxes', { name: 'Transcribed', transcribe: true })).body.data.id;
  });
  afterAll(async () => rig?.stop());

  const settled = (id: string) =>
    eventually(
      async () => {
        const d = (await rig.a.get(`/api/v1/voice/voicemails/${id}`)).body.data;
        return d.transcription_status === 'pending' ? undefined : d;
      },
      60_000,
      'the transcription',
    );

  it('fills transcription with the words of the message', async () => {
    const m = await rig.voicemail.service.deposit({
      tenantId: rig.tenantA, voicemailId: box, caller: '+14155552671', callee: null, direction: 'inbound',
      callId: null, audioPath: goForwardWav(work), durationSeconds: 2.79,
    });
    // Stored at once, words later.
    expect(m.transcriptionStatus).toBe('pending');
    expect(m.transcription).toBeNull();
    const d = await settled(m.id);
    expect(d.transcription_status).toBe('completed');
    expect(d.transcription).toMatch(WORDS);
  });

  it('a recording the engine cannot read ends failed with no text, and the message stays', async () => {
    const bad = path.join(work, 'garbage.wav');
    writeFileSync(bad, Buffer.from('RIFF this is not audio at all '.repeat(50)));
    const m = await rig.voicemail.service.deposit({
      tenantId: rig.tenantA, voicemailId: box, caller: '+14155552672', callee: null, direction: 'inbound',
      callId: null, audioPath: bad, durationSeconds: 3,
    });
    const d = await settled(m.id);
    expect(d).toMatchObject({ id: m.id, transcription_status: 'failed', transcription: null, listened: false });
    const dl = await fetch(d.recording_url);
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer()).toString()).toContain('this is not audio');
    // A box without transcribe leaves messages untouched.
    const plain = (await rig.a.post('/api/v1/voice/voicemail-boxes', { name: 'Plain' })).body.data.id;
    const p = await rig.voicemail.service.deposit({
      tenantId: rig.tenantA, voicemailId: plain, caller: '+14155552673', callee: null, direction: 'inbound',
      callId: null, audioPath: goForwardWav(work, 'again.wav'), durationSeconds: 2.79,
    });
    expect((await rig.a.get(`/api/v1/voice/voicemails/${p.id}`)).body.data).toMatchObject({ transcription: null, transcription_status: 'none' });
  });
});

describe('POST /transcribe', () => {
  let t: TwoTenants;
  let audioServer: http.Server;
  let audioBase: string;
  const wav = goForwardWav(tempDataDir());

  beforeAll(async () => {
    audioServer = http.createServer((req, res) => {
      if (req.url === '/goforward.wav') {
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.end(readFileSync(wav));
      } else if (req.url === '/noise.wav') {
        res.end(Buffer.alloc(5000, 7));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => audioServer.listen(0, '127.0.0.1', r));
    audioBase = `http://127.0.0.1:${(audioServer.address() as AddressInfo).port}`;
    // The fetch guard refuses loopback unless the operator allows private addresses.
    t = await startWithTwoTenants({ env: { SWITCHBOARD_FETCH_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    await t?.sb.stop();
    audioServer?.close();
  });

  const poll = (c: Client, id: string) =>
    eventually(
      async () => {
        const r = await c.get(`/api/v1/voice/transcribe/${id}`);
        expect(r.status, r.text).toBe(200);
        return r.body.data.status === 'completed' || r.body.data.status === 'failed' ? r.body.data : undefined;
      },
      60_000,
      'the transcript',
    );

  it('answers 202 with a transcript_id, and polling gives the words', async () => {
    const r = await t.a.post('/api/v1/voice/transcribe', { audio_url: `${audioBase}/goforward.wav`, language: 'en-US' });
    expect(r.status, r.text).toBe(202);
    expect(r.body.data.transcript_id).toMatch(/^tx_[0-9a-z]+$/);
    expect(['queued', 'processing']).toContain(r.body.data.status);
    const done = await poll(t.a, r.body.data.transcript_id);
    expect(done).toMatchObject({ status: 'completed', language: 'en-US', error: null });
    expect(done.text).toMatch(WORDS);
    expect(done.duration_seconds).toBeCloseTo(2.79, 1);
    // Another tenant cannot see it.
    expect((await t.b.get(`/api/v1/voice/transcribe/${r.body.data.transcript_id}`)).status).toBe(404);
  });

  it('a URL that is not audio, or not there, ends failed with the reason', async () => {
    const noise = await t.a.post('/api/v1/voice/transcribe', { audio_url: `${audioBase}/noise.wav` });
    const missing = await t.a.post('/api/v1/voice/transcribe', { audio_url: `${audioBase}/missing.wav` });
    const a = await poll(t.a, noise.body.data.transcript_id);
    expect(a).toMatchObject({ status: 'failed', text: null });
    expect(a.error).toMatch(/decoded/);
    const b = await poll(t.a, missing.body.data.transcript_id);
    expect(b).toMatchObject({ status: 'failed', text: null });
    expect(b.error).toMatch(/404/);
  });

  it('422 names each bad field', async () => {
    expectFieldErrors(await t.a.post('/api/v1/voice/transcribe', { audio_url: 'ftp://x/y.wav', language: 'not a tag' }), ['audio_url', 'language']);
    expectFieldErrors(await t.a.post('/api/v1/voice/transcribe', { audio_url: `${audioBase}/goforward.wav`, language: 'fr-FR' }), ['language']);
    expectFieldErrors(await t.a.post('/api/v1/voice/transcribe', {}), ['audio_url']);
  });

  it('without SWITCHBOARD_FETCH_ALLOW_PRIVATE a loopback URL is refused', async () => {
    const sb = await startServer();
    try {
      const c = client(sb.baseUrl, sb.firstKey);
      const r = await c.post('/api/v1/voice/transcribe', { audio_url: `${audioBase}/goforward.wav` });
      expect(r.status, r.text).toBe(202);
      const done = await poll(c, r.body.data.transcript_id);
      expect(done).toMatchObject({ status: 'failed', text: null });
      expect(done.error).toMatch(/private address/);
      // Nothing fetched is left behind.
      expect(existsSync(path.join(sb.dataDir, 'speech', 'fetch', `${r.body.data.transcript_id}.audio`))).toBe(false);
    } finally {
      await sb.stop();
    }
  });
});
