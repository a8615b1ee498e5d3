// Blind transfer from the API over real sockets: a carrier's call to alice is transferred to
// an agent (bob's extension). Bob's phone rings, alice gets BYE only once bob answers, and the
// caller and bob hear each other on the same call. A transfer that fails leaves the call as
// it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import {
  aim, callee, carrierCallsAlice, carries, extension, hasStatus, keepPlaying, listenFor, numberToAlice, rtpPeer, startRig, timeline, waitForCall,
  type Rig,
} from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const NUMBER = '+14155550141';
/** The carrier's caller id (the rig's default `caller` key). */
const CUSTOMER = '+14155550100';
let bob: { id: string; port: number };
let agentId: string;

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
  bob = await extension(rig, { username: 'bob', password: 'bob-secret-22', extension: '102' });
  const agent = await rig.api.post('/api/v1/voice/agents', { name: 'Bob', extension_id: bob.id });
  expect(agent.status, agent.text).toBe(201);
  agentId = agent.body.data.id;
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

describe('POST /calls/{id}/transfer', () => {
  it("rings the agent, hangs alice up once the agent answers, and the caller and the agent hear each other", async () => {
    const { call, caller, alice, callerRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee-slow.xml', port: bob.port, rtp: bobRtp, pauseMs: 800 });

    const moved = await rig.api.post(`/api/v1/voice/calls/${call.id}/transfer`, { to: agentId });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.data).toMatchObject({ id: call.id, status: 'in_progress' });
    // One transfer at a time.
    const again = await rig.api.post(`/api/v1/voice/calls/${call.id}/transfer`, { to: bob.id });
    expect(again.status, again.text).toBe(409);
    expect(again.body.error.code).toBe('TRANSFER_IN_PROGRESS');

    await aim(bobRtp, bobPhone);
    const invite = bobPhone.messages().find((m) => m.direction === 'received' && m.method === 'INVITE')!;
    expect(invite.header('from'), 'bob sees who is being transferred to him').toMatch(new RegExp(`^<sip:\\${CUSTOMER}@`));
    const a = await alice.done;
    expect(a.code, a.output).toBe(0); // alice got her BYE
    const answered = bobPhone.messages().find((m) => m.direction === 'sent' && m.method === 'INVITE' && m.status === 200)!;
    const bye = alice.messages().find((m) => m.direction === 'received' && m.method === 'BYE')!;
    expect(bye.at, 'alice is hung up only once bob has answered').toBeGreaterThanOrEqual(answered.at);

    const talk = [keepPlaying(callerRtp, 1000), keepPlaying(bobRtp, 1400)];
    try {
      const [bobHeard, callerHeard] = await Promise.all([listenFor(bobRtp, 800, 300), listenFor(callerRtp, 800, 300)]);
      expect(carries(bobHeard, 1000, 1400), 'bob hears the caller').toBe(true);
      expect(carries(callerHeard, 1400, 1000), 'the caller hears bob').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }

    const live = await waitForCall(rig.api, call.id, hasStatus('in_progress'), 'in_progress');
    expect(live).toMatchObject({ callee_extension_id: bob.id, agent_id: agentId });
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bobPhone.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    const notes = timeline(rig, call.id).map((e) => e.type);
    expect(notes).toEqual(expect.arrayContaining(['transfer_started', 'transfer_completed']));
    expect(timeline(rig, call.id).find((e) => e.type === 'transfer_completed')!.data).toMatchObject({ extension_id: bob.id, agent_id: agentId });
  });

  it('a call placed without an agent: the far end is connected to the target, who comes as the operator', async () => {
    const farRtp = await peer();
    const far = await callee({ scenario: 'callee.xml', rtp: farRtp });
    await rig.carrierAt(far.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155557101', from: '+14155550199' });
    expect(placed.status, placed.text).toBe(201);
    const id = placed.body.data.id as string;
    await aim(farRtp, far);
    await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/mute`)).status, 'no operator yet').toBe(409);

    const bobRtp = await peer();
    const bobPhone = await callee({ scenario: 'callee.xml', port: bob.port, rtp: bobRtp });
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/transfer`, { to: bob.id })).status).toBe(200);
    await aim(bobRtp, bobPhone);
    const talk = [keepPlaying(farRtp, 1000), keepPlaying(bobRtp, 1400)];
    try {
      const [bobHeard, farHeard] = await Promise.all([listenFor(bobRtp, 800, 300), listenFor(farRtp, 800, 300)]);
      expect(carries(bobHeard, 1000, 1400), 'bob hears the far end').toBe(true);
      expect(carries(farHeard, 1400, 1000), 'the far end hears bob').toBe(true);
      // Bob is the operator side now: muting him silences him toward the far end.
      expect((await rig.api.post(`/api/v1/voice/calls/${id}/mute`)).status).toBe(200);
      const muted = await listenFor(farRtp, 600, 300);
      expect(hasTone(muted, 8000, 1400), 'bob muted').toBe(false);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress')).caller_extension_id).toBe(bob.id);
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/hangup`)).status).toBe(200);
    const [f, b] = await Promise.all([far.done, bobPhone.done]);
    expect(f.code, f.output).toBe(0);
    expect(b.code, b.output).toBe(0);
  });

  it('a target that is busy changes nothing: the caller still talks with alice', async () => {
    const { call, caller, alice, callerRtp, aliceRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/transfer`, { to: 'ext_nosuchthing' })).status).toBe(422);
    const busy = await callee({ scenario: 'callee-busy.xml' });
    await rig.carrierAt(busy.port);
    const moved = await rig.api.post(`/api/v1/voice/calls/${call.id}/transfer`, { to: '+14155557100' });
    expect(moved.status, moved.text).toBe(200);
    expect((await busy.done).code).toBe(0); // it was dialled through the trunk and said 486
    for (let i = 0; i < 50 && !timeline(rig, call.id).some((e) => e.type === 'transfer_failed'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(timeline(rig, call.id).find((e) => e.type === 'transfer_failed')?.data).toMatchObject({ status: 486, to: '+14155557100' });

    const talk = [keepPlaying(callerRtp, 1000), keepPlaying(aliceRtp, 600)];
    try {
      const [aliceHeard, callerHeard] = await Promise.all([listenFor(aliceRtp, 600), listenFor(callerRtp, 600)]);
      expect(carries(aliceHeard, 1000, 600), 'alice still hears the caller').toBe(true);
      expect(carries(callerHeard, 600, 1000), 'the caller still hears alice').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
  });
});
