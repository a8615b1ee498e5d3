// The client answering carriers' challenges: what goes into the retried request.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { answerChallenge, DigestClientState } from './digest-client.js';
import { parseAuthHeader } from './digest-params.js';

const RFC_REALM = 'http-auth@example.org';
const RFC_NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const RFC_OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const RFC_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const MUFASA = { username: 'Mufasa', password: 'Circle of Life' };

function request(method = 'REGISTER', uri = 'sip:carrier.example', body = ''): SipRequest {
  const text =
    `${method} ${uri} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n` +
    `From: <sip:trunk@carrier.example>;tag=t1\r\n` +
    `To: <sip:trunk@carrier.example>\r\n` +
    `Call-ID: c1@192.0.2.1\r\n` +
    `CSeq: 1 ${method}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function challenge(req: SipRequest, status: number, values: string[]): SipResponse {
  const name = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return createResponse(req, status, { headers: values.map((v): [string, string] => [name, v]) });
}

function rfcChallenge(alg: string): string {
  return `Digest realm="${RFC_REALM}", qop="auth, auth-int", algorithm=${alg}, nonce="${RFC_NONCE}", opaque="${RFC_OPAQUE}"`;
}

function params(value: string): Record<string, string> {
  const [c] = parseAuthHeader(value);
  expect(c!.scheme).toBe('Digest');
  return Object.fromEntries(c!.params);
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

describe('answerChallenge', () => {
  it('reproduces the RFC 7616 §3.9.1 example, choosing SHA-256 over MD5', () => {
    const req = request('GET', '/dir/index.html');
    const res = challenge(req, 401, [rfcChallenge('SHA-256'), rfcChallenge('MD5')]);
    const answers = answerChallenge(res, req, MUFASA, new DigestClientState({ cnonce: () => RFC_CNONCE }));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.header).toBe('Authorization');
    expect(answers[0]!.algorithm).toBe('SHA-256');
    expect(params(answers[0]!.value)).toEqual({
      username: 'Mufasa',
      realm: RFC_REALM,
      nonce: RFC_NONCE,
      uri: '/dir/index.html',
      response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
      algorithm: 'SHA-256',
      qop: 'auth',
      nc: '00000001',
      cnonce: RFC_CNONCE,
      opaque: RFC_OPAQUE,
    });
  });

  it('reproduces the RFC 7616 §3.9.1 MD5 response when only MD5 is offered', () => {
    const req = request('GET', '/dir/index.html');
    const [a] = answerChallenge(challenge(req, 401, [rfcChallenge('MD5')]), req, MUFASA, new DigestClientState({ cnonce: () => RFC_CNONCE }));
    expect(params(a!.value).response).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(params(a!.value).algorithm).toBe('MD5');
  });

  it('takes the strongest algorithm whatever the order of the challenges', () => {
    const req = request();
    const values = ['MD5', 'SHA-256', 'MD5-sess'].map((alg) => `Digest realm="c", nonce="n", algorithm=${alg}, qop="auth"`);
    expect(answerChallenge(challenge(req, 401, values), req, MUFASA, new DigestClientState()).map((a) => a.algorithm)).toEqual(['SHA-256']);
    const withStronger = [...values, 'Digest realm="c", nonce="n", algorithm=SHA-512-256, qop="auth"'];
    expect(answerChallenge(challenge(req, 401, withStronger), req, MUFASA, new DigestClientState())[0]!.algorithm).toBe('SHA-512-256');
  });

  it('counts requests per nonce and starts again at 1 for a new nonce, with a new cnonce each time', () => {
    const req = request();
    const state = new DigestClientState();
    const res1 = challenge(req, 401, ['Digest realm="c", nonce="n1", algorithm=SHA-256, qop="auth"']);
    const a = params(answerChallenge(res1, req, MUFASA, state)[0]!.value);
    const b = params(answerChallenge(res1, req, MUFASA, state)[0]!.value);
    const res2 = challenge(req, 401, ['Digest realm="c", nonce="n2", algorithm=SHA-256, qop="auth"']);
    const c = params(answerChallenge(res2, req, MUFASA, state)[0]!.value);
    expect([a.nc, b.nc, c.nc]).toEqual(['00000001', '00000002', '00000001']);
    expect(a.cnonce).not.toBe(b.cnonce);
    expect(a.response).not.toBe(b.response);
  });

  it('answers a 407 with Proxy-Authorization, one credential per challenging realm', () => {
    const req = request('INVITE', 'sip:+15551234567@carrier.example');
    const res = challenge(req, 407, [
      'Digest realm="edge.carrier.example", nonce="a", algorithm=MD5, qop="auth"',
      'Digest realm="core.carrier.example", nonce="b", algorithm=SHA-256, qop="auth"',
    ]);
    const answers = answerChallenge(res, req, MUFASA, new DigestClientState());
    expect(answers.map((a) => [a.header, a.realm, a.algorithm])).toEqual([
      ['Proxy-Authorization', 'edge.carrier.example', 'MD5'],
      ['Proxy-Authorization', 'core.carrier.example', 'SHA-256'],
    ]);
    expect(params(answers[0]!.value).uri).toBe('sip:+15551234567@carrier.example');
  });

  it('quotes usernames with quotes and backslashes so the server reads them back', () => {
    const req = request();
    const creds = { username: 'ali"ce\\x', password: 'p' };
    const [a] = answerChallenge(challenge(req, 401, ['Digest realm="c", nonce="n", qop="auth"']), req, creds, new DigestClientState());
    expect(params(a!.value).username).toBe('ali"ce\\x');
  });

  it('reports stale=true so the caller knows to retry rather than give up', () => {
    const req = request();
    const [a] = answerChallenge(challenge(req, 401, ['Digest realm="c", nonce="n", qop="auth", stale=TRUE']), req, MUFASA, new DigestClientState());
    expect(a!.stale).toBe(true);
    const [b] = answerChallenge(challenge(req, 401, ['Digest realm="c", nonce="n", qop="auth"']), req, MUFASA, new DigestClientState());
    expect(b!.stale).toBe(false);
  });

  it('answers an RFC 2069 challenge (no qop) without nc or cnonce', () => {
    const req = request();
    const [a] = answerChallenge(challenge(req, 401, ['Digest realm="c", nonce="n"']), req, MUFASA, new DigestClientState());
    const p = params(a!.value);
    expect(p.nc).toBeUndefined();
    expect(p.cnonce).toBeUndefined();
    const ha1 = md5('Mufasa:c:Circle of Life');
    expect(p.response).toBe(md5(`${ha1}:n:${md5('REGISTER:sip:carrier.example')}`));
  });

  it('uses auth-int, hashing the body, when that is the only qop offered', () => {
    const req = request('MESSAGE', 'sip:carrier.example', 'hello');
    const [a] = answerChallenge(challenge(req, 401, ['Digest realm="c", nonce="n", qop="auth-int"']), req, MUFASA, new DigestClientState({ cnonce: () => 'cn' }));
    const p = params(a!.value);
    expect(p.qop).toBe('auth-int');
    const ha1 = md5('Mufasa:c:Circle of Life');
    const ha2 = md5(`MESSAGE:sip:carrier.example:${md5('hello')}`);
    expect(p.response).toBe(md5(`${ha1}:n:00000001:cn:auth-int:${ha2}`));
  });

  it('offers nothing for challenges it cannot answer, and skips a broken field', () => {
    const req = request();
    const none = (status: number, values: string[]) => answerChallenge(challenge(req, status, values), req, MUFASA, new DigestClientState());
    expect(none(401, ['Digest realm="c", nonce="n", algorithm=SHA-1, qop="auth"'])).toEqual([]);
    expect(none(401, ['Digest realm="c", nonce="n", algorithm=MD5-sess'])).toEqual([]);
    expect(none(401, ['Digest realm="c", nonce="n", qop="auth-conf"'])).toEqual([]);
    expect(none(401, ['Basic realm="c"'])).toEqual([]);
    expect(none(401, ['Digest nonce="n", qop="auth"'])).toEqual([]);
    expect(none(403, ['Digest realm="c", nonce="n", qop="auth"'])).toEqual([]);
    expect(none(401, ['Digest realm="c, nonce="n"', 'Digest realm="c", nonce="n", qop="auth"'])).toHaveLength(1);
  });
});
