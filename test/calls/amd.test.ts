// Answering machine detection end to end: POST /calls with `amd: true` through the trunk to a
// SIPp callee whose RTP peer speaks (espeak-ng, 8 kHz): a voicemail greeting that goes on is a
// machine, a short "Hello?" followed by silence is a human, a silent line is unknown. The result
// shows in GET /calls/{id} (`amd_result`) and in the call's timeline, and the call stays up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { aim, callee, hasStatus, rtpPeer, startRig, timeline, waitForCall, wavChannels, type Rig } from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const OURS = '+14155550100';
const work = mkdtempSync(path.join(tmpdir(), 'sb-amd-'));

beforeAll(async () => {
  rig = await startRig({ register: false });
  expect((await rig.api.put(`/api/v1/numbers/${encodeURIComponent(OURS)}`)).status).toBeLessThan(300);
  const set = await rig.api.patch('/api/v1/tenant', { default_number: OURS });
  expect(set.status, set.text).toBe(200);
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `text` spoken by espeak-ng, as 8 kHz mono samples (what a phone line carries). */
function speech(text: string): Int16Array {
  const name = `s${peers.length}-${text.length}`;
  const raw = path.join(work, `${name}.wav`);
  const narrow = path.join(work, `${name}-8k.wav`);
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', raw, '--', text], { timeout: 10_000 });
  execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', narrow], { timeout: 10_000 });
  return wavChannels(new Uint8Array(readFileSync(narrow))).channels[0]!;
}

const silence = (seconds: number): Int16Array => new Int16Array(8000 * seconds);

/** Places a call with AMD to a callee that plays `audio` once it answers; resolves with the call once detected. */
async function callWithAmd(to: string, audio: Int16Array): Promise<any> {
  const farRtp = await rtpPeer();
  peers.push(farRtp);
  const carrier = await callee({ scenario: 'callee.xml', rtp: farRtp });
  await rig.carrierAt(carrier.port);
  const placed = await rig.api.post('/api/v1/voice/calls', { to, amd: true });
  expect(placed.status, placed.text).toBe(201);
  expect(placed.body.data).toMatchObject({ amd: true, amd_result: null });
  const id = placed.body.data.id as string;
  await aim(farRtp, carrier);
  await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');
  // The callee speaks as soon as it picked up, as people and machines do.
  const playing = farRtp.play(audio);
  const detected = await waitForCall(rig.api, id, (c) => c.amd_result !== null, 'an amd_result', 10_000);
  await playing;
  // Detection changes nothing about the call itself.
  expect(detected.status).toBe('in_progress');
  expect((await rig.api.post(`/api/v1/voice/calls/${id}/hangup`)).status).toBe(200);
  const c = await carrier.done;
  expect(c.code, c.output).toBe(0);
  return detected;
}

const amdNote = (id: string) => timeline(rig, id).find((e) => e.type === 'amd')?.data;

describe('answering machine detection on POST /calls', () => {
  it('a voicemail greeting that goes on is a machine', async () => {
    const greeting = speech("Hi, you've reached the voicemail of Sam Jones. I can't take your call right now, please leave a message after the tone.");
    expect(greeting.length / 8000, 'the greeting is long').toBeGreaterThan(4);
    const call = await callWithAmd('+14155558001', greeting.subarray(0, 8000 * 4));
    expect(call.amd_result).toBe('machine');
    const note = amdNote(call.id);
    expect(note).toMatchObject({ result: 'machine' });
    expect(['long_greeting', 'max_words']).toContain(note?.cause);
    expect(note?.after_ms as number).toBeLessThan(4000);
  });

  it('a short "Hello?" and then silence is a human', async () => {
    const hello = speech('Hello?');
    expect(hello.length / 8000, 'a short word').toBeLessThan(1.2);
    const call = await callWithAmd('+14155558002', new Int16Array([...hello, ...silence(1.5)]));
    expect(call.amd_result).toBe('human');
    expect(amdNote(call.id)).toMatchObject({ result: 'human', cause: 'after_greeting_silence' });
  });

  it('a line where nobody speaks is unknown', async () => {
    const call = await callWithAmd('+14155558003', silence(3));
    expect(call.amd_result).toBe('unknown');
    expect(amdNote(call.id)).toMatchObject({ result: 'unknown', cause: 'initial_silence', words: 0 });
  });

  it('without amd the call is not analysed: amd_result stays null', async () => {
    const farRtp = await rtpPeer();
    peers.push(farRtp);
    const carrier = await callee({ scenario: 'callee.xml', rtp: farRtp });
    await rig.carrierAt(carrier.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155558004' });
    expect(placed.status, placed.text).toBe(201);
    const id = placed.body.data.id as string;
    await aim(farRtp, carrier);
    await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');
    await farRtp.play(speech('Hello?'));
    await farRtp.play(silence(1.2));
    expect((await rig.api.get(`/api/v1/voice/calls/${id}`)).body.data).toMatchObject({ amd: false, amd_result: null });
    expect(amdNote(id)).toBeUndefined();
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/hangup`)).status).toBe(200);
    expect((await carrier.done).code).toBe(0);
  });
});
