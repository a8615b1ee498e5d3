// Monitoring over real sockets: a supervisor (carol, an extension) is dialled into a carrier's
// call with alice. Listen: carol hears both, nobody hears carol. Whisper: alice hears carol,
// the caller does not. Barge: everyone hears everyone. Unlisten hangs carol up. The routes
// need the voice:monitor scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import {
  aim, callee, carrierCallsAlice, clientWithScopes, extension, keepPlaying, listenFor, numberToAlice, rtpPeer, startRig, timeline,
  type Rig,
} from './call-rig.js';

let rig: Rig;
const peers: RtpPeer[] = [];
const NUMBER = '+14155550144';
const CALLER_HZ = 900;
const ALICE_HZ = 1200;
const CAROL_HZ = 1800;
let carol: { id: string; port: number };

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
  carol = await extension(rig, { username: 'carol', password: 'carol-secret-3', extension: '103' });
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await rig?.sb.stop();
});

describe('listen, whisper, barge, unlisten', () => {
  it('a key without voice:monitor gets 403; the supervisor listens unheard, whispers to alice only, barges in, and is hung up', async () => {
    const { call, caller, alice, callerRtp, aliceRtp } = await carrierCallsAlice(rig, NUMBER, peers);
    const writer = await clientWithScopes(rig, ['voice:read', 'voice:write']);
    const refused = await writer.post(`/api/v1/voice/calls/${call.id}/listen`, { to: carol.id });
    expect(refused.status, refused.text).toBe(403);
    const monitor = await clientWithScopes(rig, ['voice:monitor']);

    const carolRtp = await rtpPeer();
    peers.push(carolRtp);
    const carolPhone = await callee({ scenario: 'callee.xml', port: carol.port, rtp: carolRtp });
    const talk = [keepPlaying(callerRtp, CALLER_HZ), keepPlaying(aliceRtp, ALICE_HZ)];
    try {
      const listen = await monitor.post(`/api/v1/voice/calls/${call.id}/listen`, { to: carol.id });
      expect(listen.status, listen.text).toBe(200);
      await aim(carolRtp, carolPhone);
      talk.push(keepPlaying(carolRtp, CAROL_HZ));
      for (let i = 0; i < 100 && !timeline(rig, call.id).some((e) => e.type === 'supervisor_joined'); i++) await new Promise((r) => setTimeout(r, 50));

      // Listen: carol hears both parties; neither hears carol.
      let [carolHears, callerHears, aliceHears] = await Promise.all([listenFor(carolRtp, 800), listenFor(callerRtp, 800), listenFor(aliceRtp, 800)]);
      expect(hasTone(carolHears, 8000, CALLER_HZ) && hasTone(carolHears, 8000, ALICE_HZ), 'listen: carol hears the caller and alice').toBe(true);
      expect(hasTone(callerHears, 8000, CAROL_HZ), 'listen: the caller does not hear carol').toBe(false);
      expect(hasTone(aliceHears, 8000, CAROL_HZ), 'listen: alice does not hear carol').toBe(false);
      expect(hasTone(callerHears, 8000, ALICE_HZ), 'the call goes on').toBe(true);

      // Whisper: alice hears carol, the caller does not.
      expect((await monitor.post(`/api/v1/voice/calls/${call.id}/whisper`, {})).status).toBe(200);
      [carolHears, callerHears, aliceHears] = await Promise.all([listenFor(carolRtp, 800, 300), listenFor(callerRtp, 800, 300), listenFor(aliceRtp, 800, 300)]);
      expect(hasTone(aliceHears, 8000, CAROL_HZ), 'whisper: alice hears carol').toBe(true);
      expect(hasTone(callerHears, 8000, CAROL_HZ), 'whisper: the caller does not hear carol').toBe(false);
      expect(hasTone(carolHears, 8000, CALLER_HZ) && hasTone(carolHears, 8000, ALICE_HZ), 'whisper: carol still hears both').toBe(true);

      // Barge: everyone hears everyone.
      expect((await monitor.post(`/api/v1/voice/calls/${call.id}/barge`, {})).status).toBe(200);
      [carolHears, callerHears, aliceHears] = await Promise.all([listenFor(carolRtp, 800, 300), listenFor(callerRtp, 800, 300), listenFor(aliceRtp, 800, 300)]);
      expect(hasTone(callerHears, 8000, CAROL_HZ), 'barge: the caller hears carol').toBe(true);
      expect(hasTone(aliceHears, 8000, CAROL_HZ), 'barge: alice hears carol').toBe(true);
      expect(hasTone(carolHears, 8000, CALLER_HZ) && hasTone(carolHears, 8000, ALICE_HZ), 'barge: carol hears both').toBe(true);

      // Unlisten: carol is hung up; the call goes on.
      expect((await monitor.post(`/api/v1/voice/calls/${call.id}/unlisten`, {})).status).toBe(200);
      const c = await carolPhone.done;
      expect(c.code, c.output).toBe(0);
      expect((await monitor.post(`/api/v1/voice/calls/${call.id}/unlisten`, {})).status, 'no supervisor left').toBe(409);
      const after = await listenFor(callerRtp, 600);
      expect(hasTone(after, 8000, ALICE_HZ) && !hasTone(after, 8000, CAROL_HZ), 'the caller hears alice, no carol').toBe(true);
    } finally {
      for (const t of talk) await t.stop();
    }
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
  });

  it('listen without `to` and no supervisor on the call is 422 naming `to`', async () => {
    const { call, caller, alice } = await carrierCallsAlice(rig, NUMBER, peers);
    const r = await rig.api.post(`/api/v1/voice/calls/${call.id}/listen`, {});
    expect(r.status, r.text).toBe(422);
    expect(JSON.stringify(r.body.error)).toContain('"to"');
    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    await Promise.all([caller.done, alice.done]);
  });
});
