// Transfers that phones make, over real sockets (SIPp phones, RTP peers): a blind REFER
// (RFC 3515: 202, NOTIFYs with message/sipfrag 100, 180, 200, then the phone hangs up), an
// attended transfer (REFER whose Refer-To carries Replaces naming the phone's other call,
// RFC 5589 §7), and an INVITE with Replaces taking over a leg (RFC 3891).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  ALICE, aim, callee, carrierCallsAlice, carries, dialogOf, extension, hasStatus, keepPlaying, listenFor, newestCallTo, numberToAlice, party, rtpPeer,
  startRig, timeline, waitForCall,
  type Rig,
} from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const NUMBER = '+14155550142';
const BOB = { username: 'bob', password: 'bob-secret-22', extension: '102' };
let bob: { id: string; port: number };

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
  bob = await extension(rig, BOB);
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

/** The caller and bob hear each other (each its own tone, not the other's). */
async function talkTogether(callerRtp: RtpPeer, bobRtp: RtpPeer): Promise<void> {
  const talk = [keepPlaying(callerRtp, 1000), keepPlaying(bobRtp, 1400)];
  try {
    const [bobHeard, callerHeard] = await Promise.all([listenFor(bobRtp, 800, 300), listenFor(callerRtp, 800, 300)]);
    expect(carries(bobHeard, 1000, 1400), 'bob hears the caller').toBe(true);
    expect(carries(callerHeard, 1400, 1000), 'the caller hears bob').toBe(true);
  } finally {
    for (const t of talk) await t.stop();
  }
}

describe('a phone transfers its call', () => {
  it('blind REFER: 202, NOTIFY 100/180/200 as message/sipfrag, bob takes the call, alice hangs up', async () => {
    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee.xml', port: bob.port, rtp: bobRtp });
    const { call, caller, alice, callerRtp } = await carrierCallsAlice(rig, NUMBER, peers, {
      alice: 'callee-refers.xml', pauseMs: 300, keys: { refer_to: BOB.extension },
    });
    await aim(bobRtp, bobPhone);
    const a = await alice.done;
    expect(a.code, a.output).toBe(0); // 202, then NOTIFYs 100, 180, 200 in that order; her BYE answered
    const notifies = alice.messages().filter((m) => m.direction === 'received' && m.method === 'NOTIFY' && m.status === undefined);
    expect(notifies.map((n) => n.body.trim())).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    for (const n of notifies) {
      expect(n.header('content-type')).toMatch(/^message\/sipfrag/);
      expect(n.header('event')).toBe('refer');
    }
    expect(notifies[2]!.header('subscription-state')).toMatch(/^terminated/);

    await talkTogether(callerRtp, bobRtp);
    const live = await waitForCall(rig.api, call.id, hasStatus('in_progress'), 'in_progress');
    expect(live.callee_extension_id).toBe(bob.id);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(timeline(rig, call.id).find((e) => e.type === 'transfer_completed')?.data).toMatchObject({ kind: 'refer', extension_id: bob.id });
  });

  it('blind REFER from a phone that hangs up right after the 202: the caller stays on and is connected to bob', async () => {
    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee-slow.xml', port: bob.port, rtp: bobRtp, pauseMs: 700 });
    const { call, caller, alice, callerRtp } = await carrierCallsAlice(rig, NUMBER, peers, {
      alice: 'callee-refers-leaves.xml', pauseMs: 300, keys: { refer_to: BOB.extension },
    });
    const a = await alice.done;
    expect(a.code, a.output).toBe(0); // 202, NOTIFY 100, her BYE answered
    await aim(bobRtp, bobPhone);
    await talkTogether(callerRtp, bobRtp);
    expect((await rig.api.get(`/api/v1/voice/calls/${call.id}`)).body.data.status).toBe('in_progress');
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(timeline(rig, call.id).map((e) => e.type)).toEqual(expect.arrayContaining(['transferor_left', 'transfer_completed']));
  });

  it('attended: alice REFERs bob to her other call with Replaces; the caller and bob are connected, both of her legs end', async () => {
    // Call 1: the carrier's caller talks with alice. The caller will be moved (re-INVITE).
    const first = await carrierCallsAlice(rig, NUMBER, peers, { caller: 'caller-moved.xml' });
    const d = dialogOf(first.alice);
    const replaces = encodeURIComponent(`${d.callId};to-tag=${d.ourTag};from-tag=${d.theirTag}`);
    // Call 2: alice (another line of her phone) calls bob, then transfers.
    const since = new Date().toISOString();
    const bobRtp = await peer();
    const alice2Rtp = await peer();
    const bobPhone = await callee({ scenario: 'callee.xml', port: bob.port, rtp: bobRtp });
    const alice2 = party({
      scenario: 'caller-refers-replaces.xml', service: BOB.extension, target: rig.sb.sipPort, rtp: alice2Rtp, pauseMs: 600,
      keys: { caller: ALICE.username, refer_to: 'customer', replaces }, auth: { username: ALICE.username, password: ALICE.password },
    });
    await Promise.all([aim(bobRtp, bobPhone), aim(alice2Rtp, alice2)]);
    const second = await waitForCall(rig.api, (await newestCallTo(rig.api, BOB.extension, since)).id, hasStatus('in_progress'), 'in_progress');

    // The caller is re-INVITEd into call 2's media; alice's two legs end.
    await aim(first.callerRtp, first.caller, 8000, 1);
    const [a1, a2] = await Promise.all([first.alice.done, alice2.done]);
    expect(a1.code, a1.output).toBe(0); // call 1's leg got BYE
    expect(a2.code, a2.output).toBe(0); // 202, NOTIFY 100 and 200, her BYE answered
    await talkTogether(first.callerRtp, bobRtp);

    const ended = await waitForCall(rig.api, first.call.id, hasStatus('completed'), 'call 1 completed');
    expect(ended.hangup_cause).toBe('attended_transfer');
    expect((await rig.api.get(`/api/v1/voice/calls/${second.id}`)).body.data.status).toBe('in_progress');
    expect((await rig.api.post(`/api/v1/voice/calls/${second.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([first.caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(timeline(rig, second.id).map((e) => e.type)).toContain('transfer_completed');
  });

  it('INVITE with Replaces: bob takes over alice\'s leg; alice gets BYE, the caller talks with bob', async () => {
    const { call, caller, alice, callerRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    const d = dialogOf(alice);
    const bobRtp = await peer();
    const bobPhone = party({
      scenario: 'replacer.xml', service: '101', target: rig.sb.sipPort, rtp: bobRtp,
      keys: { caller: BOB.username, replaces: `${d.callId};to-tag=${d.ourTag};from-tag=${d.theirTag}` }, auth: { username: BOB.username, password: BOB.password },
    });
    await aim(bobRtp, bobPhone);
    const a = await alice.done;
    expect(a.code, a.output).toBe(0); // the replaced leg got BYE
    await talkTogether(callerRtp, bobRtp);
    const live = await waitForCall(rig.api, call.id, hasStatus('in_progress'), 'in_progress');
    expect(live.callee_extension_id).toBe(bob.id);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(timeline(rig, call.id).find((e) => e.type === 'replaced')?.data).toMatchObject({ extension_id: bob.id });
  });
});
