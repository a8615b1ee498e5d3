// The other node kinds and routes on live calls: dial-by-name and offer-callback driven by the
// caller's keys, a number routed straight to a voicemail box (the message ends after 5 s of
// silence), and a closed calendar sending the call to its after-hours target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  CARRIER_IP, aim, callee, carries, hasStatus, newestCallTo, party, register, rtpPeers, sleep, startRig, timeline, tone, waitForCall, type Rig,
} from '../calls/call-rig.js';
import { callbacksOf, press, waitForBeep, waitForSound } from './ivr-rig.js';

let rig: Rig;
const rtp = rtpPeers();
const CALLER = '+14155550100';

const peer = (address?: string): Promise<RtpPeer> => rtp.open(address);

async function route(number: string, body: Record<string, unknown>): Promise<void> {
  const r = await rig.api.put(`/api/v1/numbers/${encodeURIComponent(number)}/routing`, body);
  expect(r.status, r.text).toBe(200);
}

async function flowAt(number: string, nodes: unknown[], edges: unknown[]): Promise<string> {
  const made = await rig.api.post('/api/v1/voice/ivr-flows', { name: `flow ${number}`, active: true, definition: { nodes, edges } });
  expect(made.status, made.text).toBe(201);
  await route(number, { type: 'ivr_flow', ivr_flow_id: made.body.data.id });
  return made.body.data.id;
}

async function dial(number: string) {
  const since = new Date().toISOString();
  const callerRtp = await peer(CARRIER_IP);
  const caller = party({ scenario: 'caller-waits.xml', ip: CARRIER_IP, service: number, target: rig.sb.sipPort, rtp: callerRtp, timeoutMs: 40_000 });
  await aim(callerRtp, caller);
  const call = await waitForCall(rig.api, (await newestCallTo(rig.api, number, since)).id, hasStatus('in_progress'), 'in_progress');
  return { caller, callerRtp, call };
}

async function messagesOf(boxId: string, want: number): Promise<any[]> {
  for (let i = 0; i < 50; i++) {
    const list = await rig.api.get('/api/v1/voice/voicemails');
    const mine = (list.body.data ?? []).filter((m: any) => m.voicemail_id === boxId);
    if (mine.length >= want) return mine;
    await sleep(100);
  }
  return [];
}

beforeAll(async () => {
  rig = await startRig({ register: false, env: { SWITCHBOARD_CALLBACK_DELAY_MS: '300' } });
}, 60_000);
afterAll(async () => {
  await rtp.closeAll();
  await rig?.sb.stop();
});

describe('dialByName', () => {
  it('the caller keys S-M-I-T then #: the one match, Bob Smith, is announced and his phone rings and is bridged', async () => {
    const cred = { username: 'bob', password: 'bob-secret-1', extension: '102', display_name: 'Bob Smith' };
    const made = await rig.api.post('/api/v1/voice/sip-credentials', cred);
    expect(made.status, made.text).toBe(201);
    const bobPort = await register(rig, made.body.data.id, cred);
    const number = '+14155550172';
    await flowAt(
      number,
      [
        { id: 'start', type: 'ivrStart', data: {} },
        { id: 'directory', type: 'dialByName', data: {} },
        { id: 'sorry', type: 'hangup', data: { message: 'Sorry.' } },
      ],
      [
        { id: 'e0', source: 'start', target: 'directory' },
        { id: 'e1', source: 'directory', target: 'sorry', sourceHandle: 'failure' },
      ],
    );
    const bobRtp = await peer();
    const bob = await callee({ scenario: 'callee.xml', port: bobPort, rtp: bobRtp });
    const { caller, callerRtp, call } = await dial(number);
    await waitForSound(callerRtp, 800);
    await press(callerRtp, '7648#');
    await aim(bobRtp, bob, 15_000);
    await waitForCall(rig.api, call.id, (c) => timeline(rig, c.id).some((e) => e.type === 'transfer_completed'), 'transfer_completed');
    await sleep(200);
    const cFrom = callerRtp.received.length;
    const bFrom = bobRtp.received.length;
    await Promise.all([callerRtp.play(tone(440, 800)), bobRtp.play(tone(700, 800))]);
    expect(carries(bobRtp.heard(bFrom), 440, 700), 'Bob hears the caller').toBe(true);
    expect(carries(callerRtp.heard(cFrom), 700, 440), 'the caller hears Bob').toBe(true);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, b] = await Promise.all([caller.done, bob.done]);
    expect(c.code, c.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    expect(ended.callee_extension_id).toBe(made.body.data.id);
    const finished = timeline(rig, call.id).find((e) => e.type === 'ivr_finished');
    expect(finished?.data).toMatchObject({ final_action: { type: 'dial_by_name', to: '102', name: 'Bob Smith' } });
  }, 60_000);
});

describe('ringGroup', () => {
  it('simultaneous: both members ring, the first to answer is bridged, the other gets a CANCEL', async () => {
    const ids: string[] = [];
    const ports: number[] = [];
    for (const [username, extension] of [['carol', '103'], ['dave', '104']] as const) {
      const cred = { username, password: `${username}-secret-1`, extension };
      const made = await rig.api.post('/api/v1/voice/sip-credentials', cred);
      expect(made.status, made.text).toBe(201);
      ids.push(made.body.data.id);
      ports.push(await register(rig, made.body.data.id, cred));
    }
    const group = await rig.api.post('/api/v1/voice/ring-groups', {
      name: 'Front office', strategy: 'simultaneous', ringTimeoutSec: 10,
      members: [{ kind: 'sip_username', value: 'carol' }, { kind: 'sip_username', value: 'dave' }],
    });
    expect(group.status, group.text).toBe(201);
    const number = '+14155550176';
    await flowAt(
      number,
      [{ id: 'start', type: 'ivrStart', data: {} }, { id: 'team', type: 'ringGroup', data: { ringGroupId: group.body.data.id } }],
      [{ id: 'e0', source: 'start', target: 'team' }],
    );
    const daveRtp = await peer();
    const carol = await callee({ scenario: 'callee-rings.xml', port: ports[0]! });
    const dave = await callee({ scenario: 'callee.xml', port: ports[1]!, rtp: daveRtp });
    const { caller, callerRtp, call } = await dial(number);
    await aim(daveRtp, dave, 10_000);
    const k = await carol.done; // carol's phone was CANCELled once dave answered
    expect(k.code, k.output).toBe(0);
    await waitForCall(rig.api, call.id, (c) => timeline(rig, c.id).some((e) => e.type === 'transfer_completed'), 'transfer_completed');
    await sleep(200);
    const cFrom = callerRtp.received.length;
    const dFrom = daveRtp.received.length;
    await Promise.all([callerRtp.play(tone(440, 800)), daveRtp.play(tone(700, 800))]);
    expect(carries(daveRtp.heard(dFrom), 440, 700), 'dave hears the caller').toBe(true);
    expect(carries(callerRtp.heard(cFrom), 700, 440), 'the caller hears dave').toBe(true);
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, d] = await Promise.all([caller.done, dave.done]);
    expect(c.code, c.output).toBe(0);
    expect(d.code, d.output).toBe(0);
    const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    expect(ended.callee_extension_id).toBe(ids[1]);
  }, 60_000);
});

describe('offerCallback', () => {
  it('the caller presses 1: the call ends, and once it has, the callback rings the caller\'s number through the trunk', async () => {
    const number = '+14155550173';
    await flowAt(
      number,
      [
        { id: 'start', type: 'ivrStart', data: {} },
        { id: 'offer', type: 'offerCallback', data: { confirmKey: '1' } },
        { id: 'bye', type: 'hangup', data: {} },
      ],
      [
        { id: 'e0', source: 'start', target: 'offer' },
        { id: 'e1', source: 'offer', target: 'bye', sourceHandle: 'failure' },
      ],
    );
    const carrierRtp = await peer();
    const carrier = await callee({ scenario: 'callee.xml', rtp: carrierRtp });
    await rig.carrierAt(carrier.port);
    const { caller, callerRtp, call } = await dial(number);
    await waitForSound(callerRtp, 800);
    await press(callerRtp, '1');
    const c = await caller.done; // thanked and hung up
    expect(c.code, c.output).toBe(0);
    const hungUpAt = Date.now();
    const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    expect(timeline(rig, ended.id).find((e) => e.type === 'ivr_finished')?.data).toMatchObject({ final_action: { type: 'callback', node_id: 'offer' } });

    // The callback: an INVITE to the caller's number, showing the number they called.
    await aim(carrierRtp, carrier, 15_000);
    const invite = carrier.messages().find((m) => m.direction === 'received' && m.method === 'INVITE' && m.status === undefined)!;
    expect(invite.at).toBeGreaterThanOrEqual(hungUpAt - 50);
    expect(invite.text.split('\r\n')[0]).toContain(`sip:${CALLER}@`);
    expect(invite.header('from')).toContain(number);
    const [cb] = callbacksOf(rig);
    expect(cb).toMatchObject({ status: 'placed', to_number: CALLER, from_number: number, origin_call_id: call.id });
    const placed = await waitForCall(rig.api, cb.placed_call_id, hasStatus('in_progress'), 'callback in_progress');
    expect(placed).toMatchObject({ direction: 'outbound', to: CALLER, from: number });
    expect(placed.metadata).toMatchObject({ callback_id: cb.id });
    expect((await rig.api.post(`/api/v1/voice/calls/${placed.id}/hangup`)).status).toBe(200);
    const k = await carrier.done;
    expect(k.code, k.output).toBe(0);
  }, 60_000);
});

describe('voicemail routes', () => {
  it('a number routed to a box: its greeting, the tone, and a message that ends after 5 s of silence', async () => {
    const box = await rig.api.post('/api/v1/voice/voicemail-boxes', { name: 'Sales box', greeting: 'Sales. Leave a message.', max_duration: 60 });
    expect(box.status, box.text).toBe(201);
    const number = '+14155550174';
    await route(number, { type: 'voicemail', voicemail_id: box.body.data.id });
    const { caller, callerRtp, call } = await dial(number);
    await waitForBeep(callerRtp, 0);
    await callerRtp.play(tone(440, 2000));
    const quietFrom = Date.now();
    const c = await caller.done; // Switchboard hangs up once the caller has been quiet for 5 s
    expect(c.code, c.output).toBe(0);
    expect(Date.now() - quietFrom).toBeGreaterThan(4500);
    const [msg] = await messagesOf(box.body.data.id, 1);
    expect(msg).toMatchObject({ caller: CALLER, voicemail_id: box.body.data.id });
    expect(Math.abs(msg.duration_seconds - 2)).toBeLessThanOrEqual(0.5);
    await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
  }, 60_000);

  it('outside the calendar\'s hours the after-hours box answers; hanging up mid-message still keeps it', async () => {
    const closed = await rig.api.post('/api/v1/voice/calendars', { name: 'Never open', timezone: 'UTC', weekday_windows: [], holidays: [] });
    expect(closed.status, closed.text).toBe(201);
    const box = await rig.api.post('/api/v1/voice/voicemail-boxes', { name: 'After hours', greeting: 'We are closed.' });
    const flow = await rig.api.post('/api/v1/voice/ivr-flows', {
      name: 'Open hours menu',
      definition: {
        nodes: [{ id: 'start', type: 'ivrStart', data: {} }, { id: 'bye', type: 'hangup', data: { message: 'We are open.' } }],
        edges: [{ id: 'e0', source: 'start', target: 'bye' }],
      },
    });
    expect(flow.status, flow.text).toBe(201);
    const number = '+14155550175';
    await route(number, {
      type: 'ivr_flow', ivr_flow_id: flow.body.data.id, calendar_id: closed.body.data.id,
      after_hours: { type: 'voicemail', voicemail_id: box.body.data.id },
    });
    const { caller, callerRtp, call } = await dial(number);
    await waitForBeep(callerRtp, 0);
    await callerRtp.play(tone(440, 1500));
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const c = await caller.done;
    expect(c.code, c.output).toBe(0);
    const [msg] = await messagesOf(box.body.data.id, 1);
    expect(msg, 'the message left by hanging up is kept').toBeDefined();
    expect(Math.abs(msg.duration_seconds - 1.5)).toBeLessThanOrEqual(0.5);
  }, 60_000);
});
