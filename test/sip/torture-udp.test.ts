// The RFC 4475 torture messages sent over real UDP to the running server: each gets
// the answer rfc4475/INDEX.md asks for (or none, where a message must be dropped),
// and the server keeps answering throughout. Every message's first Via is pointed at
// the test's socket first, so no answer ever leaves 127.0.0.1.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { useServerAndPeer } from '../helpers/sip-server.js';
import { ackFor, callIdOf, simpleRequest, viaToPeer } from '../helpers/sip-udp.js';

const CORPUS = path.resolve(ROOT, '../shared/fixtures/rfc4475');

/** The status each message must get; 0: no answer at all. */
const EXPECTED: Record<string, number> = {
  // A valid INVITE, but its To has a tag: a request inside a dialog we do not have gets
  // 481 (§12.2.2); processing (the B2BUA's user agent) routes it by dialog first.
  wsinv: 481,
  intmeth: 501,
  esc01: 407,
  escnull: 401,
  esc02: 501,
  lwsdisp: 200,
  longreq: 407,
  dblreq: 401,
  semiuri: 200,
  transports: 200,
  mpart01: 405, // MESSAGE is a SIP method we do not take
  unreason: 0,
  noreason: 0,
  badinv01: 400,
  clerr: 400,
  ncl: 400,
  scalar02: 400,
  scalarlg: 0,
  quotbal: 400,
  ltgtruri: 400,
  lwsruri: 400,
  lwsstart: 400,
  trws: 400,
  escruri: 407,
  baddate: 407,
  regbadct: 400,
  badaspec: 200,
  baddn: 400,
  badvers: 505,
  mismatch01: 400,
  mismatch02: 501,
  bigcode: 0,
  badbranch: 200,
  insuf: 400,
  unkscm: 416,
  novelsc: 416,
  unksm2: 400,
  bext01: 420,
  invut: 415,
  regaut01: 401,
  multi01: 400,
  mcl01: 400,
  bcast: 0,
  zeromf: 200,
  cparam01: 401,
  cparam02: 401,
  regescrt: 401,
  sdp01: 406,
  inv2543: 407,
  test: 0,
};

const t = useServerAndPeer();

const OPTIONS = (port: number, n: number): string =>
  simpleRequest({ method: 'OPTIONS', port, branch: `z9hG4bK-probe-${n}`, callId: `probe-${n}@127.0.0.1`, cseq: n, user: 'probe' });

describe('RFC 4475 over UDP', () => {
  it('has an expectation for every message, and every request is pointed at 127.0.0.1', () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.dat'));
    expect(files.map((f) => f.slice(0, -4)).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const f of files) {
      const raw = readFileSync(path.join(CORPUS, f));
      if (raw.toString('latin1').startsWith('SIP/2.0')) continue;
      const fixed = viaToPeer(raw, 5555).toString('latin1');
      if (!/^(Via|v)\s*:/im.test(fixed)) continue; // no Via at all: nothing can be answered
      expect(fixed, f).toMatch(/127\.0\.0\.1:5555/);
      expect(fixed.split(/\r\n(?![ \t])/).filter((l) => /^(Via|v)\s*:/i.test(l))[0], f).toContain('127.0.0.1:5555');
    }
  });

  it.each(Object.entries(EXPECTED))('%s → %i', async (name, status) => {
    const { sb, peer } = t;
    peer.drain();
    const raw = viaToPeer(readFileSync(path.join(CORPUS, `${name}.dat`)), peer.port, name);
    await peer.send(raw, sb.sipPort);
    const r = await peer.response(status === 0 ? 400 : 3000, callIdOf(raw));
    if (status === 0) expect(r?.status).toBeUndefined();
    else {
      // A UAC acknowledges a final answer to its INVITE, which stops its retransmission.
      const firstLine = raw.toString('latin1').split('\r\n')[0]!;
      if (r && firstLine.startsWith('INVITE ') && r.status >= 300) await peer.send(ackFor(r, firstLine.split(' ')[1]!), sb.sipPort);
      expect(r?.status, r?.raw).toBe(status);
      if (status === 501 || status === 405) expect(r!.header('allow')).toContain('INVITE');
      if (status === 420) expect(r!.header('unsupported')).toBe('nothingSupportsThis, nothingSupportsThisEither');
      if (status === 415) expect(r!.header('accept')).toBe('application/sdp');
      if (status === 401) expect(r!.all('www-authenticate').join(' ')).toMatch(/Digest/);
      if (status === 407) expect(r!.all('proxy-authenticate').join(' ')).toMatch(/Digest/);
      expect(r!.header('server')).toBeUndefined();
    }
    // The server still answers a plain OPTIONS after every message.
    const n = Math.floor(Math.random() * 1e9);
    await peer.send(OPTIONS(peer.port, n), sb.sipPort);
    expect((await peer.response(3000, `probe-${n}@127.0.0.1`))?.status).toBe(200);
  });
});
