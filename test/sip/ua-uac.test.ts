// The user agent as UAC over real sockets: it calls SIPp acting as a carrier or a
// phone (UAS scenarios), through an in-process SipStack on 127.0.0.1.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteOptions, OutboundCall } from '../../sip/ua/outbound-call.js';
import type { ReferProgress } from '../../sip/ua/refer-exchange.js';
import type { Termination } from '../../sip/ua/session-types.js';
import { freeUdpPort, nextEvent, SCENARIOS, SDP_ANSWER, sipp, startUaServer, withDirection, type SippRun, type UaServer } from '../helpers/sip-ua.js';

let server: UaServer;

beforeAll(async () => {
  server = await startUaServer();
});
afterAll(async () => {
  await server?.stop();
});

interface Placed {
  call: OutboundCall;
  sipp: SippRun;
  answered: Promise<{ sdp: string | undefined }>;
  failed: Promise<{ status: number; reason: string }>;
  ended: Promise<Termination>;
}

/** Starts a SIPp UAS scenario on a free port and calls it. */
async function callSipp(scenario: string, opts: Partial<InviteOptions> = {}): Promise<Placed> {
  const port = await freeUdpPort();
  const run = sipp(['-sf', path.join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-m', '1']);
  const call = server.ua.invite({ target: `sip:callee@127.0.0.1:${port}`, from: '"Switchboard" <sip:+15550001111@switchboard.test>', sdp: SDP_ANSWER, ...opts });
  const answered = nextEvent<{ sdp: string | undefined }>((cb) => call.on('answered', cb), 'answered');
  const failed = nextEvent<{ status: number; reason: string }>((cb) => call.on('failed', cb), 'failed');
  const ended = nextEvent<Termination>((cb) => call.on('terminated', cb), 'terminated', 20_000);
  // Whichever of answered/failed does not happen must not count as an unhandled rejection.
  answered.catch(() => undefined);
  failed.catch(() => undefined);
  return { call, sipp: run, answered, failed, ended };
}

describe('the user agent calls SIPp', () => {
  it('answers the carrier\'s 401 with the trunk credentials, is answered, ACKs, and hangs up with BYE', async () => {
    const p = await callSipp('ua-uas-auth.xml', { credentials: { username: 'trunkuser', password: 'trunkpw' } });
    const progress: number[] = [];
    p.call.on('progress', (e) => progress.push(e.status));
    const a = await p.answered;
    expect(a.sdp).toContain('o=carrier');
    expect(progress).toEqual([180]);
    expect(p.call.request!.get('authorization')).toMatch(/^Digest username="trunkuser", realm="carrier\.test"/);
    p.call.bye();
    expect(await p.ended).toEqual({ cause: 'bye-local' });
    const r = await p.sipp.done;
    expect(r.code, r.output).toBe(0); // the scenario checked the digest (verifyauth) and got ACK and BYE
  });

  it('reports a 486 as failed with that status', async () => {
    const p = await callSipp('ua-uas-busy.xml');
    expect(await p.failed).toMatchObject({ status: 486, reason: 'Busy Here' });
    expect(await p.ended).toEqual({ cause: 'rejected', status: 486, reason: 'Busy Here' });
    const r = await p.sipp.done;
    expect(r.code, r.output).toBe(0);
    expect(server.ua.size).toBe(0);
  });

  it('holds with a sendonly re-INVITE, transfers with REFER and hears its NOTIFYs, then BYE', async () => {
    const p = await callSipp('ua-uas-hold-refer.xml');
    await p.answered;
    const held = await p.call.reInvite(withDirection(SDP_ANSWER, 'sendonly'));
    expect(held.ok && held.sdp).toContain('a=recvonly');
    const progress: ReferProgress[] = [];
    const last = nextEvent<void>((cb) => p.call.on('referProgress', (e) => (progress.push(e), e.final && cb())), 'final NOTIFY');
    const referred = await p.call.refer('sip:carol@example.test');
    expect(referred).toMatchObject({ ok: true, status: 202 });
    await last;
    expect(progress.map((e) => [e.status, e.final])).toEqual([
      [100, false],
      [200, true],
    ]);
    p.call.bye();
    await p.ended;
    const r = await p.sipp.done;
    expect(r.code, r.output).toBe(0);
  });

  it('meets glare: refuses the crossing re-INVITE with 491, and retries its own after the §14.1 wait', async () => {
    const p = await callSipp('ua-uas-glare.xml');
    await p.answered;
    const offers: unknown[] = [];
    p.call.on('offer', (o) => offers.push(o));
    const result = await p.call.reInvite(withDirection(SDP_ANSWER, 'sendonly'));
    expect(result.ok).toBe(true);
    expect(offers).toEqual([]); // SIPp's crossing re-INVITE never reached the application
    p.call.bye();
    await p.ended;
    const r = await p.sipp.done;
    expect(r.code, r.output).toBe(0); // SIPp got its 491, and our second re-INVITE
  });
});
