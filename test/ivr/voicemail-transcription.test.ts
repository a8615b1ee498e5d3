// A spoken message left through a real call is transcribed with its words. A carrier (SIPp from
// 127.0.0.2) calls a number routed to a box with `transcribe: true`, hears the greeting and the
// tone, and says "go forward ten meters" (Debian's pocketsphinx-testdata recording, 16 kHz) as
// G.722 in 20 ms packets. pocketsphinx's only model is 16 kHz, so this is the call that must be
// recorded wideband end to end; the same message over G.711 is still stored, whatever its words.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpPeer } from '../helpers/rtp-peer.js';
import { dominantFrequency, hasTone, levelDbfs } from '../helpers/tone-analysis.js';
import {
  CARRIER_IP, aim, hasStatus, newestCallTo, party, sleep, startRig, waitForCall, wavChannels, type Rig,
} from '../calls/call-rig.js';
import { press, soundSegments } from './ivr-rig.js';

const CALLER = '+14155550100';
const WIDEBAND_NUMBER = '+14155550180';
const NARROWBAND_NUMBER = '+14155550181';
/** The wideband caller's scenario (G.722 first), relative to test/calls/scenarios. */
const WIDEBAND_SCENARIO = '../../ivr/scenarios/caller-wideband.xml';

/** goforward.raw from the pocketsphinx-testdata package: 16 kHz, 16-bit little-endian mono. */
function goForward(): Int16Array {
  const listed = execFileSync('dpkg', ['-L', 'pocketsphinx-testdata'], { encoding: 'utf8' });
  const file = listed.split('\n').find((l) => l.endsWith('/goforward.raw'));
  if (!file) throw new Error('pocketsphinx-testdata has no goforward.raw');
  const bytes = readFileSync(file);
  const pcm = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
  return pcm;
}

/** 16 kHz to 8 kHz by averaging pairs (the G.711 caller says the same words, narrowband). */
function halve(pcm: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) >> 1;
  return out;
}

/**
 * How long the stored message of `pcm` should be: what was sent, less the room noise before and
 * after the words, which the recorder trims by design (20 ms blocks quieter than -40 dBFS, 300 ms
 * kept either side: docs/ivr.md). goforward.raw has half a second of it before "go".
 */
function keptSeconds(pcm: Int16Array, rate: number): number {
  const block = rate / 50;
  const loud = (32768 * 10 ** (-40 / 20)) ** 2 * block;
  let first = -1;
  let end = 0;
  for (let i = 0; i + block <= pcm.length; i += block) {
    let sum = 0;
    for (let j = i; j < i + block; j++) sum += pcm[j]! * pcm[j]!;
    if (sum < loud) continue;
    if (first < 0) first = i;
    end = i + block;
  }
  const pad = (rate * 3) / 10;
  return (Math.min(pcm.length, end + pad) - Math.max(0, first - pad)) / rate;
}

let rig: Rig;
const peers: RtpPeer[] = [];
let speech16k: Int16Array;

async function route(number: string, boxId: string): Promise<void> {
  const r = await rig.api.put(`/api/v1/numbers/${encodeURIComponent(number)}/routing`, { type: 'voicemail', voicemail_id: boxId });
  expect(r.status, r.text).toBe(200);
}

async function transcribingBox(name: string): Promise<string> {
  // max_duration bounds the call should the end of the message go unnoticed.
  const box = await rig.api.post('/api/v1/voice/voicemail-boxes', { name, greeting: 'Leave a message.', transcribe: true, max_duration: 30 });
  expect(box.status, box.text).toBe(201);
  return box.body.data.id;
}

/** A carrier calls `number` with `codec` as its RTP peer's; resolves once the box answered. */
async function dial(number: string, codec: 'G722' | 'PCMU') {
  const since = new Date().toISOString();
  const callerRtp = await RtpPeer.open({ address: CARRIER_IP, codec });
  peers.push(callerRtp);
  const scenario = codec === 'G722' ? WIDEBAND_SCENARIO : 'caller-waits.xml';
  const caller = party({ scenario, ip: CARRIER_IP, service: number, target: rig.sb.sipPort, rtp: callerRtp, timeoutMs: 40_000 });
  const answer = await aim(callerRtp, caller);
  const call = await waitForCall(rig.api, (await newestCallTo(rig.api, number, since)).id, hasStatus('in_progress'), 'in_progress');
  return { caller, callerRtp, call, answer };
}

/** The tone before the message, at the caller's rate: loud, a steady 1 kHz and nothing else. */
function isBeep(samples: Int16Array, rate: number): boolean {
  return (
    samples.length >= rate / 5 &&
    levelDbfs(samples) > -25 &&
    Math.abs(dominantFrequency(samples, rate) - 1000) < 20 &&
    hasTone(samples, rate, 1000, -20)
  );
}

/**
 * Waits for the tone and for it to end (the caller speaks after the beep, as people do); the
 * greeting came first: at least half a second of sound before the tone.
 */
async function waitForBeep(peer: RtpPeer): Promise<void> {
  const rate = peer.sampleRate;
  await peer.waitFor(() => isBeep(peer.heard(Math.max(0, peer.received.length - 10)), rate), 20_000, 'the beep');
  // Seen as soon as 200 ms of it were heard: what came before those is the greeting.
  const before = peer.heard();
  const greeting = soundSegments(before.subarray(0, Math.max(0, before.length - (rate * 3) / 10)), 100, rate);
  expect(greeting.some((g) => g.endMs - g.startMs >= 500), `the greeting before the tone: ${JSON.stringify(greeting)}`).toBe(true);
  await peer.waitFor(() => levelDbfs(peer.heard(peer.received.length - 5)) < -45, 2000, 'the beep to end');
}

/** The box's one message, once it is listed (the deposit follows the hangup by a moment). */
async function messageOf(boxId: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const list = await rig.api.get(`/api/v1/voice/voicemails?voicemail_id=${boxId}`);
    expect(list.status, list.text).toBe(200);
    if (list.body.data.length > 0) return list.body.data[0];
    await sleep(100);
  }
  throw new Error(`no message in box ${boxId}`);
}

/** Polls GET /voicemails until the message's transcription is no longer pending (recognition takes seconds). */
async function transcribed(boxId: string, timeoutMs = 90_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    const list = await rig.api.get(`/api/v1/voice/voicemails?voicemail_id=${boxId}`);
    last = list.body.data?.[0];
    if (last && last.transcription_status !== 'pending') return last;
    await sleep(250);
  }
  throw new Error(`the transcription stayed pending: ${JSON.stringify(last)}`);
}

/**
 * Leaves `speech` as a message after the tone, ended by `#` or by staying silent (Switchboard
 * hangs up after 5 s of silence); resolves once the call is over.
 */
async function leaveMessage(number: string, codec: 'G722' | 'PCMU', speech: Int16Array, end: '#' | 'silence') {
  const { caller, callerRtp, call, answer } = await dial(number, codec);
  await waitForBeep(callerRtp);
  callerRtp.restart(); // the voice is a new source after the prompts' silence, as a phone's would be
  await callerRtp.play(speech);
  const spokeAt = Date.now();
  if (end === '#') await press(callerRtp, '#');
  const c = await caller.done;
  expect(c.code, c.output).toBe(0);
  if (end === 'silence') expect(Date.now() - spokeAt, 'hung up after 5 s of silence').toBeGreaterThan(4500);
  await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
  return { answer };
}

beforeAll(async () => {
  speech16k = goForward();
  rig = await startRig({ register: false });
  // The carrier's trunk offers G.722 first; G.711 callers still get G.711.
  const trunk = await rig.api.put(`/api/v1/voice/sip-trunks/${rig.trunkId}`, { codecs: ['G722', 'PCMU', 'PCMA'] });
  expect(trunk.status, trunk.text).toBe(200);
}, 60_000);
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
});

describe('a spoken message left through a call', () => {
  it('over G.722: recorded at 16 kHz and transcribed with its words ("go forward")', async () => {
    const box = await transcribingBox('Wideband box');
    await route(WIDEBAND_NUMBER, box);
    const { answer } = await leaveMessage(WIDEBAND_NUMBER, 'G722', speech16k, 'silence');
    expect(answer, 'Switchboard answered in G.722').toMatch(/^m=audio \d+ RTP\/AVP 9[ \r]/m);

    const stored = await messageOf(box);
    const sentSeconds = keptSeconds(speech16k, 16000);
    expect(stored.caller).toBe(CALLER);
    expect(Math.abs(stored.duration_seconds - sentSeconds), `${stored.duration_seconds} s stored, ${sentSeconds} s of the ${speech16k.length / 16000} s sent kept`).toBeLessThanOrEqual(0.5);

    // The recording is wideband: the recogniser gets the caller's upper band.
    const one = await rig.api.get(`/api/v1/voice/voicemails/${stored.id}`);
    const wav = wavChannels(new Uint8Array(await (await fetch(one.body.data.recording_url)).arrayBuffer()));
    expect(wav.rate).toBe(16000);
    expect(wav.channels[0]!.length / 16000, 'the file is as long as the message says').toBeCloseTo(stored.duration_seconds, 0);

    const done = await transcribed(box);
    expect(done.transcription_status, JSON.stringify(done)).toBe('completed');
    expect(done.transcription).toMatch(/go forward/i);
  }, 150_000);

  it('over G.711: the same message is stored (its words may be poor, it is never lost)', async () => {
    const box = await transcribingBox('Narrowband box');
    await route(NARROWBAND_NUMBER, box);
    const speech8k = halve(speech16k);
    const { answer } = await leaveMessage(NARROWBAND_NUMBER, 'PCMU', speech8k, '#');
    expect(answer, 'Switchboard answered in PCMU').toMatch(/^m=audio \d+ RTP\/AVP 0[ \r]/m);

    const stored = await messageOf(box);
    const sentSeconds = keptSeconds(speech8k, 8000);
    expect(Math.abs(stored.duration_seconds - sentSeconds), `${stored.duration_seconds} s stored, ${sentSeconds} s kept`).toBeLessThanOrEqual(0.5);
    const done = await transcribed(box);
    expect(['completed', 'failed']).toContain(done.transcription_status);
    const again = await rig.api.get(`/api/v1/voice/voicemails/${stored.id}`);
    expect(again.status).toBe(200);
    const wav = wavChannels(new Uint8Array(await (await fetch(again.body.data.recording_url)).arrayBuffer()));
    expect(wav.rate).toBe(8000);
    expect(wav.channels[0]!.length / 8000, 'the file is as long as the message says').toBeCloseTo(stored.duration_seconds, 0);
  }, 150_000);
});
