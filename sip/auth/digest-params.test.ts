// Parsing challenge and credential parameter lists the way real peers write them.
import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../message/scanner.js';
import { credentialUsername, parseAuthHeader, quoteParam } from './digest-params.js';

describe('parseAuthHeader', () => {
  it('reads the RFC 7616 §3.9.1 challenge, quoted and unquoted values, names lower-cased', () => {
    const [c] = parseAuthHeader(
      'Digest\r\n realm="http-auth@example.org",\r\n qop="auth, auth-int",\r\n algorithm=SHA-256,\r\n' +
        ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(c!.scheme).toBe('Digest');
    expect(Object.fromEntries(c!.params)).toEqual({
      realm: 'http-auth@example.org',
      qop: 'auth, auth-int',
      algorithm: 'SHA-256',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
  });

  it('treats parameter names case-insensitively and tolerates spaces around "="', () => {
    const [c] = parseAuthHeader('digest USERNAME = "bob" ,Realm="x",NC=00000001');
    expect(c!.params.get('username')).toBe('bob');
    expect(c!.params.get('realm')).toBe('x');
    expect(c!.params.get('nc')).toBe('00000001');
  });

  it('undoes quoted-pair escapes and keeps commas inside quotes', () => {
    const [c] = parseAuthHeader(String.raw`Digest realm="a \"quoted\", realm\\", nonce="n"`);
    expect(c!.params.get('realm')).toBe('a "quoted", realm\\');
    expect(c!.params.get('nonce')).toBe('n');
  });

  it('splits several challenges in one field', () => {
    const cs = parseAuthHeader('Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="1", algorithm=MD5');
    expect(cs.map((c) => c.params.get('algorithm'))).toEqual(['SHA-256', 'MD5']);
  });

  it.each([
    ['unterminated quote', 'Digest realm="abc'],
    ['parameter without value', 'Digest realm=, nonce="x"'],
    ['duplicate parameter', 'Digest realm="a", REALM="b"'],
    ['parameter before a scheme', 'realm="a"'],
    ['junk after a value', 'Digest realm="a"nonce="b"'],
  ])('rejects a %s with SipSyntaxError', (_what, value) => {
    expect(() => parseAuthHeader(value)).toThrow(SipSyntaxError);
  });

  it('quoteParam output parses back to the original string', () => {
    for (const s of ['plain', 'with "quotes"', 'back\\slash', 'mixed \\" both', '']) {
      const [c] = parseAuthHeader(`Digest realm=${quoteParam(s)}`);
      expect(c!.params.get('realm')).toBe(s);
    }
  });
});

describe('credentialUsername', () => {
  it('takes username, or decodes the RFC 7616 §3.4.4 username* form', () => {
    expect(credentialUsername(new Map([['username', 'alice']]))).toBe('alice');
    expect(credentialUsername(new Map([['username*', "UTF-8''J%C3%A4s%C3%B8n%20Doe"]]))).toBe('Jäsøn Doe');
  });

  it('refuses both forms at once, a bad charset tag and a bad escape', () => {
    expect(credentialUsername(new Map([['username', 'a'], ['username*', "UTF-8''b"]]))).toBeUndefined();
    expect(credentialUsername(new Map([['username*', 'J%C3%A4s']]))).toBeUndefined();
    expect(credentialUsername(new Map([['username*', "UTF-8''%E0%A4%A"]]))).toBeUndefined();
  });
});
