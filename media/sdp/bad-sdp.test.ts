// Session descriptions the server must refuse, and what the SIP side is told to answer: 400 for
// SDP that cannot be read, 488 for SDP that is read and refused.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { answerOffer, SDP_LIMITS, SdpError, type LocalMedia, type SdpErrorKind } from './index.js';
import { parseSdp } from './parse-sdp.js';

const LOCAL: LocalMedia = {
  address: '203.0.113.5',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
  sessionId: '1',
  random: (n) => new Uint8Array(n).fill(1),
};

const sdp = (...l: string[]): string => `${l.join('\r\n')}\r\n`;

/** A good offer, with `media` in place of its m= section. */
const offerWith = (...media: string[]): string =>
  sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', ...media);

function refusal(offer: string, local: LocalMedia = LOCAL): SdpError {
  try {
    answerOffer(offer, local);
  } catch (err) {
    if (err instanceof SdpError) return err;
    throw err;
  }
  throw new Error('expected the offer to be refused');
}

function expectRefused(offer: string, kind: SdpErrorKind, status: 400 | 488, message?: string): SdpError {
  const err = refusal(offer);
  expect({ kind: err.kind, sipStatus: err.sipStatus }).toEqual({ kind, sipStatus: status });
  if (message !== undefined) expect(err.message).toContain(message);
  return err;
}

/** Deterministic PRNG (mulberry32) so the garbage and the mutations are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Printable garbage in lines of 70 characters or so. */
function garbage(chars: number, seed: number): string {
  const rnd = prng(seed);
  let s = '';
  while (s.length < chars) s += rnd() < 1 / 70 ? '\r\n' : String.fromCharCode(0x20 + Math.floor(rnd() * 95));
  return s.slice(0, chars);
}

describe('size guard, before any parsing', () => {
  it('64 KiB of garbage is too-large, and is refused fast', () => {
    const body = garbage(64 * 1024, 1);
    const rounds = 200;
    let kind: string | undefined;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) kind = refusal(body).kind;
    const perCall = (performance.now() - start) / rounds;
    console.log(`64 KiB garbage refused in ${(perCall * 1000).toFixed(1)} µs per call`);
    expect(kind).toBe('too-large');
    expect(refusal(body).sipStatus).toBe(488);
  });

  it('30 KiB of garbage (under the size limit) is malformed at its first line', () => {
    const body = garbage(30 * 1024, 2);
    expect(body.length).toBeLessThan(SDP_LIMITS.maxChars);
    const rounds = 200;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) refusal(body);
    console.log(`30 KiB garbage refused in ${(((performance.now() - start) / rounds) * 1000).toFixed(1)} µs per call`);
    expectRefused(body, 'malformed', 400, 'line 1');
  });

  it('thousands of m= lines: too-large at the 17th', () => {
    const media = Array.from({ length: 1000 }, (_, i) => `m=audio ${10000 + 2 * i} RTP/AVP 0`);
    const body = offerWith(...media);
    expect(body.length).toBeLessThan(SDP_LIMITS.maxChars);
    expectRefused(body, 'too-large', 488, `more than ${SDP_LIMITS.maxMediaSections} m= lines`);
  });

  it('too many lines', () => {
    const attrs = Array.from({ length: 2000 }, () => 'a=x');
    expectRefused(offerWith('m=audio 5000 RTP/AVP 0', ...attrs), 'too-large', 488, 'lines');
  });

  it('a 30 KiB line of garbage is malformed from its first two characters', () => {
    expectRefused(`#${'x'.repeat(30 * 1024)}`, 'malformed', 400, 'line 1');
  });

  it('a giant line', () => {
    expectRefused(offerWith('m=audio 5000 RTP/AVP 0', `a=fmtp:0 ${'x'.repeat(5000)}`), 'too-large', 488, 'longer than');
  });

  it('the m= limit still admits a real multi-stream offer', () => {
    const media = Array.from({ length: SDP_LIMITS.maxMediaSections }, (_, i) => `m=${i === 0 ? 'audio' : 'video'} ${10000 + 2 * i} RTP/AVP 0`);
    expect(answerOffer(offerWith(...media), LOCAL).negotiated.codec.name).toBe('PCMU');
  });
});

describe('malformed → 400', () => {
  it.each([
    ['a payload type above 127', ['m=audio 5000 RTP/AVP 0 128'], 'payload type'],
    ['an absurd payload type', ['m=audio 5000 RTP/AVP 99999999'], 'payload type'],
    ['a payload type listed twice', ['m=audio 5000 RTP/AVP 0 8 0'], 'twice'],
    ['a non-numeric payload type', ['m=audio 5000 RTP/AVP PCMU'], 'payload type'],
    ['an rtpmap payload type above 127', ['m=audio 5000 RTP/AVP 0', 'a=rtpmap:300 PCMU/8000'], 'rtpmap'],
    ['an rtpmap payload type that is not a number', ['m=audio 5000 RTP/AVP 0', 'a=rtpmap:x1 PCMU/8000'], 'rtpmap'],
    ['two different rtpmaps for one payload type', ['m=audio 5000 RTP/AVP 96', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:96 PCMU/8000'], 'two different rtpmap'],
    ['a port above 65535', ['m=audio 70000 RTP/AVP 0'], 'port'],
    ['a non-numeric port', ['m=audio abc RTP/AVP 0'], 'port'],
    ['a negative port', ['m=audio -5 RTP/AVP 0'], 'port'],
    ['an m= line without formats', ['m=audio 5000 RTP/AVP'], 'at least one format'],
    ['a zero port count', ['m=audio 5000/0 RTP/AVP 0'], 'number of ports'],
  ])('%s', (_what, media, message) => {
    expectRefused(offerWith(...media), 'malformed', 400, message);
  });

  it('no c= line anywhere for a stream in use', () => {
    const body = sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0');
    expectRefused(body, 'malformed', 400, 'no c= line');
  });

  it('no c= is fine on a disabled stream, if another stream has one', () => {
    const body = sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 't=0 0', 'm=video 0 RTP/AVP 31', 'm=audio 5000 RTP/AVP 0', 'c=IN IP4 192.0.2.10');
    expect(answerOffer(body, LOCAL).negotiated.remote.address).toBe('192.0.2.10');
  });

  it.each([
    ['a non-numeric session id', 'o=- abc 1 IN IP4 192.0.2.10', 'session id'],
    ['a non-numeric session version', 'o=- 1 v2 IN IP4 192.0.2.10', 'session version'],
    ['an o= line with five fields', 'o=- 1 1 IN IP4', 'six fields'],
    ['a session id longer than 64 bits', `o=- ${'9'.repeat(25)} 1 IN IP4 192.0.2.10`, 'session id'],
  ])('%s', (_what, origin, message) => {
    expectRefused(sdp('v=0', origin, 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 5000 RTP/AVP 0'), 'malformed', 400, message);
  });

  it.each([
    ['a c= address that is no address', 'c=IN IP4 ###', 'neither'],
    ['an IPv6 literal called IP4', 'c=IN IP4 2001:db8::1', 'neither'],
    ['a c= network type other than IN', 'c=ATM NSAP 47.0091', 'IN'],
    ['a c= line with two fields', 'c=IN IP4', 'three fields'],
  ])('%s', (_what, connection, message) => {
    expectRefused(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', connection, 't=0 0', 'm=audio 5000 RTP/AVP 0'), 'malformed', 400, message);
  });

  it.each([
    ['an empty body', ''],
    ['only blank lines', '\r\n\r\n'],
    ['a body that does not start with v=0', sdp('o=- 1 1 IN IP4 192.0.2.10', 'v=0')],
    ['version 1', sdp('v=1', 'o=- 1 1 IN IP4 192.0.2.10')],
    ['a NUL byte', offerWith('m=audio 5000 RTP/AVP 0', 'a=ptime:20\u0000')],
    ['a line without type=', offerWith('m=audio 5000 RTP/AVP 0', 'hello')],
    ['an upper-case type', offerWith('m=audio 5000 RTP/AVP 0', 'A=sendrecv')],
    ['a type letter SDP does not define', offerWith('m=audio 5000 RTP/AVP 0', 'x=1')],
    ['two o= lines', sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 'o=- 2 2 IN IP4 192.0.2.10', 'c=IN IP4 192.0.2.10', 'm=audio 5000 RTP/AVP 0')],
    ['no o= line', sdp('v=0', 's=-', 'c=IN IP4 192.0.2.10', 'm=audio 5000 RTP/AVP 0')],
    ['two c= lines in one media section', offerWith('m=audio 5000 RTP/AVP 0', 'c=IN IP4 192.0.2.11', 'c=IN IP4 192.0.2.12')],
  ])('%s', (_what, body) => {
    expectRefused(body, 'malformed', 400);
  });

  it('a body that is not text', () => {
    expectRefused(Buffer.from('v=0') as unknown as string, 'malformed', 400);
  });
});

describe('read but refused → 488', () => {
  it('no common codec, with warn-code 305 and the offered codecs in the message', () => {
    const err = expectRefused(offerWith('m=audio 5000 RTP/AVP 18 4', 'a=rtpmap:18 G729/8000'), 'no-common-codec', 488, 'G729 G723');
    expect(err.warnCode).toBe(305);
  });

  it('telephone-event alone is no codec', () => {
    expectRefused(offerWith('m=audio 5000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000'), 'no-common-codec', 488);
  });

  it('a dynamic payload type without rtpmap is no codec', () => {
    expectRefused(offerWith('m=audio 5000 RTP/AVP 96'), 'no-common-codec', 488);
  });

  it('Opus offered as mono (RFC 7587 requires opus/48000/2) is not taken for Opus', () => {
    const local: LocalMedia = { ...LOCAL, codecs: ['opus'] };
    const err = refusal(offerWith('m=audio 5000 RTP/AVP 96', 'a=rtpmap:96 opus/48000'), local);
    expect(err.kind).toBe('no-common-codec');
  });

  it('no audio stream: unsupported with warn-code 304', () => {
    const err = expectRefused(offerWith('m=video 5000 RTP/AVP 31'), 'unsupported', 488, 'no audio');
    expect(err.warnCode).toBe(304);
  });

  it('every audio stream disabled: nothing to answer', () => {
    expectRefused(offerWith('m=audio 0 RTP/AVP 0'), 'unsupported', 488);
  });

  it('T.38 or another transport in place of RTP', () => {
    expectRefused(offerWith('m=audio 5000 udptl t38'), 'unsupported', 488, 'udptl');
  });

  it('RTP/AVPF (feedback profile) is not answered as plain RTP', () => {
    expectRefused(offerWith('m=audio 5000 RTP/AVPF 0'), 'unsupported', 488, 'RTP/AVPF');
  });

  it('multicast and host-name connections', () => {
    expect(refusal(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 224.2.1.1/127', 't=0 0', 'm=audio 5000 RTP/AVP 0')).warnCode).toBe(330);
    expect(refusal(sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 media.example.com', 't=0 0', 'm=audio 5000 RTP/AVP 0')).warnCode).toBe(301);
  });

  it('a layered stream (m= port count)', () => {
    expectRefused(offerWith('m=audio 5000/2 RTP/AVP 0'), 'unsupported', 488, 'port count');
  });

  it('the first audio stream’s reason is the one reported when a later one fails too', () => {
    expectRefused(offerWith('m=audio 5000 RTP/AVP 18', 'm=audio 5002 UDP/TLS/RTP/SAVPF 0'), 'no-common-codec', 488);
  });
});

describe('robustness', () => {
  it('random mutations of a good offer either answer or raise SdpError, never anything else', () => {
    const good = offerWith(
      'm=audio 5000 RTP/AVP 0 8 96 101',
      'a=rtpmap:96 opus/48000/2',
      'a=fmtp:96 useinbandfec=1',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=rtcp:5001 IN IP4 192.0.2.10',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e|2^20|1:4',
      'a=sendrecv',
    );
    const rnd = prng(7);
    const alphabet = '0123456789 =:/-.|;^aAmMcCvo\r\n\t\u0000\u00e9';
    let answered = 0;
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const chars = good.split('');
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * chars.length);
        const op = rnd();
        if (op < 0.4) chars[at] = alphabet[Math.floor(rnd() * alphabet.length)]!;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
      }
      try {
        answerOffer(chars.join(''), { ...LOCAL, crypto: { mode: 'optional' } });
        answered++;
      } catch (err) {
        if (!(err instanceof SdpError)) throw new Error(`mutation ${i} threw ${String(err)}:\n${chars.join('')}`);
        refused++;
      }
    }
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('unknown attributes, bandwidth lines and LF-only line ends are tolerated', () => {
    const body = offerWith('m=audio 5000 RTP/AVP 0', 'b=AS:64', 'a=x-vendor-thing:42', 'a=label:1').replace(/\r\n/g, '\n');
    expect(parseSdp(body).media[0]!.payloads[0]!.name).toBe('PCMU');
  });
});
