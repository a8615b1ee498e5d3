// CANCEL (RFC 3261 §9.2) against the running server: 200 when it matches an INVITE
// transaction, 481 when it matches nothing.
import { describe, expect, it } from 'vitest';
import { useServerAndPeer } from '../helpers/sip-server.js';
import { simpleRequest } from '../helpers/sip-udp.js';

const t = useServerAndPeer();

const request = (method: string, branch: string, port: number) =>
  simpleRequest({ method, port, branch, callId: `cancel-${branch}@127.0.0.1` });

describe('CANCEL', () => {
  it('is answered 200 when it matches an INVITE, 481 when it matches nothing', async () => {
    const { sb, peer } = t;
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
