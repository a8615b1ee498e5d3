// Drain on SIGTERM with a call up: new INVITEs get 503 with Retry-After, the call in
// progress keeps its audio until its own BYE, and then the process exits 0 on its own. The
// call's record, read after a restart, ended normally (not closed as a leftover).
import { afterAll, expect, it } from 'vitest';
import { client } from '../helpers/http.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  CARRIER_IP, aim, callee, carries, hasStatus, newestCallTo, numberToAlice, party, rtpPeer, sleep, startRig, tone, waitForCall,
} from './call-rig.js';

const NUMBER = '+14155550177';
const peers: RtpPeer[] = [];
let restarted: RunningServer | undefined;

afterAll(async () => {
  for (const p of peers) await p.close();
  await restarted?.stop();
});

it('SIGTERM: new calls are refused, the call up goes on until its BYE, then the process exits 0', async () => {
  const since = new Date().toISOString();
  const rig = await startRig();
  await numberToAlice(rig, NUMBER);
  const carrierRtp = await rtpPeer(CARRIER_IP);
  const aliceRtp = await rtpPeer();
  peers.push(carrierRtp, aliceRtp);
  const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort, rtp: aliceRtp });
  const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, rtp: carrierRtp, pauseMs: 3500 });
  await Promise.all([aim(carrierRtp, caller), aim(aliceRtp, alice)]);
  const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');

  rig.sb.process.kill('SIGTERM');
  // Draining: a new call is turned away with a hint to come back.
  let refused;
  for (let i = 0; i < 20 && !refused; i++) {
    const second = party({ scenario: 'caller-refused.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort });
    const r = await second.done;
    expect(r.code, r.output).toBe(0);
    const final = second.messages().find((m) => m.direction === 'received' && (m.status ?? 0) >= 300)!;
    if (final.status === 503) refused = final;
    else await sleep(50); // the signal may not have been handled yet
  }
  expect(refused?.status).toBe(503);
  expect(Number(refused?.header('retry-after'))).toBeGreaterThan(0);

  // The call up still carries audio, and the API still answers about it.
  const from = aliceRtp.received.length;
  await carrierRtp.play(tone(440, 600));
  expect(carries(aliceRtp.heard(from), 440, 700), 'alice still hears the caller').toBe(true);
  expect((await rig.api.get(`/api/v1/voice/calls/${call.id}`)).body.data.status).toBe('in_progress');

  // The caller hangs up; then the server stops by itself, exit status 0.
  const [c, a] = await Promise.all([caller.done, alice.done]);
  expect(c.code, c.output).toBe(0);
  expect(a.code, a.output).toBe(0);
  const until = Date.now() + 15_000;
  while (rig.sb.process.exitCode === null && Date.now() < until) await sleep(50);
  expect(rig.sb.process.exitCode).toBe(0);

  restarted = await startServer({ dataDir: rig.sb.dataDir });
  const after = await client(restarted.baseUrl, rig.sb.firstKey).get(`/api/v1/voice/calls/${call.id}`);
  expect(after.body.data).toMatchObject({ status: 'completed', hangup_side: 'caller', hangup_cause: 'normal_clearing' });
});
