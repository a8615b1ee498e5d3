// REGISTER as a client (RFC 3261 §10.2) on the in-memory stack: the request's fields, one
// Call-ID with CSeq counting up, the challenge answered once, the granted expiry read from the
// Contact's expires or from Expires, 423's Min-Expires, a timeout.
import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.js';
import { sipText, uaHarness, type UaHarness } from '../../test/helpers/sip-ua.js';
import type { RegisterOutcome } from './registration-client.js';

const REGISTRAR = { transport: 'UDP', address: '198.51.100.7', port: 5060 };

/** The registrar's answer to the last REGISTER sent, with `extra` header lines. */
function reply(req: SipRequest, status: string, extra: string[] = []): string {
  return sipText([
    `SIP/2.0 ${status}`,
    ...req.getAll('via').map((v) => `Via: ${v}`),
    `From: ${req.get('from')}`,
    `To: ${req.get('to')};tag=reg1`,
    `Call-ID: ${req.callId()}`,
    `CSeq: ${req.get('cseq')}`,
    ...extra,
  ]);
}

function sentRegister(h: UaHarness): SipRequest {
  const w = h.take().filter((x) => x.msg.isRequest && (x.msg as SipRequest).method === 'REGISTER');
  expect(w).toHaveLength(1);
  expect(w[0]!.to).toMatchObject(REGISTRAR);
  return w[0]!.msg as SipRequest;
}

async function setup() {
  const h = await uaHarness();
  const client = h.ua.registration({
    registrar: 'sip:trunk.example.net',
    aor: 'sip:acme@trunk.example.net',
    contactUser: 'acme',
    credentials: { username: 'acme', password: 'pw' },
  });
  return { h, client };
}

describe('RegistrationClient', () => {
  it('registers with digest and reads the expiry the registrar gave our Contact', async () => {
    const { h, client } = await setup();
    const done = client.register(600);
    await h.flush();
    const first = sentRegister(h);
    expect(first.uri).toBe('sip:trunk.example.net');
    expect(first.get('to')).toBe('<sip:acme@trunk.example.net>');
    expect(first.get('from')).toMatch(/^<sip:acme@trunk\.example\.net>;tag=/);
    expect(first.get('contact')).toMatch(/^<sip:acme@[^>;]+:\d+>$/);
    expect(first.get('expires')).toBe('600');
    expect(first.get('cseq')).toBe('1 REGISTER');

    await h.deliver(reply(first, '401 Unauthorized', ['WWW-Authenticate: Digest realm="carrier", nonce="n1", qop="auth"']), REGISTRAR);
    const second = sentRegister(h);
    expect(second.get('authorization')).toMatch(/^Digest username="acme", realm="carrier", nonce="n1"/);
    expect(second.get('cseq')).toBe('2 REGISTER');
    expect(second.callId()).toBe(first.callId());
    // Another binding of the AoR (someone else's) and ours: ours says 120, Expires says 3600.
    const contact = second.get('contact')!;
    await h.deliver(reply(second, '200 OK', ['Contact: <sip:other@203.0.113.9:5060>;expires=50', `Contact: ${contact};expires=120`, 'Expires: 3600']), REGISTRAR);
    expect(await done).toEqual({ status: 200, reason: 'OK', expires: 120, local: false });

    // The refresh: same Call-ID, the CSeq goes on from the one sent with credentials.
    const refresh = client.register(600);
    await h.flush();
    const third = sentRegister(h);
    expect(third.get('cseq')).toBe('3 REGISTER');
    expect(third.callId()).toBe(first.callId());
    await h.deliver(reply(third, '200 OK', ['Expires: 900']), REGISTRAR);
    expect((await refresh).expires).toBe(900);
  });

  it('reports a second challenge as the final answer (wrong credentials), and 423 with its Min-Expires', async () => {
    const { h, client } = await setup();
    const done = client.register(60);
    await h.flush();
    const first = sentRegister(h);
    await h.deliver(reply(first, '401 Unauthorized', ['WWW-Authenticate: Digest realm="carrier", nonce="n1", qop="auth"']), REGISTRAR);
    const second = sentRegister(h);
    await h.deliver(reply(second, '401 Unauthorized', ['WWW-Authenticate: Digest realm="carrier", nonce="n2", qop="auth"']), REGISTRAR);
    expect(await done).toMatchObject({ status: 401, expires: 0, local: false });

    const brief = client.register(60);
    await h.flush();
    await h.deliver(reply(sentRegister(h), '423 Interval Too Brief', ['Min-Expires: 1800']), REGISTRAR);
    expect(await brief).toMatchObject({ status: 423, minExpires: 1800, expires: 0 });
  });

  it('says 408 (made here) when the registrar never answers, and 503 for a name that does not resolve', async () => {
    const { h, client } = await setup();
    const done = client.register(60);
    await h.flush();
    sentRegister(h);
    let outcome: RegisterOutcome | undefined;
    void done.then((o) => (outcome = o));
    for (let i = 0; i < 70 && !outcome; i++) await h.advance(500);
    expect(outcome).toMatchObject({ status: 408, local: true, expires: 0 });

    const nowhere = h.ua.registration({ registrar: 'sip:nowhere.example.net', aor: 'sip:acme@nowhere.example.net' });
    expect(await nowhere.register(60)).toMatchObject({ status: 503, local: true });
  });
});
