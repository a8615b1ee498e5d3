// Calls into Switchboard over real sockets: a carrier (SIPp from 127.0.0.2, the trunk's
// origination address) calls a number routed to alice, a registered extension (SIPp),
// with RTP both ways through the anchored media; and the ways such a call can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dominantFrequency, hasTone } from '../helpers/tone-analysis.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  CARRIER_IP, aim, callee, carries, sleep, hasStatus, newestCallTo, numberToAlice, party, rtpPeers, startRig, statusesReceived, tone, waitForCall,
  type Rig, type SipMessage,
} from './call-rig.js';

let rig: Rig;
const rtp = rtpPeers();
const NUMBER = '+14155550123';

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
});
afterAll(async () => {
  await rtp.closeAll();
  await rig?.sb.stop();
});

const peer = (address?: string): Promise<RtpPeer> => rtp.open(address);

describe('a carrier calls a number routed to a registered extension', () => {
  it('rings, answers, carries audio both ways, and records the call from start to end', async () => {
    const since = new Date().toISOString();
    const carrierRtp = await peer(CARRIER_IP);
    const aliceRtp = await peer();
    const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort, rtp: aliceRtp });
    const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, pauseMs: 4000 });

    await Promise.all([aim(aliceRtp, alice), aim(carrierRtp, caller)]);
    const live = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(live).toMatchObject({ direction: 'inbound', to: NUMBER, trunk_id: rig.trunkId, callee_extension_id: rig.aliceId });

    // The caller's 440 Hz reaches alice and alice's 700 Hz the caller, at the same time.
    const aFrom = aliceRtp.received.length;
    const cFrom = carrierRtp.received.length;
    await Promise.all([carrierRtp.play(tone(440, 1200)), aliceRtp.play(tone(700, 1200))]);
    const aliceHeard = aliceRtp.heard(aFrom);
    const callerHeard = carrierRtp.heard(cFrom);
    // Each hears the other, not its own voice back.
    expect(carries(aliceHeard, 440, 700), 'alice hears the caller').toBe(true);
    expect(Math.abs(dominantFrequency(aliceHeard, 8000) - 440)).toBeLessThan(10);
    expect(carries(callerHeard, 700, 440), 'the caller hears alice').toBe(true);

    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    // 180 before 200 (after an optional 100), each once (retransmissions collapsed).
    expect(statusesReceived(caller).filter((x) => x !== 100)).toEqual([180, 200]);
    const ended = await waitForCall(rig.api, live.id, hasStatus('completed'), 'completed');
    expect(ended).toMatchObject({ status: 'completed', hangup_side: 'caller', hangup_cause: 'normal_clearing', sip_final_status: 200 });
    expect(ended.duration_seconds).toBeGreaterThanOrEqual(1);
    expect(ended.ringing_at).not.toBeNull();
    // What the media plane measured, worst leg: loopback loses nothing.
    expect(ended.quality).toMatchObject({ loss_pct: 0, one_way_audio: false });
    expect(ended.quality.mos).toBeGreaterThan(4);
  });
});

/** A carrier call that Switchboard refuses; resolves with the final response the caller got. */
async function refused(o: { service: string; ip?: string }): Promise<SipMessage> {
  const caller = party({ scenario: 'caller-refused.xml', ip: o.ip ?? CARRIER_IP, service: o.service, target: rig.sb.sipPort });
  const r = await caller.done;
  expect(r.code, r.output).toBe(0);
  const final = caller.messages().find((m) => m.direction === 'received' && m.method === 'INVITE' && (m.status ?? 0) >= 300);
  expect(final).toBeDefined();
  return final!;
}

describe('a phone puts the other party on hold', () => {
  it('alice holds with a re-INVITE (sendonly): the caller hears the hold music until she resumes', async () => {
    const since = new Date().toISOString();
    const carrierRtp = await peer(CARRIER_IP);
    const aliceRtp = await peer();
    const alice = await callee({ scenario: 'callee-holds.xml', port: rig.alicePort, rtp: aliceRtp, pauseMs: 300 });
    const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, pauseMs: 4500 });
    await Promise.all([aim(carrierRtp, caller), aim(aliceRtp, alice)]);
    const answers = () => alice.messages().filter((m) => m.direction === 'received' && m.status === 200 && m.method === 'INVITE').length;

    const until = Date.now() + 5000;
    while (answers() < 1 && Date.now() < until) await sleep(20);
    const fromHold = carrierRtp.received.length;
    await sleep(900);
    const music = carrierRtp.heard(fromHold);
    const notes = [440, 554, 659].filter((hz) => hasTone(music, 8000, hz));
    expect(notes.length, 'hold music notes the caller heard').toBeGreaterThanOrEqual(2);

    while (answers() < 2 && Date.now() < until + 2000) await sleep(20);
    await sleep(100);
    const fromResume = carrierRtp.received.length;
    await aliceRtp.play(tone(700, 600));
    const resumed = carrierRtp.heard(fromResume);
    expect(carries(resumed, 700, 554), 'the caller hears alice again, no music').toBe(true);

    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0); // both re-INVITEs answered as RFC 3264 says
    await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('completed'), 'completed');
  });
});

describe('accept and decline while the extension rings', () => {
  it('accept answers the caller at once; the extension joins the call when it answers', async () => {
    const since = new Date().toISOString();
    const carrierRtp = await peer(CARRIER_IP);
    const aliceRtp = await peer();
    const alice = await callee({ scenario: 'callee-slow.xml', port: rig.alicePort, rtp: aliceRtp, pauseMs: 1500 });
    const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, pauseMs: 4000 });
    const ringing = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('ringing'), 'ringing');
    const accepted = await rig.api.post(`/api/v1/voice/calls/${ringing.id}/accept`);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.data.status).toBe('in_progress');
    // The caller's 200 came before alice answered, with an answer to its offer.
    const answer = await aim(carrierRtp, caller);
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP 0 101\r?$/m);
    expect(answer).toMatch(/^a=sendrecv/m);
    expect(alice.messages().some((m) => m.direction === 'sent' && m.status === 200)).toBe(false);

    await aim(aliceRtp, alice);
    const until = Date.now() + 5000;
    while (!alice.messages().some((m) => m.direction === 'sent' && m.status === 200) && Date.now() < until) await sleep(20);
    await sleep(100);
    const aFrom = aliceRtp.received.length;
    const cFrom = carrierRtp.received.length;
    await Promise.all([carrierRtp.play(tone(440, 800)), aliceRtp.play(tone(700, 800))]);
    expect(carries(aliceRtp.heard(aFrom), 440, 700), 'alice hears the caller').toBe(true);
    expect(carries(carrierRtp.heard(cFrom), 700, 440), 'the caller hears alice').toBe(true);
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    await waitForCall(rig.api, ringing.id, hasStatus('completed'), 'completed');
  });

  it('decline answers the caller 486 and CANCELs the extension; the call is busy', async () => {
    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee-rings.xml', port: rig.alicePort });
    const caller = party({ scenario: 'caller-refused.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort });
    const ringing = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('ringing'), 'ringing');
    const declined = await rig.api.post(`/api/v1/voice/calls/${ringing.id}/decline`);
    expect(declined.status, declined.text).toBe(200);
    expect(declined.body.data).toMatchObject({ status: 'busy', sip_final_status: 486 });
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0); // alice got the CANCEL
    expect(caller.messages().find((m) => m.direction === 'received' && (m.status ?? 0) >= 300)?.status).toBe(486);
    // Neither works on a call that is over.
    expect((await rig.api.post(`/api/v1/voice/calls/${ringing.id}/accept`)).status).toBe(409);
  });
});

describe('calls that do not connect', () => {
  it('callee busy: the caller gets 486 and the call is busy', async () => {
    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee-busy.xml', port: rig.alicePort });
    const final = await refused({ service: NUMBER });
    expect(final.status).toBe(486);
    expect((await alice.done).code).toBe(0);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('busy'), 'busy');
    expect(call).toMatchObject({ status: 'busy', sip_final_status: 486, hangup_cause: 'user_busy', duration_seconds: 0 });
  });

  it('nobody answers: Switchboard CANCELs the callee after the ring timeout, the caller gets 480, the call is no_answer', async () => {
    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee-rings.xml', port: rig.alicePort });
    const final = await refused({ service: NUMBER });
    expect(final.status).toBe(480);
    const a = await alice.done;
    expect(a.code, a.output).toBe(0); // alice saw the CANCEL
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('no_answer'), 'no_answer');
    expect(call).toMatchObject({ status: 'no_answer', hangup_cause: 'ring_timeout', hangup_side: 'system' });
    expect(call.ringing_at).not.toBeNull();
  });

  it('the caller gives up while it rings: the callee gets a CANCEL and the call is cancelled', async () => {
    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee-rings.xml', port: rig.alicePort });
    const caller = party({ scenario: 'caller-cancel.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, pauseMs: 300 });
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('cancelled'), 'cancelled');
    expect(call).toMatchObject({ status: 'cancelled', hangup_side: 'caller', hangup_cause: 'originator_cancel', sip_final_status: 487 });
  });

  it('a carrier dialling a number that is not the tenant\'s gets 403 (no relay); an unknown extension 404', async () => {
    expect((await refused({ service: '+14155559999' })).status).toBe(403);
    expect((await refused({ service: '999' })).status).toBe(404);
  });

  it('an INVITE from an address that is no trunk, without credentials, is challenged with 407', async () => {
    const final = await refused({ service: NUMBER, ip: '127.0.0.3' });
    expect(final.status).toBe(407);
    expect(final.header('proxy-authenticate')).toMatch(/^Digest /);
  });

  it('beyond max_concurrent_calls a new call gets 503 with Retry-After; the call up is not disturbed', async () => {
    const limited = await rig.api.patch('/api/v1/tenant', { max_concurrent_calls: 1 });
    expect(limited.status, limited.text).toBe(200);
    try {
      const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort });
      const first = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, pauseMs: 1500 });
      await aim(await peer(CARRIER_IP), first);
      const final = await refused({ service: NUMBER });
      expect(final.status).toBe(503);
      expect(Number(final.header('retry-after'))).toBeGreaterThan(0);
      const [c, a] = await Promise.all([first.done, alice.done]);
      expect(c.code, c.output).toBe(0);
      expect(a.code, a.output).toBe(0);
    } finally {
      await rig.api.patch('/api/v1/tenant', { max_concurrent_calls: null });
    }
  });
});
