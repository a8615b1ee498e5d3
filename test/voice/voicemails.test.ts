// Voicemail messages: a deposit (what the IVR's voicemail node does when the caller
// finishes) is stored as a file and a row, shown by /voicemails in the seed's shape, with
// filters, a paginated total, a signed download URL, read and delete, tenant isolation,
// box webhooks, and nothing lost when the server stops between moving the file and
// inserting the row.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoicemailDepositError } from '../../voice/voicemail/index.js';
import { expectFieldErrors } from '../helpers/voice.js';
import { withDb } from '../helpers/db.js';
import { startServer, tempDataDir } from '../helpers/server.js';
import { client, type ApiResponse } from '../helpers/http.js';
import { eventually, startVoicemailRig, toneWav, type VoicemailRig } from './voicemail-rig.js';

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

let rig: VoicemailRig;
let work: string;
let boxA1: string;
let boxA2: string;
const hooks: { type: string; data: any; signature: string | undefined }[] = [];
let hookServer: http.Server;

beforeAll(async () => {
  hookServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const ev = JSON.parse(body);
      hooks.push({ type: ev.type, data: ev.data, signature: req.headers['switchboard-signature'] as string | undefined });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  rig = await startVoicemailRig();
  work = path.join(rig.dataDir, 'call-recordings');
  mkdirSync(work, { recursive: true });
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  boxA1 = (await rig.a.post('/api/v1/voice/voicemail-boxes', { name: 'Main' })).body.data.id;
  boxA2 = (await rig.a.post('/api/v1/voice/voicemail-boxes', { name: 'Sales', webhook_url: hookUrl })).body.data.id;
});

afterAll(async () => {
  await rig?.stop();
  hookServer?.close();
});

async function deposit(over: Partial<Parameters<VoicemailRig['voicemail']['service']['deposit']>[0]> = {}, seconds = 1.5) {
  const audio = toneWav(work, `rec-${Math.random().toString(36).slice(2)}.wav`, seconds);
  const digest = sha(audio);
  const m = await rig.voicemail.service.deposit({
    tenantId: rig.tenantA,
    voicemailId: boxA1,
    caller: '+14155552671',
    callee: '+14155550100',
    direction: 'inbound',
    callId: null,
    audioPath: audio,
    durationSeconds: seconds,
    ...over,
  });
  return { m, audio, digest };
}

describe('deposit and read', () => {
  it('stores the recording under the data dir and shows the message in the seed shape with a working signed URL', async () => {
    const { m, audio, digest } = await deposit({}, 2.3);
    expect(m.id).toMatch(/^vmsg_[0-9a-z]+$/);
    // Moved, not copied: the call flow's file is gone, the store has the same bytes.
    expect(existsSync(audio)).toBe(false);
    const stored = path.join(rig.dataDir, 'voicemail', rig.tenantA, `${m.id}.wav`);
    expect(sha(stored)).toBe(digest);

    const r = await rig.a.get(`/api/v1/voice/voicemails/${m.id}`);
    expect(r.status, r.text).toBe(200);
    const d = r.body.data;
    expect(Object.keys(d).slice(0, 8)).toEqual([
      'id', 'voicemail_id', 'caller', 'duration_seconds', 'transcription', 'recording_url', 'listened', 'created_at',
    ]);
    expect(d).toMatchObject({
      id: m.id,
      voicemail_id: boxA1,
      caller: '+14155552671',
      duration_seconds: 2.3,
      transcription: null,
      listened: false,
      callee: '+14155550100',
      direction: 'inbound',
      transcription_status: 'none',
    });
    expect(d.recording_url).toMatch(new RegExp(`/api/v1/voice/voicemails/${m.id}/recording\\?expires=\\d+&signature=[0-9a-f]{64}$`));

    // The signed URL needs no API key and serves the same bytes.
    const dl = await fetch(d.recording_url);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('audio/wav');
    expect(createHash('sha256').update(Buffer.from(await dl.arrayBuffer())).digest('hex')).toBe(digest);
    // A changed signature, or the signature used on another path, is refused.
    const bad = await fetch(d.recording_url.replace(/signature=([0-9a-f])/, (_s: string, c: string) => `signature=${c === '0' ? '1' : '0'}`));
    expect(bad.status).toBe(403);
    const asRecording = await fetch(d.recording_url.replace(`/voicemails/${m.id}/recording`, `/recordings/${m.id}/download`));
    expect(asRecording.status).toBe(403);
  });

  it('counts messages on the box and marks read', async () => {
    const before = (await rig.a.get(`/api/v1/voice/voicemail-boxes/${boxA1}`)).body.data.messages_count;
    const { m } = await deposit();
    expect((await rig.a.get(`/api/v1/voice/voicemail-boxes/${boxA1}`)).body.data.messages_count).toBe(before + 1);
    const read = await rig.a.patch(`/api/v1/voice/voicemails/${m.id}/read`);
    expect(read.status, read.text).toBe(200);
    expect(read.body.data.listened).toBe(true);
    expect((await rig.a.get(`/api/v1/voice/voicemails/${m.id}`)).body.data.listened).toBe(true);
    // Again: still 200, still read.
    expect((await rig.a.patch(`/api/v1/voice/voicemails/${m.id}/read`)).body.data.listened).toBe(true);
  });

  it('deletes the message and its file; the signed URL then answers 404', async () => {
    const { m } = await deposit();
    const url = (await rig.a.get(`/api/v1/voice/voicemails/${m.id}`)).body.data.recording_url;
    const file = path.join(rig.dataDir, 'voicemail', rig.tenantA, `${m.id}.wav`);
    expect(existsSync(file)).toBe(true);
    const del = await rig.a.delete(`/api/v1/voice/voicemails/${m.id}`);
    expect(del.status, del.text).toBe(200);
    expect(del.body.data).toEqual({ id: m.id, deleted: true });
    expect(existsSync(file)).toBe(false);
    expect((await rig.a.get(`/api/v1/voice/voicemails/${m.id}`)).status).toBe(404);
    expect((await rig.a.delete(`/api/v1/voice/voicemails/${m.id}`)).status).toBe(404);
    expect((await fetch(url)).status).toBe(404);
  });

  it('a deposit without a box goes to the oldest box; an unknown box is refused and the file left in place', async () => {
    const { m } = await deposit({ voicemailId: null });
    expect(m.voicemailId).toBe(boxA1);
    const audio = toneWav(work, 'kept.wav', 1);
    await expect(
      rig.voicemail.service.deposit({
        tenantId: rig.tenantA, voicemailId: 'vmail_nosuchbox0000000000000', caller: '+1415555', callee: null,
        direction: 'inbound', callId: null, audioPath: audio, durationSeconds: 1,
      }),
    ).rejects.toMatchObject({ code: 'no_box' });
    expect(existsSync(audio)).toBe(true);
    // Tenant B has no box at all; a box of tenant A is not B's either.
    for (const voicemailId of [null, boxA1]) {
      const err = await rig.voicemail.service
        .deposit({ tenantId: rig.tenantB, voicemailId, caller: '+14155551234', callee: null, direction: 'inbound', callId: null, audioPath: audio, durationSeconds: 1 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VoicemailDepositError);
      expect((err as VoicemailDepositError).code).toBe('no_box');
    }
    expect(existsSync(audio)).toBe(true);
  });
});

describe('listing', () => {
  it('filters by box, unread/status and direction, pages with a cursor, and reports the total', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await deposit({ voicemailId: boxA2, direction: i % 2 === 0 ? 'inbound' : 'outbound' }, 1)).m.id);
    await rig.a.patch(`/api/v1/voice/voicemails/${ids[0]}/read`);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: ApiResponse = await rig.a.get(`/api/v1/voice/voicemails?voicemail_id=${boxA2}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.meta.pagination, r.text).toMatchObject({ total: 5, has_more: page < 2 });
      expect(r.body.meta.pagination.cursor).toBe(r.body.meta.cursor);
      seen.push(...r.body.data.map((m: any) => m.id));
      cursor = r.body.meta.pagination.cursor;
      if (!cursor) break;
    }
    // Newest first, each once.
    expect(seen).toEqual([...ids].reverse());

    const unread = await rig.a.get(`/api/v1/voice/voicemails?voicemail_id=${boxA2}&status=unread`);
    expect(unread.body.data.map((m: any) => m.id).sort()).toEqual(ids.slice(1).sort());
    expect(unread.body.meta.pagination.total).toBe(4);
    const read = await rig.a.get(`/api/v1/voice/voicemails?voicemail_id=${boxA2}&unread=false`);
    expect(read.body.data.map((m: any) => m.id)).toEqual([ids[0]]);
    const out = await rig.a.get(`/api/v1/voice/voicemails?voicemail_id=${boxA2}&direction=outbound`);
    expect(out.body.data.map((m: any) => m.id).sort()).toEqual([ids[1], ids[3]].sort());
    expect(out.body.data.every((m: any) => m.direction === 'outbound')).toBe(true);
  });

  it('422 names each bad filter', async () => {
    expectFieldErrors(await rig.a.get('/api/v1/voice/voicemails?direction=sideways&status=maybe&voicemail_id=box1&limit=0'), [
      'direction', 'status', 'voicemail_id', 'limit',
    ]);
    expectFieldErrors(await rig.a.get('/api/v1/voice/voicemails?status=read&unread=true'), ['unread']);
    expectFieldErrors(await rig.a.get('/api/v1/voice/voicemails/not-an-id'), ['id']);
  });
});

describe('tenant isolation', () => {
  it("another tenant's message is 404 everywhere and absent from its list", async () => {
    const { m } = await deposit();
    for (const r of [
      await rig.b.get(`/api/v1/voice/voicemails/${m.id}`),
      await rig.b.patch(`/api/v1/voice/voicemails/${m.id}/read`),
      await rig.b.delete(`/api/v1/voice/voicemails/${m.id}`),
    ]) {
      expect(r.status, r.text).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    const list = await rig.b.get('/api/v1/voice/voicemails');
    expect(list.body.data).toEqual([]);
    expect(list.body.meta.pagination?.total).toBe(0);
    // Still there, unread, for its owner.
    expect((await rig.a.get(`/api/v1/voice/voicemails/${m.id}`)).body.data.listened).toBe(false);
  });
});

describe('webhooks', () => {
  it('a box with webhook_url sends a signed voicemail.received event', async () => {
    const { m } = await deposit({ voicemailId: boxA2 });
    const ev = await eventually(async () => hooks.find((h) => h.type === 'voicemail.received' && h.data.id === m.id), 10_000, 'voicemail.received');
    expect(ev.data).toMatchObject({ id: m.id, voicemail_id: boxA2, caller: '+14155552671', listened: false });
    expect(ev.signature).toMatch(/v1=[0-9a-f]{64}/);
    // A box without webhook_url sends nothing.
    const { m: quiet } = await deposit({ voicemailId: boxA1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(hooks.some((h) => h.data?.id === quiet.id)).toBe(false);
  });
});

describe('a stop between moving the file and inserting the row', () => {
  it('the server completes the deposit at its next start', async () => {
    const dataDir = tempDataDir();
    // First start: a tenant, a box.
    let sb = await startServer({ dataDir });
    const key = sb.firstKey!;
    const a = client(sb.baseUrl, key);
    const box = (await a.post('/api/v1/voice/voicemail-boxes', { name: 'Main' })).body.data.id;
    const tenant = (await a.get('/api/v1/tenant')).body.data.id;
    expect(await sb.stop()).toBe(0);

    // What deposit() leaves on disk when the process dies after the rename: the journal
    // and the moved file, no row. And one that died before the rename: journal, source.
    const dir = path.join(dataDir, 'voicemail', tenant);
    mkdirSync(dir, { recursive: true });
    const src = path.join(dataDir, 'incoming');
    mkdirSync(src);
    const moved = 'vmsg_crashaftermove000000000';
    const unmoved = 'vmsg_crashbeforemove00000000';
    const wav1 = toneWav(src, 'one.wav', 1.2);
    const wav2 = toneWav(src, 'two.wav', 2.4);
    copyFileSync(wav1, path.join(dir, `${moved}.wav`));
    const journal = (id: string, source: string, seconds: number) =>
      JSON.stringify({ id, tenantId: tenant, voicemailId: box, caller: '+14155550001', callee: null, direction: 'inbound', callId: null, durationSeconds: seconds, createdAt: new Date().toISOString(), source });
    writeFileSync(path.join(dir, `${moved}.deposit.json`), journal(moved, wav1, 1.2));
    writeFileSync(path.join(dir, `${unmoved}.deposit.json`), journal(unmoved, wav2, 2.4));
    const digest2 = sha(wav2);

    sb = await startServer({ dataDir });
    try {
      const b = client(sb.baseUrl, key);
      const list = await b.get(`/api/v1/voice/voicemails?voicemail_id=${box}`);
      expect(list.body.data.map((m: any) => [m.id, m.duration_seconds]).sort()).toEqual([[moved, 1.2], [unmoved, 2.4]].sort());
      // The journals are gone, the files are where the rows say, the source was moved.
      expect(existsSync(path.join(dir, `${moved}.deposit.json`))).toBe(false);
      expect(existsSync(path.join(dir, `${unmoved}.deposit.json`))).toBe(false);
      expect(existsSync(wav2)).toBe(false);
      const got = await fetch((await b.get(`/api/v1/voice/voicemails/${unmoved}`)).body.data.recording_url);
      expect(createHash('sha256').update(Buffer.from(await got.arrayBuffer())).digest('hex')).toBe(digest2);
      const rows = withDb(dataDir, (db) => db.prepare('SELECT COUNT(*) AS n FROM voicemail_messages').get() as { n: number });
      expect(rows.n).toBe(2);
    } finally {
      await sb.stop();
    }
    // A third start adopts nothing twice.
    sb = await startServer({ dataDir });
    try {
      expect((await client(sb.baseUrl, key).get('/api/v1/voice/voicemails')).body.data.length).toBe(2);
    } finally {
      await sb.stop();
    }
  });
});
