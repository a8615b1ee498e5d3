// Our offers (createOffer, re-offers, hold and unhold) and applyAnswer on the answers to them.
import { describe, expect, it } from 'vitest';
import { answerOffer, applyAnswer, createOffer, holdOffer, reOffer, SdpError, unholdOffer, type LocalMedia } from './index.js';

function counter(start: number): (n: number) => Uint8Array {
  let v = start;
  return (n) => Uint8Array.from({ length: n }, () => v++ & 0xff);
}

const US: LocalMedia = {
  address: '203.0.113.5',
  port: 40000,
  codecs: ['opus', 'G722', 'PCMU', 'PCMA'],
  telephoneEvent: true,
  sessionId: '4858321234',
  random: counter(0x20),
};

const THEM: LocalMedia = {
  address: '198.51.100.7',
  port: 31000,
  codecs: ['PCMA', 'PCMU'],
  telephoneEvent: true,
  sessionId: '999',
  random: counter(0xa0),
};

const sdp = (...l: string[]): string => `${l.join('\r\n')}\r\n`;
const attr = (text: string, prefix: string): string[] => text.split('\r\n').filter((l) => l.startsWith(prefix));
const directionOf = (text: string): string => text.split('\r\n').find((l) => /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l))!.slice(2);

function refusal(run: () => unknown): SdpError {
  try {
    run();
  } catch (err) {
    if (err instanceof SdpError) return err;
    throw err;
  }
  throw new Error('expected an SdpError');
}

describe('createOffer', () => {
  it('our priority order, static PTs for G.711/G.722, dynamic from 96, telephone-event per clock rate', () => {
    expect(createOffer(US)).toBe(
      sdp(
        'v=0',
        'o=- 4858321234 1 IN IP4 203.0.113.5',
        's=-',
        'c=IN IP4 203.0.113.5',
        't=0 0',
        'm=audio 40000 RTP/AVP 96 9 0 8 97 98',
        'a=rtpmap:96 opus/48000/2',
        'a=rtpmap:9 G722/8000',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:97 telephone-event/48000',
        'a=rtpmap:98 telephone-event/8000',
        'a=fmtp:97 0-16',
        'a=fmtp:98 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ),
    );
  });

  it('SRTP required: RTP/SAVP with one a=crypto per suite, tags from 1, keys from the injected random source', () => {
    const offer = createOffer({ ...US, codecs: ['PCMU'], telephoneEvent: false, crypto: {}, random: counter(0) });
    const aes = Buffer.from(Array.from({ length: 30 }, (_, i) => i)).toString('base64');
    const gcm = Buffer.from(Array.from({ length: 28 }, (_, i) => 30 + i)).toString('base64');
    expect(attr(offer, 'm=')).toEqual(['m=audio 40000 RTP/SAVP 0']);
    expect(attr(offer, 'a=crypto')).toEqual([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${aes}`, `a=crypto:2 AEAD_AES_128_GCM inline:${gcm}`]);
  });

  it('SRTP optional: RTP/AVP with a=crypto (best-effort)', () => {
    const offer = createOffer({ ...US, crypto: { mode: 'optional', suites: ['AES_CM_128_HMAC_SHA1_80'] } });
    expect(attr(offer, 'm=')[0]).toMatch(/^m=audio 40000 RTP\/AVP /);
    expect(attr(offer, 'a=crypto')).toHaveLength(1);
  });

  it('L16 at the rates asked for, telephone-event at each', () => {
    const offer = createOffer({ ...US, codecs: ['L16/16000', 'L16', 'PCMU'] });
    expect(attr(offer, 'a=rtpmap')).toEqual([
      'a=rtpmap:96 L16/16000',
      'a=rtpmap:97 L16/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:98 telephone-event/16000',
      'a=rtpmap:99 telephone-event/8000',
    ]);
  });

  it('a random session id when none is given', () => {
    const offer = createOffer({ ...US, sessionId: undefined, random: () => Uint8Array.from([0, 0, 0, 1, 0, 0]) });
    expect(attr(offer, 'o=')).toEqual([`o=- ${2 ** 16} 1 IN IP4 203.0.113.5`]);
  });
});

describe('a whole exchange', () => {
  it('both sides agree on the stream: codec, PTs, telephone-event, addresses, keys crossed', () => {
    const offer = createOffer({ ...US, crypto: {} });
    const { sdp: answerSdp, negotiated: theirs } = answerOffer(offer, { ...THEM, crypto: {} });
    const ours = applyAnswer(offer, answerSdp);

    // Their list puts PCMA first; our offer had it last.
    expect(ours.codec).toEqual({ name: 'PCMA', payloadType: 8, receivePayloadType: 8, clockRate: 8000, sampleRate: 8000, channels: 1 });
    expect(theirs.codec).toEqual(ours.codec);
    expect(ours.telephoneEvent).toEqual({ payloadType: 98, receivePayloadType: 98, clockRate: 8000, events: '0-16' });
    expect(ours.remote).toEqual({ address: '198.51.100.7', port: 31000, rtcpAddress: '198.51.100.7', rtcpPort: 31001 });
    expect(theirs.remote).toEqual({ address: '203.0.113.5', port: 40000, rtcpAddress: '203.0.113.5', rtcpPort: 40001 });
    expect(ours.direction).toBe('sendrecv');
    // What we encrypt with, they decrypt with, and the other way round.
    expect(ours.srtp?.suite).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(ours.srtp?.local).toEqual(theirs.srtp?.remote);
    expect(ours.srtp?.remote).toEqual(theirs.srtp?.local);
    expect(ours.localSession).toEqual({ sessionId: '4858321234', version: '1' });
    expect(ours.remoteSession).toEqual({ sessionId: '999', version: '1' });
  });

  it('the answerer may number a codec differently: we send its PT, expect ours (RFC 3264 §6.1)', () => {
    const offer = createOffer({ ...US, codecs: ['opus'] });
    const answer = sdp(
      'v=0',
      'o=- 1 1 IN IP4 198.51.100.7',
      's=-',
      'c=IN IP4 198.51.100.7',
      't=0 0',
      'm=audio 31000 RTP/AVP 111 101',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 useinbandfec=1',
      'a=rtpmap:101 telephone-event/48000',
      'a=ptime:40',
    );
    const n = applyAnswer(offer, answer);
    expect(n.codec).toMatchObject({ name: 'opus', payloadType: 111, receivePayloadType: 96, fmtp: 'useinbandfec=1' });
    expect(n.telephoneEvent).toEqual({ payloadType: 101, receivePayloadType: 97, clockRate: 48000, events: '0-15' });
    expect(n.ptime).toBe(40);
  });

  it('several codecs in the answer: we send the first we offered, and accept any of them', () => {
    const offer = createOffer({ ...US, codecs: ['PCMU', 'PCMA'] });
    const answer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 31000 RTP/AVP 18 8 0', 'a=rtpmap:18 G729/8000');
    const n = applyAnswer(offer, answer);
    expect(n.codec.name).toBe('PCMA');
    expect(n.codecs.map((c) => c.name)).toEqual(['PCMA', 'PCMU']);
  });

  it('an answer that holds us (sendonly): we receive only', () => {
    const offer = createOffer(US);
    const answer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 31000 RTP/AVP 0', 'a=sendonly');
    expect(applyAnswer(offer, answer)).toMatchObject({ direction: 'recvonly', remoteDirection: 'sendonly' });
  });

  it('an answer with c=0.0.0.0 (RFC 2543 hold): we send nothing', () => {
    const offer = createOffer(US);
    const answer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 31000 RTP/AVP 0');
    expect(applyAnswer(offer, answer)).toMatchObject({ direction: 'recvonly', remote: { address: '0.0.0.0' } });
  });

  it('best-effort SRTP declined by an answer without a=crypto: plain RTP', () => {
    const offer = createOffer({ ...US, crypto: { mode: 'optional' } });
    const { sdp: answerSdp } = answerOffer(offer, THEM);
    expect(applyAnswer(offer, answerSdp).srtp).toBeUndefined();
  });
});

describe('applyAnswer refuses answers that do not fit the offer', () => {
  const offer = createOffer({ ...US, codecs: ['PCMU', 'PCMA'], crypto: {} });
  const head = ['v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0'];
  const KEY = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e';

  it.each([
    ['a codec we did not offer', ['m=audio 31000 RTP/SAVP 18', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`], 'no-common-codec', 488],
    ['the audio stream rejected', ['m=audio 0 RTP/SAVP 0'], 'no-common-codec', 488],
    ['an extra m= line', ['m=audio 31000 RTP/SAVP 0', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, 'm=video 0 RTP/AVP 31'], 'malformed', 400],
    ['another transport', ['m=audio 31000 RTP/AVP 0'], 'malformed', 400],
    ['no a=crypto in an RTP/SAVP answer', ['m=audio 31000 RTP/SAVP 0'], 'malformed', 400],
    ['a crypto tag we did not offer', ['m=audio 31000 RTP/SAVP 0', `a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`], 'malformed', 400],
    ['our tag with another suite', ['m=audio 31000 RTP/SAVP 0', `a=crypto:1 AEAD_AES_128_GCM inline:${KEY}`], 'malformed', 400],
  ])('%s', (_what, media, kind, status) => {
    const err = refusal(() => applyAnswer(offer, sdp(...head, ...media)));
    expect({ kind: err.kind, sipStatus: err.sipStatus }).toEqual({ kind, sipStatus: status });
  });

  it('a direction the offer does not allow', () => {
    const held = holdOffer(createOffer(US));
    const answer = sdp(...head, 'm=audio 31000 RTP/AVP 0', 'a=sendrecv');
    expect(refusal(() => applyAnswer(held, answer)).kind).toBe('malformed');
  });

  it('a media type changed in place', () => {
    const two = sdp('v=0', 'o=- 1 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'm=video 0 RTP/AVP 31');
    const answer = sdp(...head, 'm=audio 31000 RTP/AVP 0', 'm=image 0 udptl t38');
    expect(refusal(() => applyAnswer(two, answer)).kind).toBe('malformed');
  });
});

describe('re-offers (RFC 3264 §8)', () => {
  const initial = createOffer({ ...US, crypto: {} });
  const origin = (text: string): string => attr(text, 'o=')[0]!;

  it('reOffer: same o= line with version + 1, everything else as before unless changed', () => {
    const again = reOffer(initial);
    expect(origin(again)).toBe('o=- 4858321234 2 IN IP4 203.0.113.5');
    expect(again.replace(origin(again), '')).toBe(initial.replace(origin(initial), ''));
    const moved = reOffer(again, { address: '203.0.113.6', port: 40100 });
    expect(origin(moved)).toBe('o=- 4858321234 3 IN IP4 203.0.113.5');
    expect(attr(moved, 'c=')).toEqual(['c=IN IP4 203.0.113.6']);
    expect(attr(moved, 'm=')[0]).toMatch(/^m=audio 40100 RTP\/SAVP /);
    expect(attr(moved, 'a=crypto')).toEqual(attr(initial, 'a=crypto'));
  });

  it('hold: sendonly (music on hold), or inactive; from recvonly (the peer holds us) inactive', () => {
    expect(directionOf(holdOffer(initial))).toBe('sendonly');
    expect(directionOf(holdOffer(initial, { inactive: true }))).toBe('inactive');
    expect(directionOf(holdOffer(reOffer(initial, { direction: 'recvonly' })))).toBe('inactive');
  });

  it('unhold: sendrecv again, version still climbing', () => {
    const held = holdOffer(initial);
    const resumed = unholdOffer(held);
    expect(directionOf(resumed)).toBe('sendrecv');
    expect(origin(resumed)).toBe('o=- 4858321234 3 IN IP4 203.0.113.5');
  });

  it('re-offering from our answer keeps the m= layout: the rejected video stays rejected in place', () => {
    const offer = sdp('v=0', 'o=- 5 9 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'm=video 5002 RTP/AVP 31', 'm=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000');
    const { sdp: ourAnswer } = answerOffer(offer, US);
    const hold = holdOffer(ourAnswer);
    expect(attr(hold, 'm=')).toEqual(['m=video 0 RTP/AVP 31', 'm=audio 40000 RTP/AVP 0 101']);
    expect(origin(hold)).toBe('o=- 4858321234 2 IN IP4 203.0.113.5');
    // The peer answers our hold; applyAnswer finds the audio at index 1.
    const peerAnswer = sdp('v=0', 'o=- 5 10 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'm=video 0 RTP/AVP 31', 'm=audio 5000 RTP/AVP 0', 'a=recvonly');
    expect(applyAnswer(hold, peerAnswer)).toMatchObject({ mediaIndex: 1, direction: 'sendonly' });
  });

  it('createOffer with previous: a new codec list in the same session, SRTP keys kept', () => {
    const next = createOffer({ ...US, codecs: ['PCMA'], crypto: {}, previous: initial, random: () => new Uint8Array(30) });
    expect(origin(next)).toBe('o=- 4858321234 2 IN IP4 203.0.113.5');
    expect(attr(next, 'm=')).toEqual(['m=audio 40000 RTP/SAVP 8 96']);
    expect(attr(next, 'a=crypto')).toEqual(attr(initial, 'a=crypto'));
  });
});
