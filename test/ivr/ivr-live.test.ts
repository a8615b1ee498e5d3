// IVR flows on real calls: a carrier (SIPp from 127.0.0.2) calls a number routed to the seed's
// example flow; the caller's RTP peer hears the synthesized menu and presses keys (sipp's
// RFC 4733 captures); a second SIPp is the carrier that receives the transferred call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  CARRIER_IP, aim, callee, carries, hasStatus, newestCallTo, party, rtpPeers, sleep, startRig, timeline, tone, waitForCall, type Rig,
} from '../calls/call-rig.js';
import { SALES, SUPPORT, press, seedFlow, soundSegments, waitForBeep, waitForSound } from './ivr-rig.js';

let rig: Rig;
const rtp = rtpPeers();
const MENU_NUMBER = '+14155550170';
const SHORT_MENU_NUMBER = '+14155550171';

const peer = (address?: string): Promise<RtpPeer> => rtp.open(address);

async function routeToFlow(number: string, flow: Record<string, unknown>): Promise<string> {
  const made = await rig.api.post('/api/v1/voice/ivr-flows', flow);
  expect(made.status, made.text).toBe(201);
  const routed = await rig.api.put(`/api/v1/numbers/${encodeURIComponent(number)}/routing`, { type: 'ivr_flow', ivr_flow_id: made.body.data.id });
  expect(routed.status, routed.text).toBe(200);
  return made.body.data.id;
}

/** A carrier calls `number`; resolves once the IVR answered (the caller's peer is aimed). */
async function dial(number: string) {
  const since = new Date().toISOString();
  const callerRtp = await peer(CARRIER_IP);
  const caller = party({ scenario: 'caller-waits.xml', ip: CARRIER_IP, service: number, target: rig.sb.sipPort, rtp: callerRtp, timeoutMs: 40_000 });
  await aim(callerRtp, caller);
  const call = await waitForCall(rig.api, (await newestCallTo(rig.api, number, since)).id, hasStatus('in_progress'), 'in_progress');
  return { caller, callerRtp, call };
}

beforeAll(async () => {
  rig = await startRig({ register: false });
  await routeToFlow(MENU_NUMBER, seedFlow());
}, 60_000);
afterAll(async () => {
  if (process.env.IVR_TEST_LOG) (await import('node:fs')).writeFileSync(process.env.IVR_TEST_LOG, rig?.sb.stdout() ?? '');
  await rtp.closeAll();
  await rig?.sb.stop();
});

describe('the seed example flow on a live call', () => {
  for (const [key, number] of [['1', SALES], ['2', SUPPORT]] as const) {
    it(`key ${key} during the menu transfers the caller to ${number} through the trunk, and the two are bridged`, async () => {
      const carrierRtp = await peer();
      const carrier = await callee({ scenario: 'callee.xml', rtp: carrierRtp });
      await rig.carrierAt(carrier.port);
      const { caller, callerRtp, call } = await dial(MENU_NUMBER);
      await waitForSound(callerRtp, 800);
      await press(callerRtp, key);

      // The carrier gets the INVITE for the option's number, from the caller's number.
      await aim(carrierRtp, carrier, 10_000);
      const invite = carrier.messages().find((m) => m.direction === 'received' && m.method === 'INVITE' && m.status === undefined)!;
      expect(invite.text.split('\r\n')[0]).toContain(`sip:${number}@`);
      expect(invite.header('from')).toContain('+14155550100');
      await waitForCall(rig.api, call.id, (c) => timeline(rig, c.id).some((e) => e.type === 'transfer_completed'), 'transfer_completed');

      // Caller and carrier hear each other.
      await sleep(200);
      const cFrom = callerRtp.received.length;
      const kFrom = carrierRtp.received.length;
      await Promise.all([callerRtp.play(tone(440, 1000)), carrierRtp.play(tone(700, 1000))]);
      expect(carries(carrierRtp.heard(kFrom), 440, 700), 'the carrier hears the caller').toBe(true);
      expect(carries(callerRtp.heard(cFrom), 700, 440), 'the caller hears the carrier').toBe(true);

      expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
      const [c, k] = await Promise.all([caller.done, carrier.done]);
      expect(c.code, c.output).toBe(0);
      expect(k.code, k.output).toBe(0);
      const ended = await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
      expect(ended).toMatchObject({ direction: 'inbound', to: MENU_NUMBER, from: '+14155550100' });
      const finished = timeline(rig, call.id).find((e) => e.type === 'ivr_finished');
      expect(finished?.data).toMatchObject({ final_action: { type: 'transfer', node_id: key === '1' ? 'sales' : 'support', to: number }, nodes_visited: ['start', 'menu', key === '1' ? 'sales' : 'support'] });
    }, 60_000);
  }

  it('no key: the menu is heard again after its timeout, then the fallback runs', async () => {
    const flow = seedFlow() as { definition: { nodes: any[]; edges: any[] } };
    const menu = flow.definition.nodes[1];
    menu.data = { ...menu.data, ttsText: 'Press 1 for sales.', timeout: 2, maxRetries: 1 };
    flow.definition.nodes.push({ id: 'bye', type: 'hangup', data: { message: 'Nobody pressed a key. Goodbye.' } });
    flow.definition.edges.push({ id: 'e4', source: 'menu', target: 'bye', sourceHandle: 'fallback' });
    await routeToFlow(SHORT_MENU_NUMBER, flow);
    const { caller, callerRtp, call } = await dial(SHORT_MENU_NUMBER);
    const c = await caller.done; // Switchboard hangs up after the fallback's message
    expect(c.code, c.output).toBe(0);
    const heard = soundSegments(callerRtp.heard());
    // The prompt twice (about as long both times), 2 s of silence between, then the goodbye.
    expect(heard.length, JSON.stringify(heard)).toBe(3);
    const [first, second, bye] = heard as [any, any, any];
    expect(Math.abs(first.endMs - first.startMs - (second.endMs - second.startMs))).toBeLessThan(300);
    expect(second.startMs - first.endMs).toBeGreaterThan(1700);
    expect(bye.startMs - second.endMs).toBeGreaterThan(1700);
    await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    const finished = timeline(rig, call.id).find((e) => e.type === 'ivr_finished');
    expect(finished?.data).toMatchObject({ final_action: { type: 'hangup', node_id: 'bye', reason: 'hangup_node' }, nodes_visited: ['start', 'menu', 'bye'] });
  }, 60_000);

  it('key 3: the greeting, the tone, the caller\'s message recorded and listed in GET /voicemails', async () => {
    const box = await rig.api.post('/api/v1/voice/voicemail-boxes', { name: 'Front desk' });
    expect(box.status, box.text).toBe(201);
    const { caller, callerRtp, call } = await dial(MENU_NUMBER);
    await waitForSound(callerRtp, 800);
    await press(callerRtp, '3');
    // The beep: 1 kHz at the caller, after the greeting.
    const from = await waitForBeep(callerRtp, callerRtp.received.length);
    await callerRtp.play(tone(440, 3000));
    await press(callerRtp, '#');
    const c = await caller.done;
    expect(c.code, c.output).toBe(0);
    expect(soundSegments(callerRtp.heard(from)).filter((x) => x.endMs - x.startMs >= 300), 'nothing is played to the caller while recording').toEqual([]);
    await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
    let msg: any;
    for (let i = 0; i < 50 && !msg; i++) {
      const list = await rig.api.get('/api/v1/voice/voicemails');
      msg = list.body.data?.find((m: any) => m.voicemail_id === box.body.data.id);
      if (!msg) await sleep(100);
    }
    expect(msg, 'the message is listed').toBeDefined();
    expect(msg.caller).toBe('+14155550100');
    expect(Math.abs(msg.duration_seconds - 3)).toBeLessThanOrEqual(0.5);
    const deposited = timeline(rig, call.id).find((e) => e.type === 'voicemail_deposited');
    expect(deposited?.data).toMatchObject({ voicemail_message_id: msg.id });
  }, 60_000);
});

