// Calls out of Switchboard over real sockets: a registered extension dials a number through
// the tenant's trunk (SIPp as the carrier) and the call is recorded; POST /calls places calls
// through the trunk, and every per-call operation is checked where it shows: on the wire
// (re-INVITE SDP, RFC 4733 events, BYE) and in what the far end hears. Webhooks of a call
// reach a local receiver, signed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rfc4733Receiver } from '../../media/dtmf/rfc4733.js';
import { hasTone, isSilent } from '../helpers/tone-analysis.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  ALICE, aim, callee, carries, hasStatus, newestCallTo, party, register, rtpPeer, signatureValid, sleep, startRig, tone, waitForCall, wavChannels, webhookReceiver,
  type Rig,
} from './call-rig.js';

let rig: Rig;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
const peers: RtpPeer[] = [];
/** The tenant's own number: the caller id of API calls. */
const OURS = '+14155550100';

beforeAll(async () => {
  hooks = await webhookReceiver();
  rig = await startRig({ env: { SWITCHBOARD_FETCH_ALLOW_PRIVATE: '1', SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '200' } });
  expect((await rig.api.put(`/api/v1/numbers/${encodeURIComponent(OURS)}`)).status).toBeLessThan(300);
  const set = await rig.api.patch('/api/v1/tenant', { webhook_url: hooks.url, default_number: OURS });
  expect(set.status, set.text).toBe(200);
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
  await hooks?.close();
});

async function peer(): Promise<RtpPeer> {
  const p = await rtpPeer();
  peers.push(p);
  return p;
}

/** Plays `hz` from the peer until stop() (20 ms frames, paced). */
function keepPlaying(p: RtpPeer, hz: number): { stop(): Promise<void> } {
  let on = true;
  const done = (async () => {
    while (on) await p.play(tone(hz, 200));
  })();
  return {
    stop: async () => {
      on = false;
      await done;
    },
  };
}

describe('an extension calls out through the trunk, recorded', () => {
  it('authenticates alice, bridges her to the carrier, and records her left and the far end right', async () => {
    const since = new Date().toISOString();
    const dialled = '+14155557001';
    const farRtp = await peer();
    const aliceRtp = await peer();
    const carrier = await callee({ scenario: 'callee.xml', rtp: farRtp });
    await rig.carrierAt(carrier.port);
    const alice = party({
      scenario: 'extension-caller.xml', service: dialled, target: rig.sb.sipPort, rtp: aliceRtp,
      keys: { caller: ALICE.username }, auth: { username: ALICE.username, password: ALICE.password },
    });
    try { await Promise.all([aim(aliceRtp, alice), aim(farRtp, carrier)]); } catch (e) { console.log(alice.messages().map(m=>m.text).join('\n====\n')); console.log(rig.sb.stdout().split('\n').filter(l=>!l.includes('http request')).slice(-20).join('\n')); throw e; }
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, dialled, since)).id, hasStatus('in_progress'), 'in_progress');
    // alice has no caller_id: toward the PSTN the call shows the tenant's default number.
    expect(call).toMatchObject({ direction: 'inbound', from: OURS, to: dialled, caller_extension_id: rig.aliceId, trunk_id: rig.trunkId });
    // The carrier was dialled with the number as the user part, '+' as it is.
    const invite = carrier.messages().find((m) => m.method === 'INVITE' && m.direction === 'received')!;
    expect(invite.text).toMatch(new RegExp(`^INVITE sip:\\${dialled}@127\\.0\\.0\\.1:${carrier.port}`));
    expect(invite.header('from')).toMatch(new RegExp(`^<sip:\\${OURS}@`));

    const talk = [keepPlaying(aliceRtp, 440), keepPlaying(farRtp, 700)];
    let recordingId = '';
    try {
      await sleep(200);
      const started = await rig.api.post(`/api/v1/voice/calls/${call.id}/recording/start`, { dual_channel: true });
      expect(started.status, started.text).toBe(200);
      expect(started.body.data).toMatchObject({ status: 'in_progress', channels: 2, signed_url: null });
      await sleep(1500);
      const stopped = await rig.api.post(`/api/v1/voice/calls/${call.id}/recording/stop`);
      expect(stopped.status, stopped.text).toBe(200);
      expect(stopped.body.data).toMatchObject({ status: 'completed', format: 'wav', channels: 2 });
      recordingId = stopped.body.data.id;
      const file = await fetch(stopped.body.data.signed_url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('audio/wav');
      const wav = wavChannels(new Uint8Array(await file.arrayBuffer()));
      expect(wav.channels).toHaveLength(2);
      const [left, right] = wav.channels as [Int16Array, Int16Array];
      expect(left.length / wav.rate).toBeGreaterThan(1);
      expect(carries(left, 440, 700, wav.rate), 'left: alice, the caller').toBe(true);
      expect(carries(right, 700, 440, wav.rate), 'right: what she heard, the far end').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }

    const hung = await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`);
    expect(hung.status, hung.text).toBe(200);
    const [a, c] = await Promise.all([alice.done, carrier.done]);
    expect(a.code, a.output).toBe(0); // alice got the BYE
    expect(c.code, c.output).toBe(0); // so did the carrier
    const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    expect(ended).toMatchObject({ hangup_side: 'api', recording_id: recordingId });
    expect(ended.recording_url).toMatch(/\/download\?expires=\d+&signature=/);
  });
});

describe('extension to extension', () => {
  it('alice dials bob by his extension number: bob rings, answers, and they hear each other', async () => {
    const bob = { username: 'bob', password: 'bob-secret-22', extension: '102' };
    const made = await rig.api.post('/api/v1/voice/sip-credentials', bob);
    expect(made.status, made.text).toBe(201);
    const bobPort = await register(rig, made.body.data.id, bob);
    const aliceRtp = await peer();
    const bobRtp = await peer();
    const since = new Date().toISOString();
    const bobPhone = await callee({ scenario: 'callee.xml', port: bobPort, rtp: bobRtp });
    const alice = party({
      scenario: 'extension-caller.xml', service: bob.extension, target: rig.sb.sipPort, rtp: aliceRtp,
      keys: { caller: ALICE.username }, auth: { username: ALICE.username, password: ALICE.password },
    });
    await Promise.all([aim(aliceRtp, alice), aim(bobRtp, bobPhone)]);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, bob.extension, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(call).toMatchObject({ from: ALICE.extension, to: bob.extension, caller_extension_id: rig.aliceId, callee_extension_id: made.body.data.id, trunk_id: null });
    const aFrom = aliceRtp.received.length;
    const bFrom = bobRtp.received.length;
    await Promise.all([aliceRtp.play(tone(440, 800)), bobRtp.play(tone(700, 800))]);
    expect(carries(bobRtp.heard(bFrom), 440, 700), 'bob hears alice').toBe(true);
    expect(carries(aliceRtp.heard(aFrom), 700, 440), 'alice hears bob').toBe(true);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [a, b] = await Promise.all([alice.done, bobPhone.done]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
  });
});

describe('POST /calls through the trunk', () => {
  it('dials the carrier; hold sends sendonly and plays music, unhold sendrecv; DTMF arrives as RFC 4733; hangup sends BYE', async () => {
    const dialled = '+14155557002';
    const farRtp = await peer();
    const carrier = await callee({ scenario: 'callee-hold.xml', rtp: farRtp });
    await rig.carrierAt(carrier.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: dialled });
    expect(placed.status, placed.text).toBe(201);
    expect(placed.body.data).toMatchObject({ status: 'initiating', direction: 'outbound', from: OURS, to: dialled, trunk_id: rig.trunkId });
    const id = placed.body.data.id as string;
    await aim(farRtp, carrier);
    await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');

    // Hold: the re-INVITE offers a=sendonly (the scenario checks it) and the far end hears the music.
    const fromHold = farRtp.received.length;
    const held = await rig.api.post(`/api/v1/voice/calls/${id}/hold`);
    expect(held.status, held.text).toBe(200);
    const holdInvite = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE' && m.status === undefined)[1];
    expect(holdInvite?.body).toMatch(/^a=sendonly/m);
    await farRtp.waitFor(() => farRtp.received.length - fromHold >= 125, 5000, '2.5 s of hold music');
    const music = farRtp.heard(fromHold);
    for (const hz of [440, 554, 659]) expect(hasTone(music, 8000, hz), `${hz} Hz in the hold music`).toBe(true);

    // Unhold: sendrecv again, and the music stops.
    const unheld = await rig.api.post(`/api/v1/voice/calls/${id}/unhold`);
    expect(unheld.status, unheld.text).toBe(200);
    const unholdInvite = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE' && m.status === undefined)[2];
    expect(unholdInvite?.body).toMatch(/^a=sendrecv/m);
    await sleep(200);
    const afterUnhold = farRtp.received.length;
    await sleep(600);
    const quiet = farRtp.heard(afterUnhold);
    for (const hz of [440, 554, 659]) expect(hasTone(quiet, 8000, hz), `${hz} Hz after unhold`).toBe(false);

    // DTMF: RFC 4733 events with the digits, in order.
    const digits: string[] = [];
    const rx = new Rfc4733Receiver({ onDigit: (d) => digits.push(d.digit) });
    const fromDtmf = farRtp.received.length;
    const sent = await rig.api.post(`/api/v1/voice/calls/${id}/dtmf`, { digits: '123#' });
    expect(sent.status, sent.text).toBe(200);
    await farRtp.waitFor(() => {
      for (const p of farRtp.received.splice(fromDtmf)) if (p.payloadType === 101) rx.push(p.ts, p.marker, p.payload);
      rx.poll();
      return digits.length >= 4;
    }, 5000, 'four RFC 4733 digits');
    expect(digits.join('')).toBe('123#');

    // Mute: a call placed without an agent has no operator side to mute.
    const mute = await rig.api.post(`/api/v1/voice/calls/${id}/mute`);
    expect(mute.status, mute.text).toBe(409);

    const hung = await rig.api.post(`/api/v1/voice/calls/${id}/hangup`);
    expect(hung.status, hung.text).toBe(200);
    const c = await carrier.done;
    expect(c.code, c.output).toBe(0); // hold, unhold and the BYE came as the scenario says
    const ended = await waitForCall(rig.api, id, hasStatus('completed'), 'completed');
    expect(ended).toMatchObject({ hangup_side: 'api', hangup_cause: 'normal_clearing' });

    // Webhooks: the call's four status events, each signed with the tenant's secret.
    const secret = (await rig.api.get('/api/v1/webhooks/secret')).body.data.secret as string;
    const want = ['call.initiating', 'call.ringing', 'call.in_progress', 'call.completed'];
    const ofCall = () => hooks.received.filter((h) => JSON.parse(h.body).data?.id === id);
    const until = Date.now() + 10_000;
    while (ofCall().length < want.length && Date.now() < until) await sleep(50);
    const events = ofCall();
    expect(events.map((h) => JSON.parse(h.body).type).sort()).toEqual([...want].sort());
    for (const h of events) expect(signatureValid(secret, h)).toBe(true);
    const completed = events.map((h) => JSON.parse(h.body)).find((e) => e.type === 'call.completed');
    expect(completed.data).toMatchObject({ status: 'completed', hangup_side: 'api' });
  });

  it('hangup while the callee rings CANCELs it: the call is cancelled by the API', async () => {
    const carrier = await callee({ scenario: 'callee-rings.xml' });
    await rig.carrierAt(carrier.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155557004' });
    expect(placed.status, placed.text).toBe(201);
    const id = placed.body.data.id as string;
    await waitForCall(rig.api, id, hasStatus('ringing'), 'ringing');
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/hold`)).status).toBe(409); // not in progress yet
    const hung = await rig.api.post(`/api/v1/voice/calls/${id}/hangup`);
    expect(hung.status, hung.text).toBe(200);
    const c = await carrier.done;
    expect(c.code, c.output).toBe(0); // the carrier saw the CANCEL
    const ended = await waitForCall(rig.api, id, hasStatus('cancelled'), 'cancelled');
    expect(ended).toMatchObject({ hangup_side: 'api', sip_final_status: 487 });
  });

  it('beyond max_concurrent_calls POST /calls answers 429 with Retry-After', async () => {
    expect((await rig.api.patch('/api/v1/tenant', { max_concurrent_calls: 1 })).status).toBe(200);
    try {
      const carrier = await callee({ scenario: 'callee-rings.xml' });
      await rig.carrierAt(carrier.port);
      const first = await rig.api.post('/api/v1/voice/calls', { to: '+14155557006' });
      expect(first.status, first.text).toBe(201);
      const second = await rig.api.post('/api/v1/voice/calls', { to: '+14155557007' });
      expect(second.status, second.text).toBe(429);
      expect(second.body.error.code).toBe('RATE_LIMITED');
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      await waitForCall(rig.api, first.body.data.id, hasStatus('ringing'), 'ringing');
      expect((await rig.api.post(`/api/v1/voice/calls/${first.body.data.id}/hangup`)).status).toBe(200);
      expect((await carrier.done).code).toBe(0);
    } finally {
      await rig.api.patch('/api/v1/tenant', { max_concurrent_calls: null });
    }
  });

  it('a busy callee ends the call busy', async () => {
    const carrier = await callee({ scenario: 'callee-busy.xml' });
    await rig.carrierAt(carrier.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155557005' });
    expect(placed.status, placed.text).toBe(201);
    expect((await carrier.done).code).toBe(0);
    const ended = await waitForCall(rig.api, placed.body.data.id, hasStatus('busy'), 'busy');
    expect(ended).toMatchObject({ sip_final_status: 486, hangup_cause: 'user_busy' });
  });

  it('with an agent: the agent is rung first, then the callee; mute silences the agent toward the callee only', async () => {
    const agent = await rig.api.post('/api/v1/voice/agents', { name: 'Alice', extension_id: rig.aliceId });
    expect(agent.status, agent.text).toBe(201);
    const dialled = '+14155557003';
    const aliceRtp = await peer();
    const farRtp = await peer();
    const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort, rtp: aliceRtp });
    const carrier = await callee({ scenario: 'callee.xml', rtp: farRtp });
    await rig.carrierAt(carrier.port);
    const placed = await rig.api.post('/api/v1/voice/calls', { to: dialled, agent_id: agent.body.data.id });
    expect(placed.status, placed.text).toBe(201);
    const id = placed.body.data.id as string;
    await Promise.all([aim(aliceRtp, alice), aim(farRtp, carrier)]);
    await waitForCall(rig.api, id, hasStatus('in_progress'), 'in_progress');
    // The callee was dialled only once the agent had answered.
    const agentAnswered = alice.messages().find((m) => m.direction === 'sent' && m.status === 200 && m.method === 'INVITE')!;
    const calleeInvited = carrier.messages().find((m) => m.direction === 'received' && m.method === 'INVITE')!;
    expect(calleeInvited.at).toBeGreaterThanOrEqual(agentAnswered.at);

    const talk = [keepPlaying(aliceRtp, 600), keepPlaying(farRtp, 700)];
    try {
      await sleep(300);
      let from = farRtp.received.length;
      await sleep(600);
      expect(hasTone(farRtp.heard(from), 8000, 600), 'the callee hears the agent').toBe(true);

      expect((await rig.api.post(`/api/v1/voice/calls/${id}/mute`)).status).toBe(200);
      await sleep(200);
      from = farRtp.received.length;
      const aliceFrom = aliceRtp.received.length;
      await sleep(600);
      expect(isSilent(farRtp.heard(from)), 'the callee hears silence while the agent is muted').toBe(true);
      expect(hasTone(aliceRtp.heard(aliceFrom), 8000, 700), 'the agent still hears the callee').toBe(true);

      expect((await rig.api.post(`/api/v1/voice/calls/${id}/unmute`)).status).toBe(200);
      await sleep(200);
      from = farRtp.received.length;
      await sleep(600);
      expect(hasTone(farRtp.heard(from), 8000, 600), 'the agent is heard again').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await rig.api.post(`/api/v1/voice/calls/${id}/hangup`)).status).toBe(200);
    const [a, c] = await Promise.all([alice.done, carrier.done]);
    expect(a.code, a.output).toBe(0);
    expect(c.code, c.output).toBe(0);
    const ended = await waitForCall(rig.api, id, hasStatus('completed'), 'completed');
    expect(ended).toMatchObject({ agent_id: agent.body.data.id, caller_extension_id: rig.aliceId });
  });
});
