// CANCEL (RFC 3261 §9.2) against the running server: 200 when it matches an INVITE
// transaction, 481 when it matches nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { UdpPeer } from '../helpers/sip-udp.js';

let sb: RunningServer;
let peer: UdpPeer;

beforeAll(async () => {
  sb = await startServer();
  peer = await UdpPeer.open();
});
afterAll(async () => {
  peer?.close();
  await sb?.stop();
});

const request = (method: string, branch: string, port: number) =>
  [
    `${method} sip:bob@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}`,
    'From: <sip:alice@127.0.0.1>;tag=c1',
    'To: <sip:bob@127.0.0.1>',
    `Call-ID: cancel-${branch}@127.0.0.1`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('CANCEL', () => {
  it('is answered 200 when it matches an INVITE, 481 when it matches nothing', async () => {
    await peer.send(request('INVITE', 'z9hG4bK-cancel-1', peer.port), sb.sipPort);
    expect((await peer.response(2000, 'cancel-z9hG4bK-cancel-1@127.0.0.1'))?.status).toBe(407);
    await peer.send(request('CANCEL', 'z9hG4bK-cancel-1', peer.port), sb.sipPort);
    // The 407 may be retransmitted meanwhile (nobody ACKs it here): wait for the CANCEL's answer.
    let ok;
    for (let i = 0; i < 5 && ok?.header('cseq') !== '1 CANCEL'; i++) ok = await peer.response(2000, 'cancel-z9hG4bK-cancel-1@127.0.0.1');
    expect(ok?.header('cseq')).toBe('1 CANCEL');
    expect(ok?.status).toBe(200);
    await peer.send(request('CANCEL', 'z9hG4bK-cancel-none', peer.port), sb.sipPort);
    expect((await peer.response(2000, 'cancel-z9hG4bK-cancel-none@127.0.0.1'))?.status).toBe(481);
  });
});
