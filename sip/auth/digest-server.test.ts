// The digest server as a registrar uses it: what a client gets back for each kind of
// credential, with the client of digest-client.ts answering the real challenges.
import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import type { Peer } from '../transaction/transaction-layer.js';
import { ha1Of, MD5, SHA256 } from './digest-algorithm.js';
import { answerChallenge, DigestClientState } from './digest-client.js';
import { parseAuthHeader } from './digest-params.js';
import { DigestServer, type DigestServerOptions, type Ha1Record, type VerifyResult } from './digest-server.js';

const REALM = 'example.com';
const T0 = 1_700_000_000_000;
const PASSWORDS: Record<string, string> = { alice: 'wonderland', bob: 'builder' };
const SOURCE: Peer = { transport: 'UDP', address: '192.0.2.10', port: 5060 };

let cseq = 1;
function request(headers: [string, string][] = [], uri = 'sip:example.com', method = 'REGISTER'): SipRequest {
  let text =
    `${method} ${uri} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${cseq}\r\n` +
    `From: <sip:alice@example.com>;tag=f1\r\n` +
    `To: <sip:alice@example.com>\r\n` +
    `Call-ID: reg-1@192.0.2.10\r\n` +
    `CSeq: ${cseq++} ${method}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return parseMessage(Buffer.from(`${text}Content-Length: 0\r\n\r\n`)) as SipRequest;
}

function setup(opts: Partial<DigestServerOptions> = {}) {
  const clock = { t: T0 };
  const logs: Record<string, unknown>[] = [];
  const lookedUp: string[] = [];
  const server = new DigestServer({
    secret: 'test-secret-0123456789abcdef',
    now: () => clock.t,
    log: {
      warn: (obj, msg) => logs.push({ level: 'warn', ...obj, msg }),
      info: (obj, msg) => logs.push({ level: 'info', ...obj, msg }),
    },
    ...opts,
  });
  const lookup = async (username: string, realm: string): Promise<Ha1Record | undefined> => {
    lookedUp.push(username);
    const password = PASSWORDS[username];
    if (password === undefined || realm !== REALM) return undefined;
    return { ha1Md5: ha1Of(MD5, username, realm, password), ha1Sha256: ha1Of(SHA256, username, realm, password) };
  };
  const verify = (req: SipRequest, source: Peer = SOURCE, proxy = false) => server.verify(req, { realm: REALM, source, proxy, lookup });
  return { server, clock, logs, lookedUp, verify };
}

type Setup = ReturnType<typeof setup>;

function fail(r: VerifyResult) {
  if (r.ok) throw new Error('expected a rejection');
  return r;
}

/** The challenge params of a rejection, per header value. */
function challenges(r: VerifyResult) {
  return fail(r).headers.map(([name, value]) => ({ name, params: parseAuthHeader(value)[0]!.params }));
}

/** Answers the challenge in `rejection` (sent for `req`) with the given password. */
function answer(
  rejection: VerifyResult,
  req: SipRequest,
  username: string,
  password: string,
  opts: { state?: DigestClientState; onlyMd5?: boolean } = {},
): [string, string] {
  const r = fail(rejection);
  const headers = opts.onlyMd5 ? r.headers.filter(([, v]) => /algorithm=MD5\b/.test(v)) : r.headers;
  const res = createResponse(req, r.status, { headers });
  const [a] = answerChallenge(res, req, { username, password }, opts.state ?? new DigestClientState());
  return [a!.header, a!.value];
}

/** A full REGISTER → 401 → REGISTER exchange; the second verify's result. */
async function login(s: Setup, username: string, password: string, source: Peer = SOURCE, onlyMd5 = false) {
  const first = request();
  const challenge = await s.verify(first, source);
  return s.verify(request([answer(challenge, first, username, password, { onlyMd5 })]), source);
}

describe('challenges', () => {
  it('answers a request without credentials with 401: SHA-256 then MD5, one fresh nonce, qop=auth', async () => {
    const s = setup();
    const r = fail(await s.verify(request()));
    expect(r.status).toBe(401);
    expect(r.outcome).toBe('no_credentials');
    const cs = challenges(r);
    expect(cs.map((c) => c.name)).toEqual(['WWW-Authenticate', 'WWW-Authenticate']);
    expect(cs.map((c) => c.params.get('algorithm'))).toEqual(['SHA-256', 'MD5']);
    for (const c of cs) {
      expect(c.params.get('realm')).toBe(REALM);
      expect(c.params.get('qop')).toBe('auth');
      expect(c.params.has('stale')).toBe(false);
    }
    expect(cs[0]!.params.get('nonce')).toBe(cs[1]!.params.get('nonce'));
    const again = challenges(await s.verify(request()));
    expect(again[0]!.params.get('nonce')).not.toBe(cs[0]!.params.get('nonce'));
  });

  it('challenges with 407 Proxy-Authenticate in proxy mode and reads only Proxy-Authorization', async () => {
    const s = setup();
    const first = request([], 'sip:bob@example.com', 'INVITE');
    const r = await s.verify(first, SOURCE, true);
    expect(fail(r).status).toBe(407);
    expect(challenges(r).map((c) => c.name)).toEqual(['Proxy-Authenticate', 'Proxy-Authenticate']);
    const [header, value] = answer(r, first, 'alice', 'wonderland');
    expect(header).toBe('Proxy-Authorization');
    const ok = await s.verify(request([[header, value]], 'sip:bob@example.com', 'INVITE'), SOURCE, true);
    expect(ok).toEqual({ ok: true, username: 'alice', algorithm: 'SHA-256' });
    // The same credentials in Authorization do not satisfy a proxy challenge.
    const wrongHeader = await s.verify(request([['Authorization', value]], 'sip:bob@example.com', 'INVITE'), SOURCE, true);
    expect(fail(wrongHeader).outcome).toBe('no_credentials');
  });

  it('offers the configured algorithms in the configured order, and accepts only those', async () => {
    const md5First = setup({ algorithms: ['MD5', 'SHA-256'] });
    expect(challenges(await md5First.verify(request())).map((c) => c.params.get('algorithm'))).toEqual(['MD5', 'SHA-256']);
    expect(await login(md5First, 'alice', 'wonderland')).toEqual({ ok: true, username: 'alice', algorithm: 'SHA-256' });

    const md5Only = setup({ algorithms: ['MD5'] });
    const first = request();
    const r = await md5Only.verify(first);
    expect(challenges(r).map((c) => c.params.get('algorithm'))).toEqual(['MD5']);
    expect(await md5Only.verify(request([answer(r, first, 'alice', 'wonderland')]))).toMatchObject({ ok: true, algorithm: 'MD5' });
    // A SHA-256 credential (for a challenge this server would not send) is refused.
    const sha = setup();
    const shaCred = answer(await sha.verify(first), first, 'alice', 'wonderland');
    expect(fail(await md5Only.verify(request([shaCred]))).status).toBe(400);

    for (const bad of [[], ['MD5', 'MD5'], ['SHA-512-256']]) {
      expect(() => setup({ algorithms: bad as never })).toThrow(RangeError);
    }
  });

  it('quotes a realm that contains quotes', () => {
    const s = setup();
    const [name, values] = s.server.challenge('the "best" realm');
    expect(name).toBe('WWW-Authenticate');
    expect(parseAuthHeader(values[0]!)[0]!.params.get('realm')).toBe('the "best" realm');
  });
});

describe('verification', () => {
  it('accepts the right password with SHA-256 and with MD5', async () => {
    const s = setup();
    expect(await login(s, 'alice', 'wonderland')).toEqual({ ok: true, username: 'alice', algorithm: 'SHA-256' });
    expect(await login(s, 'bob', 'builder', SOURCE, true)).toEqual({ ok: true, username: 'bob', algorithm: 'MD5' });
  });

  it('checks the RFC 7616 §3.9.1 example: its digests are right (stale, since the nonce is not ours)', async () => {
    const rfcRealm = 'http-auth@example.org';
    const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
    const common =
      `realm="${rfcRealm}", uri="/dir/index.html", nonce="${nonce}", nc=00000001, ` +
      'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const vectors = [
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ];
    for (const password of ['Circle of Life', 'Circle of Death']) {
      for (const [alg, response] of vectors) {
        const s = setup();
        const lookup = async (u: string, r: string) =>
          u === 'Mufasa' && r === rfcRealm ? { ha1Md5: ha1Of(MD5, u, r, password), ha1Sha256: ha1Of(SHA256, u, r, password) } : undefined;
        const req = request([['Authorization', `Digest username="Mufasa", ${common}, algorithm=${alg}, response="${response}"`]], '/dir/index.html', 'GET');
        const r = fail(await s.server.verify(req, { realm: rfcRealm, source: SOURCE, lookup }));
        expect(r.status).toBe(401);
        if (password === 'Circle of Life') {
          expect(r.outcome, alg).toBe('bad_nonce');
          expect(challenges(r)[0]!.params.get('stale')).toBe('true');
        } else {
          expect(r.outcome, alg).toBe('bad_password');
          expect(challenges(r)[0]!.params.has('stale')).toBe(false);
        }
      }
    }
  });

  it('gives a wrong password and an unknown user the same answer', async () => {
    const s = setup();
    const wrong = fail(await login(s, 'alice', 'not-her-password'));
    const unknown = fail(await login(s, 'mallory', 'wonderland'));
    const shape = (r: typeof wrong) => ({
      status: r.status,
      reason: r.reason,
      names: r.headers.map(([n]) => n),
      params: challenges(r).map((c) => [...c.params].filter(([k]) => k !== 'nonce')),
    });
    expect(shape(wrong)).toEqual(shape(unknown));
    expect(shape(wrong).status).toBe(401);
    expect(challenges(wrong)[0]!.params.has('stale')).toBe(false);
    expect(challenges(wrong)[0]!.params.get('nonce')).not.toBe(challenges(unknown)[0]!.params.get('nonce'));
    expect([wrong.outcome, unknown.outcome]).toEqual(['bad_password', 'unknown_user']);
  });

  it('says stale=true for an expired nonce with the right password, and the retry succeeds', async () => {
    const s = setup();
    const first = request();
    const challenge = await s.verify(first);
    s.clock.t += 5 * 60_000 + 1;
    const retryReq = request([answer(challenge, first, 'alice', 'wonderland')]);
    const stale = await s.verify(retryReq);
    expect(fail(stale).outcome).toBe('stale_nonce');
    expect(challenges(stale).map((c) => c.params.get('stale'))).toEqual(['true', 'true']);
    const ok = await s.verify(request([answer(stale, retryReq, 'alice', 'wonderland')]));
    expect(ok.ok).toBe(true);
  });

  it('does not say stale for an expired nonce with a wrong password', async () => {
    const s = setup();
    const first = request();
    const challenge = await s.verify(first);
    s.clock.t += 5 * 60_000 + 1;
    const r = fail(await s.verify(request([answer(challenge, first, 'alice', 'guess')])));
    expect(r.outcome).toBe('bad_password');
    expect(challenges(r)[0]!.params.has('stale')).toBe(false);
  });

  it('refuses a forged nonce, and survives garbage nonces', async () => {
    const s = setup();
    const first = request();
    const r = fail(await s.verify(first));
    const nonce = challenges(r)[0]!.params.get('nonce')!;
    const forged = nonce.slice(0, 10) + (nonce[10] === 'x' ? 'y' : 'x') + nonce.slice(11);
    for (const bad of [forged, '', 'x', '\\"', 'A'.repeat(4000), '../../etc/passwd']) {
      const fake = createResponse(first, 401, { headers: [['WWW-Authenticate', `Digest realm="${REALM}", nonce="${bad.replace(/["\\]/g, '\\$&')}", algorithm=SHA-256, qop="auth"`]] });
      const [a] = answerChallenge(fake, first, { username: 'alice', password: 'wonderland' }, new DigestClientState());
      const res = fail(await s.verify(request([[a!.header, a!.value]])));
      expect(res.status).toBe(401);
      expect(res.outcome).toBe('bad_nonce');
    }
  });

  it('refuses a nonce issued for another realm', async () => {
    const s = setup();
    const first = request();
    const [, values] = s.server.challenge('other.example');
    const fake = createResponse(first, 401, { headers: [['WWW-Authenticate', values[0]!.replace('other.example', REALM)]] });
    const [a] = answerChallenge(fake, first, { username: 'alice', password: 'wonderland' }, new DigestClientState());
    expect(fail(await s.verify(request([[a!.header, a!.value]]))).outcome).toBe('bad_nonce');
  });

  it('refuses a replayed nonce count and a lower one, accepts a higher one', async () => {
    const s = setup();
    const first = request();
    const challenge = await s.verify(first);
    const state = new DigestClientState();
    const nc1 = answer(challenge, first, 'alice', 'wonderland', { state });
    const nc2 = answer(challenge, first, 'alice', 'wonderland', { state });
    const nc3 = answer(challenge, first, 'alice', 'wonderland', { state });
    expect(nc2[1]).toContain('nc=00000002');
    expect((await s.verify(request([nc2]))).ok).toBe(true);
    const replay = fail(await s.verify(request([nc2])));
    expect(replay.outcome).toBe('nc_replay');
    expect(challenges(replay)[0]!.params.get('stale')).toBe('true');
    expect(fail(await s.verify(request([nc1]))).outcome).toBe('nc_replay');
    expect((await s.verify(request([nc3]))).ok).toBe(true);
  });

  it('does not re-accept a forgotten nonce when the count table is full', async () => {
    const s = setup({ maxTrackedNonces: 2 });
    const states = [new DigestClientState(), new DigestClientState(), new DigestClientState()];
    const firsts = [request(), request(), request()];
    const chs: VerifyResult[] = [];
    for (const f of firsts) {
      chs.push(await s.verify(f));
      s.clock.t += 1;
    }
    for (let i = 0; i < 3; i++) expect((await s.verify(request([answer(chs[i]!, firsts[i]!, 'alice', 'wonderland', { state: states[i] })]))).ok).toBe(true);
    // The first nonce's count was evicted; its next count must not be taken on trust.
    const again = fail(await s.verify(request([answer(chs[0]!, firsts[0]!, 'alice', 'wonderland', { state: states[0] })])));
    expect(again.outcome).toBe('nc_replay');
    // The third is still tracked and goes on counting.
    expect((await s.verify(request([answer(chs[2]!, firsts[2]!, 'alice', 'wonderland', { state: states[2] })]))).ok).toBe(true);
  });

  it('answers 400 when the credential uri is not the Request-URI, accepting an equivalent spelling', async () => {
    const s = setup();
    const first = request([], 'sip:example.com');
    const challenge = await s.verify(first);
    const cred = answer(challenge, first, 'alice', 'wonderland');
    const moved = fail(await s.verify(request([cred], 'sip:other.example.com')));
    expect([moved.status, moved.outcome]).toEqual([400, 'uri_mismatch']);
    expect((await s.verify(request([cred], 'sip:EXAMPLE.com')))).toMatchObject({ ok: true });
    const lax = setup({ checkDigestUri: false });
    const first2 = request([], 'sip:example.com');
    const cred2 = answer(await lax.verify(first2), first2, 'alice', 'wonderland');
    expect((await lax.verify(request([cred2], 'sip:other.example.com'))).ok).toBe(true);
  });

  it('accepts an RFC 2069 (no qop) MD5 credential once per nonce, and never for SHA-256', async () => {
    const s = setup();
    const first = request();
    const nonce = challenges(await s.verify(first))[0]!.params.get('nonce')!;
    const noQop = createResponse(first, 401, { headers: [['WWW-Authenticate', `Digest realm="${REALM}", nonce="${nonce}"`]] });
    const [a] = answerChallenge(noQop, first, { username: 'alice', password: 'wonderland' }, new DigestClientState());
    expect(a!.value).not.toContain('qop=');
    expect(await s.verify(request([[a!.header, a!.value]]))).toEqual({ ok: true, username: 'alice', algorithm: 'MD5' });
    expect(fail(await s.verify(request([[a!.header, a!.value]]))).outcome).toBe('nc_replay');

    const sha = createResponse(first, 401, { headers: [['WWW-Authenticate', `Digest realm="${REALM}", nonce="${nonce}", algorithm=SHA-256`]] });
    const [b] = answerChallenge(sha, first, { username: 'alice', password: 'wonderland' }, new DigestClientState());
    expect(fail(await s.verify(request([[b!.header, b!.value]]))).status).toBe(400);

    const strict = setup({ acceptRfc2069: false });
    expect(fail(await strict.verify(request([[a!.header, a!.value]]))).status).toBe(400);
  });

  it('answers 400 to malformed credentials without looking anyone up', async () => {
    const s = setup();
    const bad = [
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com"`,
      `Digest username="alice", realm="${REALM}", nonce="n, uri="sip:example.com", response="x"`,
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com", response="x", algorithm=SHA-512-256, qop=auth, nc=00000001, cnonce="c"`,
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com", response="x", algorithm=SHA-256, qop=auth-int, nc=00000001, cnonce="c"`,
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com", response="x", qop=auth, nc=1, cnonce="c"`,
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com", response="x", qop=auth, nc=00000000, cnonce="c"`,
      `Digest username="alice", realm="${REALM}", nonce="n", uri="sip:example.com", response="x", qop=auth, nc=00000001`,
    ];
    for (const value of bad) {
      const r = fail(await s.verify(request([['Authorization', value]])));
      expect(r.status, value).toBe(400);
      expect(r.reason).toBeTruthy();
    }
    expect(s.lookedUp).toEqual([]);
  });

  it('uses the credentials for its own realm among several and ignores other realms', async () => {
    const s = setup();
    const first = request();
    const ours = answer(await s.verify(first), first, 'alice', 'wonderland');
    const theirs: [string, string] = ['Authorization', 'Digest username="x", realm="carrier.example", nonce="n", uri="sip:example.com", response="0"'];
    expect((await s.verify(request([theirs, ours]))).ok).toBe(true);
    expect(fail(await s.verify(request([theirs]))).outcome).toBe('no_credentials');
    expect(fail(await s.verify(request([['Authorization', 'Basic YWxpY2U6d29uZGVybGFuZA==']]))).status).toBe(401);
  });
});

describe('robustness', () => {
  it('never throws on mutated credentials and always answers 400, 401 or 200', async () => {
    const s = setup({ lockout: false });
    const first = request();
    const [name, value] = answer(await s.verify(first), first, 'alice', 'wonderland');
    // A small deterministic PRNG: the same mutations on every run.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['"', '\\', ',', '=', ' ', 'a', '0', '\r\n', 'Digest ', 'é', '\0'];
    const statuses = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      let v = value;
      for (let k = 1 + rand(3); k > 0; k--) {
        const at = rand(v.length + 1);
        const op = rand(3);
        if (op === 0) v = v.slice(0, at) + v.slice(at + 1 + rand(8));
        else if (op === 1) v = v.slice(0, at) + alphabet[rand(alphabet.length)] + v.slice(at);
        else v = v.slice(0, at) + v.slice(at, at + rand(30)).repeat(2) + v.slice(at);
      }
      const req = request([[name, v.replace(/[\r\n]/g, ' ')]]);
      const r = await s.verify(req);
      statuses.add(r.ok ? 200 : r.status);
    }
    expect([...statuses].every((st) => [200, 400, 401].includes(st))).toBe(true);
    expect(statuses.has(400) && statuses.has(401)).toBe(true);
  });
});

describe('lockout', () => {
  it('locks an account after 5 failures: 403 without checking even the right password, then lets it in', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) {
      const src = { ...SOURCE, address: `198.51.100.${i + 1}` };
      expect(fail(await login(s, 'alice', `guess${i}`, src)).status).toBe(401);
    }
    const lookups = s.lookedUp.length;
    const locked = fail(await login(s, 'alice', 'wonderland', { ...SOURCE, address: '198.51.100.99' }));
    expect([locked.status, locked.outcome, locked.headers]).toEqual([403, 'locked', []]);
    expect(s.lookedUp.length).toBe(lookups);
    expect(s.logs.filter((l) => l.event === 'sip_auth_lockout')).toEqual([
      expect.objectContaining({ ip: '198.51.100.5', user: 'alice', realm: REALM, scope: 'account', backoff_s: 30, lockouts: 1 }),
    ]);
    s.clock.t += 30_000;
    expect((await login(s, 'alice', 'wonderland')).ok).toBe(true);
  });

  it('locks unknown accounts exactly like known ones', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) await login(s, 'mallory', `guess${i}`, { ...SOURCE, address: `198.51.100.${i + 1}` });
    const r = fail(await login(s, 'mallory', 'anything'));
    expect([r.status, r.headers]).toEqual([403, []]);
  });

  it('doubles the backoff on the next lockout, and a success resets it', async () => {
    const s = setup();
    const burst = async () => {
      for (let i = 0; i < 5; i++) await login(s, 'alice', 'guess', { ...SOURCE, address: `198.51.100.${i + 1}` });
    };
    await burst();
    s.clock.t += 30_000;
    await burst();
    s.clock.t += 59_999;
    expect(fail(await login(s, 'alice', 'wonderland')).status).toBe(403);
    s.clock.t += 1;
    expect((await login(s, 'alice', 'wonderland')).ok).toBe(true);
    await burst();
    expect(s.logs.filter((l) => l.event === 'sip_auth_lockout').map((l) => l.backoff_s)).toEqual([30, 60, 30]);
  });

  it('locks a source address after 20 failures over many accounts, even for requests without credentials', async () => {
    const s = setup();
    const first = request();
    const goodCred = answer(await s.verify(first), first, 'alice', 'wonderland');
    for (let i = 0; i < 20; i++) await login(s, `user${i}`, 'guess');
    const r = fail(await s.verify(request()));
    expect([r.status, r.headers]).toEqual([403, []]);
    const lookups = s.lookedUp.length;
    expect(fail(await s.verify(request([goodCred]))).status).toBe(403);
    expect(s.lookedUp.length).toBe(lookups);
    const elsewhere = { ...SOURCE, address: '203.0.113.50' };
    expect((await login(s, 'alice', 'wonderland', elsewhere)).ok).toBe(true);
    expect(s.logs.filter((l) => l.event === 'sip_auth_lockout')).toEqual([expect.objectContaining({ scope: 'address', ip: SOURCE.address })]);
  });

  it('can be switched off', async () => {
    const s = setup({ lockout: false });
    for (let i = 0; i < 30; i++) await login(s, 'alice', 'guess');
    expect((await login(s, 'alice', 'wonderland')).ok).toBe(true);
  });
});

describe('security log', () => {
  it('writes one line per failure with the address, user, realm and reason', async () => {
    const s = setup();
    await login(s, 'alice', 'guess');
    await login(s, 'mallory', 'guess');
    const first = request();
    const challenge = await s.verify(first);
    const cred = answer(challenge, first, 'alice', 'wonderland');
    await s.verify(request([cred]));
    await s.verify(request([cred]));
    await s.verify(request([cred], 'sip:elsewhere.example'));
    s.clock.t += 10 * 60_000;
    await s.verify(request([answer(challenge, first, 'alice', 'wonderland')]));
    expect(s.logs.map((l) => [l.level, l.event, l.ip, l.user, l.realm, l.reason, l.msg])).toEqual([
      ['warn', 'sip_auth_failed', SOURCE.address, 'alice', REALM, 'bad_password', 'sip auth failed'],
      ['warn', 'sip_auth_failed', SOURCE.address, 'mallory', REALM, 'unknown_user', 'sip auth failed'],
      ['warn', 'sip_auth_failed', SOURCE.address, 'alice', REALM, 'nc_replay', 'sip auth failed'],
      ['warn', 'sip_auth_failed', SOURCE.address, 'alice', REALM, 'uri_mismatch', 'sip auth failed'],
      ['info', 'sip_auth_failed', SOURCE.address, 'alice', REALM, 'stale_nonce', 'sip auth failed'],
    ]);
  });

  it('logs nothing for a plain challenge or a success', async () => {
    const s = setup();
    await login(s, 'alice', 'wonderland');
    expect(s.logs).toEqual([]);
  });
});
