// Warm transfer over real sockets: a carrier's caller talks with alice; alice consults bob.
// The caller hears hold music (and nobody hears the caller) while bob rings, hears the
// whisper message (espeak-ng) and talks with alice. Complete: the caller and bob talk, alice
// gets BYE. Cancel: bob gets BYE and the caller is back with alice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone, isSilent, toneLevelDbfs } from '../helpers/tone-analysis.js';
import {
  aim, callee, carrierCallsAlice, carries, extension, keepPlaying, listenFor, numberToAlice, rtpPeer, sleep, startRig, timeline,
  type Rig,
} from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const NUMBER = '+14155550143';
let bob: { id: string; port: number };
/** The built-in hold music's notes. */
const MUSIC = [440, 554, 659];
const CALLER_HZ = 900;
const ALICE_HZ = 1200;
const BOB_HZ = 1600;

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
  bob = await extension(rig, { username: 'bob', password: 'bob-secret-22', extension: '102' });
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
});

async function peer(): Promise<RtpPeer> {
  const p = await rtpPeer();
  peers.push(p);
  return p;
}

/** Share of 50 ms windows in which `hz` is steady and loud (≥ -20 dBFS): a tone is, speech is not. */
function steady(samples: Int16Array, hz: number): number {
  const w = 400;
  let n = 0;
  let hits = 0;
  for (let at = 0; at + w <= samples.length; at += w, n++) if (toneLevelDbfs(samples.subarray(at, at + w), 8000, hz) >= -20) hits++;
  return n === 0 ? 0 : hits / n;
}

async function untilNoted(callId: string, type: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!timeline(rig, callId).some((e) => e.type === type)) {
    if (Date.now() > until) throw new Error(`no ${type} in the timeline of ${callId}`);
    await sleep(50);
  }
}

describe('POST /calls/{id}/warm-transfer', () => {
  it('holds the caller while bob rings and hears the whisper; complete connects the caller and bob and hangs alice up', async () => {
    const { call, caller, alice, callerRtp, aliceRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee-slow.xml', port: bob.port, rtp: bobRtp, pauseMs: 1600 });
    const talk = [keepPlaying(callerRtp, CALLER_HZ), keepPlaying(aliceRtp, ALICE_HZ)];
    try {
      const early = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer/complete`);
      expect(early.status, early.text).toBe(409);
      expect(early.body.error.code).toBe('NO_WARM_TRANSFER');
      const started = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer`, { to: bob.id, whisper_message: 'Customer Jane Doe, escalation tier two.' });
      expect(started.status, started.text).toBe(200);
      await aim(bobRtp, bobPhone);
      talk.push(keepPlaying(bobRtp, BOB_HZ));

      // While bob rings: the caller hears the music and nobody else; alice no longer hears the caller.
      const [callerWaiting, aliceWaiting] = await Promise.all([listenFor(callerRtp, 1000), listenFor(aliceRtp, 1000)]);
      expect(MUSIC.filter((hz) => hasTone(callerWaiting, 8000, hz)).length, 'notes of the hold music').toBeGreaterThanOrEqual(2);
      expect(hasTone(callerWaiting, 8000, ALICE_HZ), 'the caller does not hear alice').toBe(false);
      expect(hasTone(aliceWaiting, 8000, CALLER_HZ), 'alice does not hear the caller on hold').toBe(false);
      const early2 = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer/complete`);
      expect(early2.body.error?.code, 'not before bob has joined').toBe('CONSULT_NOT_ANSWERED');

      // Bob answers: first the whisper message (speech, not alice), then alice.
      await bobRtp.waitFor(() => bobPhone.messages().some((m) => m.direction === 'sent' && m.method === 'INVITE' && m.status === 200), 5000, 'bob answers');
      const whisper = await listenFor(bobRtp, 1200, 400);
      expect(isSilent(whisper), 'bob hears the whisper message').toBe(false);
      expect(steady(whisper, ALICE_HZ), 'bob does not hear alice during the message').toBeLessThan(0.2);
      await untilNoted(call.id, 'consult_answered');
      const [bobHears, aliceHears, callerHolds] = await Promise.all([listenFor(bobRtp, 800), listenFor(aliceRtp, 800), listenFor(callerRtp, 800)]);
      expect(carries(bobHears, ALICE_HZ, CALLER_HZ), 'bob hears alice, not the caller').toBe(true);
      expect(carries(aliceHears, BOB_HZ, CALLER_HZ), 'alice hears bob, not the caller').toBe(true);
      expect(hasTone(callerHolds, 8000, BOB_HZ) || hasTone(callerHolds, 8000, ALICE_HZ), 'the caller hears neither of them').toBe(false);
      expect(timeline(rig, call.id).map((e) => e.type)).toContain('whisper_played');

      const done = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer/complete`);
      expect(done.status, done.text).toBe(200);
      const a = await alice.done;
      expect(a.code, a.output).toBe(0); // alice got her BYE
      const [callerHears, bobHearsCaller] = await Promise.all([listenFor(callerRtp, 800, 300), listenFor(bobRtp, 800, 300)]);
      expect(carries(callerHears, BOB_HZ, CALLER_HZ), 'the caller hears bob').toBe(true);
      for (const hz of MUSIC) expect(hasTone(callerHears, 8000, hz), `no more music (${hz} Hz)`).toBe(false);
      expect(carries(bobHearsCaller, CALLER_HZ, BOB_HZ), 'bob hears the caller').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(timeline(rig, call.id).map((e) => e.type)).toEqual(expect.arrayContaining(['transfer_started', 'transfer_completed']));
  });

  it('cancel hangs bob up and brings the caller back to alice', async () => {
    const { call, caller, alice, callerRtp, aliceRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee.xml', port: bob.port, rtp: bobRtp });
    const talk = [keepPlaying(callerRtp, CALLER_HZ), keepPlaying(aliceRtp, ALICE_HZ)];
    try {
      const started = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer`, { to: bob.id });
      expect(started.status, started.text).toBe(200);
      await aim(bobRtp, bobPhone);
      talk.push(keepPlaying(bobRtp, BOB_HZ));
      await untilNoted(call.id, 'consult_answered');
      const consulting = await listenFor(aliceRtp, 600);
      expect(carries(consulting, BOB_HZ, CALLER_HZ), 'alice talks with bob').toBe(true);

      const cancelled = await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer/cancel`);
      expect(cancelled.status, cancelled.text).toBe(200);
      const b = await bobPhone.done;
      expect(b.code, b.output).toBe(0); // bob got BYE
      const [callerHears, aliceHears] = await Promise.all([listenFor(callerRtp, 800, 300), listenFor(aliceRtp, 800, 300)]);
      expect(carries(callerHears, ALICE_HZ, CALLER_HZ), 'the caller hears alice again').toBe(true);
      for (const hz of MUSIC) expect(hasTone(callerHears, 8000, hz), `no more music (${hz} Hz)`).toBe(false);
      expect(carries(aliceHears, CALLER_HZ, BOB_HZ), 'alice hears the caller again').toBe(true);
      expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/warm-transfer/cancel`)).status, 'nothing left to cancel').toBe(409);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    expect(timeline(rig, call.id).map((e) => e.type)).toContain('transfer_cancelled');
  });
});
