// Digest on a carrier's calls (docs/trunks.md): a trunk with credentials challenges INVITEs
// from its origination address with 407 and connects only those proving the trunk's
// password; wrong ones get a fresh 407, and 403 once the account is locked out. SIPp plays
// the carrier from 127.0.0.2, alice (a registered extension) answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  ALICE, CARRIER_IP, aim, callee, carries, hasStatus, newestCallTo, numberToAlice, party, rtpPeers, startRig, statusesReceived, tone, waitForCall,
  type Rig,
} from './call-rig.js';

const NUMBER = '+14155550177';
const CARRIER = { username: 'carrier-in', password: 'carrier-secret-7' };

let rig: Rig;
const rtp = rtpPeers();

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
  const r = await rig.api.put(`/api/v1/voice/sip-trunks/${rig.trunkId}`, { auth_username: CARRIER.username, auth_password: CARRIER.password });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await rtp.closeAll();
  await rig?.sb.stop();
});

const peer = (address?: string): Promise<RtpPeer> => rtp.open(address);

describe('a trunk with credentials', () => {
  it('challenges the carrier (407) and connects the INVITE with the right credentials', async () => {
    const since = new Date().toISOString();
    const carrierRtp = await peer(CARRIER_IP);
    const aliceRtp = await peer();
    const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort, rtp: aliceRtp });
    const carrier = party({
      scenario: 'extension-caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, auth: CARRIER,
    });
    await Promise.all([aim(aliceRtp, alice), aim(carrierRtp, carrier)]);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(call).toMatchObject({ direction: 'inbound', trunk_id: rig.trunkId, callee_extension_id: rig.aliceId });
    // The challenge came first; its realm is the tenant's (no sip_domain: "switchboard").
    const challenge = carrier.messages().find((m) => m.direction === 'received' && m.status === 407);
    expect(challenge?.header('proxy-authenticate')).toMatch(/^Digest realm="switchboard"/);
    expect(statusesReceived(carrier).filter((s) => s !== 100)).toEqual([407, 180, 200]);

    const aFrom = aliceRtp.received.length;
    const cFrom = carrierRtp.received.length;
    await Promise.all([carrierRtp.play(tone(440, 800)), aliceRtp.play(tone(700, 800))]);
    expect(carries(aliceRtp.heard(aFrom), 440, 700), 'alice hears the carrier').toBe(true);
    expect(carries(carrierRtp.heard(cFrom), 700, 440), 'the carrier hears alice').toBe(true);

    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, a] = await Promise.all([carrier.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
  });

  it('answers wrong credentials with a fresh 407, and 403 once the account is locked out', async () => {
    const since = new Date().toISOString();
    const finals: number[] = [];
    // Five failures lock the account (sip/auth lockout); the sixth try is refused outright.
    for (let i = 0; i < 6; i++) {
      const carrier = party({
        scenario: 'trunk-caller-wrong-auth.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort,
        auth: { username: CARRIER.username, password: 'not-the-password' },
      });
      const done = await carrier.done;
      expect(done.code, done.output).toBe(0);
      const statuses = statusesReceived(carrier).filter((s) => s !== 100);
      expect(statuses[0]).toBe(407); // no credentials: the challenge
      finals.push(statuses[1]!);
    }
    expect(finals).toEqual([407, 407, 407, 407, 407, 403]);
    // Another trunk's or an extension's password is no key either: alice's credentials, refused.
    const asAlice = party({
      scenario: 'trunk-caller-wrong-auth.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort,
      auth: { username: ALICE.username, password: ALICE.password },
    });
    expect((await asAlice.done).code).toBe(0);
    expect(statusesReceived(asAlice).filter((s) => s !== 100)).toEqual([407, 407]);
    // None of these became a call.
    const calls = await rig.api.get(`/api/v1/voice/calls?to=${encodeURIComponent(NUMBER)}&limit=10`);
    expect(calls.body.data.filter((c: { created_at: string }) => c.created_at >= since)).toEqual([]);
  });
});
