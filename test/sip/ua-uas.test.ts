// The user agent as UAS over real sockets: SIPp calls an in-process SipStack +
// UserAgent whose test application answers with a canned SDP (a stand-in for the
// B2BUA, for these layer tests only), and a bare UDP peer checks wire details.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundCall } from '../../sip/ua/inbound-call.js';
import type { IncomingRefer } from '../../sip/ua/refer-exchange.js';
import type { DtmfEvent, Termination } from '../../sip/ua/session-types.js';
import { SCENARIOS, SDP_ANSWER, SDP_OFFER, sipText, sipp, startUaServer, withDirection, type UaServer } from '../helpers/sip-ua.js';
import { UdpPeer, type WireResponse } from '../helpers/sip-udp.js';

let server: UaServer;
let peer: UdpPeer;

interface Seen {
  call: InboundCall;
  dtmf: DtmfEvent[];
  holds: boolean[];
  refers: IncomingRefer[];
  events: string[];
  ended: Termination[];
}

const seen: Seen[] = [];

/**
 * The stand-in application. By the called user: "ring" only rings; "transfer" answers
 * and takes REFERs (202, then a final NOTIFY 200 a moment later); anyone else is
 * answered, and offers get the canned SDP (recvonly when the offer holds).
 */
function application(call: InboundCall): void {
  const s: Seen = { call, dtmf: [], holds: [], refers: [], events: [], ended: [] };
  seen.push(s);
  call.on('dtmf', (d) => s.dtmf.push(d));
  call.on('offer', (o) => {
    s.holds.push(o.hold);
    o.accept(withDirection(SDP_ANSWER, o.hold ? 'recvonly' : 'sendrecv'));
  });
  call.on('refer', (r) => {
    s.refers.push(r);
    r.accept();
    setTimeout(() => call.notifyReferProgress(200), 100);
  });
  call.on('cancelled', () => s.events.push('cancelled'));
  call.on('confirmed', () => s.events.push('confirmed'));
  call.on('terminated', (t) => s.ended.push(t));
  call.trying();
  call.ringing();
  if (call.request.requestUri()?.user !== 'ring') call.answer(SDP_ANSWER);
}

beforeAll(async () => {
  server = await startUaServer();
  server.ua.onInvite = application;
  peer = await UdpPeer.open();
});
afterAll(async () => {
  peer?.close();
  await server?.stop();
});

function runScenario(file: string, user: string, transport: 'u1' | 't1' = 'u1') {
  const port = transport === 'u1' ? server.udpPort : server.tcpPort;
  return sipp(['-sf', path.join(SCENARIOS, file), '-s', user, '-i', '127.0.0.1', '-p', '0', '-t', transport, '-m', '1', `127.0.0.1:${port}`]).done;
}

describe('SIPp calls the user agent', () => {
  for (const transport of ['u1', 't1'] as const) {
    it(`INVITE/100/180/200/ACK, INFO dtmf-relay, hold re-INVITE answered recvonly, BYE (${transport === 'u1' ? 'UDP' : 'TCP'})`, async () => {
      const before = seen.length;
      const r = await runScenario('ua-uac-call.xml', '+15550001111', transport);
      expect(r.code, r.output).toBe(0); // sipp exits 0 only when the call went as the scenario says
      const s = seen[before]!;
      expect(s.call.source.transport).toBe(transport === 'u1' ? 'UDP' : 'TCP');
      expect(s.events).toEqual(['confirmed']);
      expect(s.dtmf).toEqual([{ digit: '5', durationMs: 160 }]);
      expect(s.holds).toEqual([true]);
      expect(s.ended).toEqual([{ cause: 'bye-remote' }]);
      expect(server.ua.size).toBe(0);
      expect(server.ua.dialogs.size).toBe(0);
    });
  }

  it('CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE', async () => {
    const before = seen.length;
    const r = await runScenario('ua-uac-cancel.xml', 'ring');
    expect(r.code, r.output).toBe(0);
    const s = seen[before]!;
    expect(s.events).toEqual(['cancelled']);
    expect(s.ended).toEqual([{ cause: 'cancel', status: 487 }]);
    expect(s.call.answer(SDP_ANSWER)).toBe(false);
  });

  it('REFER: 202, NOTIFY sipfrag 100 Trying, then NOTIFY 200 OK ending the subscription', async () => {
    const before = seen.length;
    const r = await runScenario('ua-uac-refer.xml', 'transfer');
    expect(r.code, r.output).toBe(0);
    const s = seen[before]!;
    expect(s.refers.map((x) => x.target)).toEqual(['sip:carol@example.test']);
    expect(s.refers[0]!.referredBy).toMatch(/^<sip:sipp@127\.0\.0\.1:\d+>$/);
    expect(s.refers[0]!.subscription).toBe('terminated');
    expect(s.ended).toEqual([{ cause: 'bye-remote' }]);
  });
});

describe('wire details with a bare UDP peer', () => {
  const invite = (callId: string, branch: string): string =>
    sipText(
      [
        `INVITE sip:someone@127.0.0.1:${server.udpPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1>;tag=p1`,
        `To: <sip:someone@127.0.0.1>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:probe@127.0.0.1:${peer.port}>`,
        'Content-Type: application/sdp',
      ],
      SDP_OFFER,
    );
  const inDialog = (method: string, callId: string, toTag: string, cseq: number, branch: string): string =>
    sipText([
      `${method} sip:someone@127.0.0.1:${server.udpPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=p1',
      `To: <sip:someone@127.0.0.1>;tag=${toTag}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
    ]);

  it('resends the 200 until the ACK comes, and not after it (§13.3.1.4)', async () => {
    const callId = 'rtx-200@127.0.0.1';
    await peer.send(invite(callId, 'z9hG4bK-rtx1'), server.udpPort);
    const oks: WireResponse[] = [];
    for (let i = 0; i < 10 && oks.length < 3; i++) {
      const r = await peer.response(3000, callId);
      if (!r) break;
      if (r.status === 200) oks.push(r);
    }
    // T1 = 500 ms: sent at 0, 0.5 and 1.5 s, the same response every time.
    expect(oks).toHaveLength(3);
    expect(new Set(oks.map((o) => o.raw)).size).toBe(1);
    const tag = /tag=([^;>\s]+)/.exec(oks[0]!.header('to')!)![1]!;
    await peer.send(inDialog('ACK', callId, tag, 1, 'z9hG4bK-rtx-ack'), server.udpPort);
    // The next resend would have been at 3.5 s.
    expect(await peer.response(2500, callId)).toBeUndefined();
    await peer.send(inDialog('BYE', callId, tag, 2, 'z9hG4bK-rtx-bye'), server.udpPort);
    expect((await peer.response(2000, callId))?.status).toBe(200);
  });

  it('answers a BYE for a dialog it does not have with 481 (§12.2.2)', async () => {
    await peer.send(inDialog('BYE', 'no-such-call@127.0.0.1', 'nope', 2, 'z9hG4bK-bye481'), server.udpPort);
    const r = await peer.response(2000, 'no-such-call@127.0.0.1');
    expect(r?.status).toBe(481);
    expect(r?.header('cseq')).toBe('2 BYE');
  });
});
