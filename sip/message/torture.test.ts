// The RFC 4475 and RFC 5118 torture messages against the parser and the request
// checks: valid messages parse to the right values, invalid ones fail with the
// response the RFC asks for (0 = dropped silently). What the running server answers
// for each (501, 416, 420, 415...) is tested over UDP in test/sip/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMessage, SipParseError } from './parse.js';
import { SipError, validateRequest, validateResponse } from './validate.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import { parseSipUri } from '../uri.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');
const load = (dir: string, name: string): Buffer => readFileSync(path.join(FIXTURES, dir, name));

/** Parse and check like the server does; the status of the answer, 'ok' or 0 for dropped. */
function outcome(buf: Buffer): { result: number | 'ok'; msg?: SipMessage } {
  let msg: SipMessage;
  try {
    msg = parseMessage(buf, { datagram: true });
  } catch (err) {
    if (err instanceof SipParseError) return { result: err.request || err.status === 0 ? err.status : 0 };
    throw err;
  }
  try {
    if (msg.isRequest) validateRequest(msg);
    else validateResponse(msg);
    return { result: 'ok', msg };
  } catch (err) {
    if (err instanceof SipError) return { result: msg.isRequest ? err.status : 0, msg };
    return { result: 0, msg };
  }
}

const EXPECTED: Record<string, number | 'ok'> = {
  wsinv: 'ok', intmeth: 'ok', esc01: 'ok', escnull: 'ok', esc02: 'ok', lwsdisp: 'ok', longreq: 'ok',
  dblreq: 'ok', semiuri: 'ok', transports: 'ok', mpart01: 'ok', unreason: 'ok', noreason: 'ok',
  badinv01: 400, clerr: 400, ncl: 400, scalar02: 400, scalarlg: 0, quotbal: 400, ltgtruri: 400,
  lwsruri: 400, lwsstart: 400, trws: 400, escruri: 'ok', baddate: 'ok', regbadct: 400, badaspec: 'ok',
  baddn: 400, badvers: 505, mismatch01: 400, mismatch02: 'ok', bigcode: 0, badbranch: 'ok', insuf: 400,
  unkscm: 'ok', novelsc: 'ok', unksm2: 'ok', bext01: 'ok', invut: 'ok', regaut01: 'ok', multi01: 400,
  mcl01: 400, bcast: 'ok', zeromf: 'ok', cparam01: 'ok', cparam02: 'ok', regescrt: 'ok', sdp01: 'ok',
  inv2543: 'ok', test: 0,
};

interface IndexEntry {
  name: string;
  file: string;
  class: string;
}

describe('RFC 4475 torture messages', () => {
  const index = JSON.parse(load('rfc4475', 'INDEX.json').toString()) as IndexEntry[];

  it('covers every message of the corpus', () => {
    expect(index.map((e) => e.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(index.map((e) => [e.name, e.file] as const))('%s', (name, file) => {
    expect(outcome(load('rfc4475', file)).result).toBe(EXPECTED[name]);
  });

  it('wsinv: folding, LWS, compact forms, escaped quotes, leading zeros', () => {
    const req = parseMessage(load('rfc4475', 'wsinv.dat')) as SipRequest;
    expect(req.method).toBe('INVITE');
    expect(req.to().params.get('tag')).toBe('1918181833n');
    expect(req.to().uri).toBe('sip:vivekg@chair-dnrc.example.com');
    expect(req.from().displayName).toBe('J Rosenberg \\"');
    expect(req.from().params.get('tag')).toBe('98asjd8');
    expect(req.maxForwards()).toBe(68);
    expect(req.cseq()).toEqual({ seq: 9, method: 'INVITE' });
    expect(req.callId()).toBe('wsinv.ndaksdj@192.0.2.1');
    expect(req.vias().map((v) => [v.transport, v.host, v.params.get('branch')])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(req.get('subject')).toBe('');
    expect(req.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(req.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const contacts = req.contacts();
    expect(contacts).not.toBe('*');
    const c = (contacts as Exclude<typeof contacts, '*'>)[0]!;
    expect(c.displayName).toBe('Quoted string ""');
    expect([...c.params]).toEqual([['newparam', 'newvalue'], ['secondparam', ''], ['q', '0.33']]);
    expect(req.routes()[0]!.uri).toBe('sip:services.example.com;lr;unknownwith=value;unknown-no-value');
    expect(req.body.length).toBe(150);
  });

  it('intmeth: unusual but valid characters are kept as written', () => {
    const req = parseMessage(load('rfc4475', 'intmeth.dat')) as SipRequest;
    expect(req.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(req.cseq().method).toBe(req.method);
    expect(req.callId()).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(req.to().displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(req.get('extensionHeader-!.%*+_`\'~')).toBe('\u{FEFF}\u5927\u505C\u96FB');
  });

  it('esc01 and escnull: escapes undone in URI parts only, NUL kept', () => {
    const esc = parseMessage(load('rfc4475', 'esc01.dat')) as SipRequest;
    expect(parseSipUri(esc.to().uri).user).toBe('user');
    expect(parseSipUri(esc.from().uri).user).toBe('I have spaces');
    const contact = (esc.contacts() as { uri: string }[])[0]!;
    const u = parseSipUri(contact.uri);
    expect(u.user).toBe('caller');
    expect(u.params.get('lr')).toBe('');
    expect(u.params.get('name')).toBe('value%41'); // %25%34%31 decodes once, to "%41", not "A"
    const nul = parseMessage(load('rfc4475', 'escnull.dat')) as SipRequest;
    const users = (nul.contacts() as { uri: string }[]).map((c2) => parseSipUri(c2.uri).user);
    expect(users).toEqual(['\0', '\0\0']);
    expect(parseSipUri(nul.to().uri).user).toBe('null-\0-null');
  });

  it('esc02: an escaped method and an escaped header name are not what they look like', () => {
    const req = parseMessage(load('rfc4475', 'esc02.dat')) as SipRequest;
    expect(req.method).toBe('RE%47IST%45R');
    expect((req.contacts() as unknown[]).length).toBe(2);
    expect(req.get('C%6Fntact')).toBeDefined();
  });

  it('dblreq and mpart01: the body is framed by Content-Length', () => {
    expect((parseMessage(load('rfc4475', 'dblreq.dat')) as SipRequest).body.length).toBe(0);
    const mp = parseMessage(load('rfc4475', 'mpart01.dat')) as SipRequest;
    expect(mp.body.length).toBe(553);
  });

  it('semiuri and transports', () => {
    const semi = parseMessage(load('rfc4475', 'semiuri.dat')) as SipRequest;
    expect(parseSipUri(semi.uri).user).toBe('user;par=u@example.net');
    expect(semi.list('accept')).toHaveLength(6);
    const tr = parseMessage(load('rfc4475', 'transports.dat')) as SipRequest;
    expect(tr.vias().map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('unreason and noreason: any reason phrase, even empty', () => {
    const a = parseMessage(load('rfc4475', 'unreason.dat')) as SipResponse;
    expect(a.status).toBe(200);
    expect(a.reason.length).toBeGreaterThan(10);
    const b = parseMessage(load('rfc4475', 'noreason.dat')) as SipResponse;
    expect(b.status).toBe(100);
    expect(b.reason).toBe('');
  });

  it('serialises a parsed message so that it parses to the same values', () => {
    for (const name of ['wsinv', 'esc01', 'longreq', 'mpart01', 'transports', 'regescrt']) {
      const a = parseMessage(load('rfc4475', `${name}.dat`)) as SipRequest;
      const b = parseMessage(a.toBuffer()) as SipRequest;
      expect(b.method).toBe(a.method);
      expect(b.uri).toBe(a.uri);
      expect(b.headers.map((h) => [h.key, h.value])).toEqual(a.headers.map((h) => [h.key, h.value]));
      expect(b.body.equals(a.body)).toBe(true);
    }
  });
});

/**
 * The RFC 5118 archive is LF-only with some stale Content-Lengths: put CRLFs back and
 * recompute the length, as INDEX.md says to before sending.
 */
export function crlfWithLength(raw: Buffer): Buffer {
  const text = raw.toString('utf8').replace(/\r?\n/g, '\r\n');
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text.replace(/\r\n$/, '');
  const body = split >= 0 ? text.slice(split + 4) : '';
  const fixed = head.replace(/^(Content-Length|l)[ \t]*:.*$/im, `Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${fixed}\r\n\r\n${body}`);
}

describe('RFC 5118 IPv6 torture messages', () => {
  const EXPECTED_5118: Record<string, 'ok' | number> = {
    'ipv4-mapped-ipv6': 'ok', 'ipv6-bad': 400, 'ipv6-bug-abnf-3-colons': 'ok', 'ipv6-correct-abnf-2-colons': 'ok',
    'ipv6-good': 'ok', 'ipv6-in-sdp': 'ok', 'mult-ip-in-header': 'ok', 'mult-ip-in-sdp': 'ok',
    'port-ambiguous': 'ok', 'port-unambiguous': 'ok', 'via-received-param-no-delim': 'ok', 'via-received-param-with-delim': 'ok',
  };
  it.each(Object.keys(EXPECTED_5118))('%s parses', (name) => {
    expect(outcome(crlfWithLength(load('rfc5118', name))).result).toBe(EXPECTED_5118[name]);
  });

  it('reads the port only outside the brackets', () => {
    const amb = parseMessage(crlfWithLength(load('rfc5118', 'port-ambiguous'))) as SipRequest;
    expect(parseSipUri(amb.uri)).toMatchObject({ host: '2001:db8::10:5070', port: undefined });
    const unamb = parseMessage(crlfWithLength(load('rfc5118', 'port-unambiguous'))) as SipRequest;
    expect(parseSipUri(unamb.uri)).toMatchObject({ host: '2001:db8::10', port: 5070 });
  });
});

describe('limits', () => {
  const base = (extra: string[]) =>
    Buffer.from(
      [
        'REGISTER sip:example.com SIP/2.0',
        ...extra,
        'From: <sip:a@example.com>;tag=1',
        'To: <sip:a@example.com>',
        'Call-ID: limits@example.com',
        'CSeq: 1 REGISTER',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  it('refuses more than 70 Vias and more than 32 Contacts with 400, accepts 70 and 32', () => {
    const vias = (n: number) => Array.from({ length: n }, (_, i) => `Via: SIP/2.0/UDP 192.0.2.${i % 250}:5060;branch=z9hG4bK-${i}`);
    const contacts = (n: number) => [`Contact: ${Array.from({ length: n }, (_, i) => `<sip:a@192.0.2.${i % 250}>`).join(', ')}`];
    expect(outcome(base(vias(70))).result).toBe('ok');
    expect(outcome(base(vias(71))).result).toBe(400);
    expect(outcome(base([...vias(1), ...contacts(32)])).result).toBe('ok');
    expect(outcome(base([...vias(1), ...contacts(33)])).result).toBe(400);
  });

  it('refuses more than 256 header fields', () => {
    const many = Array.from({ length: 300 }, (_, i) => `X-Filler-${i}: x`);
    expect(outcome(base(['Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-x', ...many])).result).toBe(400);
  });
});
