// answerOffer: the answer that goes back in the 200 (or 183) and the stream the engine opens.
import { describe, expect, it } from 'vitest';
import { answerOffer, SdpError, type Direction, type LocalMedia } from './index.js';

const LOCAL: LocalMedia = {
  address: '203.0.113.5',
  port: 40000,
  codecs: ['PCMU', 'PCMA', 'G722', 'opus'],
  telephoneEvent: true,
  sessionId: '77',
  random: (n) => Uint8Array.from({ length: n }, (_, i) => 0x80 + i),
};

const sdp = (...l: string[]): string => `${l.join('\r\n')}\r\n`;
const offerWith = (...media: string[]): string => sdp('v=0', 'o=- 5 9 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', ...media);

const answer = (offer: string, over: Partial<LocalMedia> = {}) => answerOffer(offer, { ...LOCAL, ...over });
const mLine = (text: string): string => text.split('\r\n').find((l) => l.startsWith('m='))!;
const attr = (text: string, prefix: string): string[] => text.split('\r\n').filter((l) => l.startsWith(prefix));

function refusal(run: () => unknown): SdpError {
  try {
    run();
  } catch (err) {
    if (err instanceof SdpError) return err;
    throw err;
  }
  throw new Error('expected an SdpError');
}

describe('codec choice', () => {
  const pcmaFirst = offerWith('m=audio 5000 RTP/AVP 8 0');

  it('the first codec of OUR list that the offer has, by default', () => {
    expect(mLine(answer(pcmaFirst).sdp)).toBe('m=audio 40000 RTP/AVP 0');
  });

  it("the offerer's first codec that is in our list, with codecOrder: 'offer'", () => {
    expect(mLine(answer(pcmaFirst, { codecOrder: 'offer' }).sdp)).toBe('m=audio 40000 RTP/AVP 8');
    // Still only codecs we carry: G.729 first in the offer is passed over.
    expect(mLine(answer(offerWith('m=audio 5000 RTP/AVP 18 8 0'), { codecOrder: 'offer' }).sdp)).toBe('m=audio 40000 RTP/AVP 8');
  });

  it('one codec in the answer, plus telephone-event', () => {
    const { sdp: text, negotiated } = answer(offerWith('m=audio 5000 RTP/AVP 0 8 9 101', 'a=rtpmap:101 telephone-event/8000'));
    expect(mLine(text)).toBe('m=audio 40000 RTP/AVP 0 101');
    expect(negotiated.codecs).toHaveLength(1);
  });

  it("a dynamic codec keeps the offer's payload type", () => {
    const { sdp: text, negotiated } = answer(offerWith('m=audio 5000 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1'), {
      codecs: ['opus'],
    });
    expect(mLine(text)).toBe('m=audio 40000 RTP/AVP 111');
    expect(attr(text, 'a=rtpmap')).toEqual(['a=rtpmap:111 opus/48000/2']);
    // We state no fmtp of our own: Opus defaults (mono preferred, no FEC asked of the peer).
    expect(attr(text, 'a=fmtp')).toEqual([]);
    expect(negotiated.codec).toMatchObject({ payloadType: 111, receivePayloadType: 111, fmtp: 'minptime=10;useinbandfec=1' });
  });

  it('encoding names are matched without regard to case (RFC 4855 §3)', () => {
    const { negotiated } = answer(offerWith('m=audio 5000 RTP/AVP 96', 'a=rtpmap:96 OPUS/48000/2'), { codecs: ['opus'] });
    expect(negotiated.codec.name).toBe('opus');
    expect(answer(offerWith('m=audio 5000 RTP/AVP 0', 'a=rtpmap:0 pcmu/8000')).negotiated.codec.name).toBe('PCMU');
  });

  it('an rtpmap wins over the static table', () => {
    const { negotiated } = answer(offerWith('m=audio 5000 RTP/AVP 0', 'a=rtpmap:0 PCMA/8000'), { codecs: ['PCMA'] });
    expect(negotiated.codec).toMatchObject({ name: 'PCMA', payloadType: 0 });
  });

  it('L16: any of 8, 16, 48 kHz mono for "L16", exactly the rate for "L16/16000"', () => {
    const offer = offerWith('m=audio 5000 RTP/AVP 97 98', 'a=rtpmap:97 L16/44100', 'a=rtpmap:98 L16/16000');
    expect(answer(offer, { codecs: ['L16'] }).negotiated.codec).toMatchObject({ name: 'L16', payloadType: 98, clockRate: 16000, sampleRate: 16000 });
    expect(refusal(() => answer(offer, { codecs: ['L16/48000'] })).kind).toBe('no-common-codec');
    const stereo = offerWith('m=audio 5000 RTP/AVP 97', 'a=rtpmap:97 L16/16000/2');
    expect(refusal(() => answer(stereo, { codecs: ['L16'] })).kind).toBe('no-common-codec');
  });
});

describe('telephone-event', () => {
  const opusOffer = offerWith(
    'm=audio 5000 RTP/AVP 111 0 110 126',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
  );

  it("answered with the offerer's PT, at the chosen codec's clock rate", () => {
    const opus = answer(opusOffer, { codecs: ['opus'] });
    expect(mLine(opus.sdp)).toBe('m=audio 40000 RTP/AVP 111 110');
    expect(opus.negotiated.telephoneEvent).toEqual({ payloadType: 110, receivePayloadType: 110, clockRate: 48000, events: '0-15' });
    const pcmu = answer(opusOffer, { codecs: ['PCMU'] });
    expect(mLine(pcmu.sdp)).toBe('m=audio 40000 RTP/AVP 0 126');
    expect(pcmu.negotiated.telephoneEvent?.clockRate).toBe(8000);
  });

  it('not answered when we do not want it', () => {
    const r = answer(opusOffer, { codecs: ['PCMU'], telephoneEvent: false });
    expect(mLine(r.sdp)).toBe('m=audio 40000 RTP/AVP 0');
    expect(r.negotiated.telephoneEvent).toBeUndefined();
  });

  it.each([
    ['0-15', '0-15'],
    ['0-16', '0-16'],
    ['0-15,66,70', '0-15'],
    ['16,0-3', '0-3,16'],
    ['garbage', '0-15'],
  ])('offered events %s are answered as %s', (offered, answered) => {
    const r = answer(offerWith('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', `a=fmtp:101 ${offered}`));
    expect(attr(r.sdp, 'a=fmtp:101')).toEqual([`a=fmtp:101 ${answered}`]);
    expect(r.negotiated.telephoneEvent?.events).toBe(answered);
  });

  it('no events in common: no telephone-event', () => {
    const r = answer(offerWith('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 32-40'));
    expect(mLine(r.sdp)).toBe('m=audio 40000 RTP/AVP 0');
  });
});

describe('direction (RFC 3264 §6.1)', () => {
  // offered, what we want, what we answer.
  const table: [Direction, Direction, Direction][] = [
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['sendrecv', 'recvonly', 'recvonly'],
    ['sendrecv', 'inactive', 'inactive'],
    ['sendonly', 'sendrecv', 'recvonly'],
    ['sendonly', 'sendonly', 'inactive'],
    ['sendonly', 'recvonly', 'recvonly'],
    ['sendonly', 'inactive', 'inactive'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['recvonly', 'sendonly', 'sendonly'],
    ['recvonly', 'recvonly', 'inactive'],
    ['recvonly', 'inactive', 'inactive'],
    ['inactive', 'sendrecv', 'inactive'],
    ['inactive', 'sendonly', 'inactive'],
    ['inactive', 'recvonly', 'inactive'],
    ['inactive', 'inactive', 'inactive'],
  ];
  it.each(table)('offered %s, wanted %s → a=%s', (offered, wanted, expected) => {
    const r = answer(offerWith('m=audio 5000 RTP/AVP 0', `a=${offered}`), { direction: wanted });
    expect(attr(r.sdp, 'a=sendrecv').concat(attr(r.sdp, 'a=sendonly'), attr(r.sdp, 'a=recvonly'), attr(r.sdp, 'a=inactive'))).toEqual([`a=${expected}`]);
    expect(r.negotiated.direction).toBe(expected);
    expect(r.negotiated.remoteDirection).toBe(offered);
  });

  it('no attribute means sendrecv', () => {
    expect(answer(offerWith('m=audio 5000 RTP/AVP 0')).negotiated.direction).toBe('sendrecv');
  });

  it('a session-level attribute applies; a media-level one overrides it', () => {
    const sessionLevel = sdp('v=0', 'o=- 5 9 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'a=sendonly', 'm=audio 5000 RTP/AVP 0');
    expect(answer(sessionLevel).negotiated.direction).toBe('recvonly');
    const overridden = sdp('v=0', 'o=- 5 9 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'a=sendonly', 'm=audio 5000 RTP/AVP 0', 'a=recvonly');
    expect(answer(overridden).negotiated.direction).toBe('sendonly');
  });

  it('old-style hold (c=0.0.0.0, RFC 2543): we answer recvonly and send nothing to 0.0.0.0', () => {
    const held = sdp('v=0', 'o=- 5 10 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 5000 RTP/AVP 0');
    const r = answer(held);
    expect(attr(r.sdp, 'a=recvonly')).toHaveLength(1);
    expect(r.negotiated).toMatchObject({ direction: 'recvonly', remoteDirection: 'sendonly', remote: { address: '0.0.0.0', port: 5000 } });
    const heldRecvonly = sdp('v=0', 'o=- 5 10 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'a=recvonly');
    expect(answer(heldRecvonly).negotiated.direction).toBe('inactive');
    const heldIp6 = sdp('v=0', 'o=- 5 10 IN IP6 2001:db8::10', 's=-', 'c=IN IP6 ::', 't=0 0', 'm=audio 5000 RTP/AVP 0');
    expect(answer(heldIp6).negotiated.direction).toBe('recvonly');
  });
});

describe('packetisation and RTCP', () => {
  it.each([
    ['no ptime', [], 'PCMU', 20],
    ['ptime 30', ['a=ptime:30'], 'PCMU', 30],
    ['ptime 30 with Opus (no 30 ms Opus frame)', ['a=ptime:30'], 'opus', 20],
    ['maxptime 10', ['a=maxptime:10'], 'PCMU', 10],
    ['ptime 200', ['a=ptime:200'], 'PCMU', 20],
    ['ptime 0', ['a=ptime:0'], 'PCMU', 20],
  ])('%s → we send %s ms packets', (_what, attrs, codec, ms) => {
    const offer = offerWith('m=audio 5000 RTP/AVP 0 96', 'a=rtpmap:96 opus/48000/2', ...attrs);
    expect(answer(offer, { codecs: [codec] }).negotiated.ptime).toBe(ms);
  });

  it('our a=ptime and a=maxptime say what we want to receive', () => {
    const r = answer(offerWith('m=audio 5000 RTP/AVP 0'), { ptime: 30, maxptime: 60 });
    expect(attr(r.sdp, 'a=ptime')).toEqual(['a=ptime:30']);
    expect(attr(r.sdp, 'a=maxptime')).toEqual(['a=maxptime:60']);
  });

  it('RTCP on port + 1 by default, on a=rtcp when given (RFC 3605)', () => {
    expect(answer(offerWith('m=audio 5000 RTP/AVP 0')).negotiated.remote).toEqual({ address: '192.0.2.10', port: 5000, rtcpAddress: '192.0.2.10', rtcpPort: 5001 });
    expect(answer(offerWith('m=audio 5000 RTP/AVP 0', 'a=rtcp:5055 IN IP4 192.0.2.99')).negotiated.remote).toEqual({
      address: '192.0.2.10',
      port: 5000,
      rtcpAddress: '192.0.2.99',
      rtcpPort: 5055,
    });
    expect(answer(offerWith('m=audio 65535 RTP/AVP 0')).negotiated.remote.rtcpPort).toBeUndefined();
  });

  it('rtcp-mux only when offered and enabled here', () => {
    const offer = offerWith('m=audio 5000 RTP/AVP 0', 'a=rtcp-mux');
    const muxed = answer(offer, { rtcpMux: true });
    expect(attr(muxed.sdp, 'a=rtcp-mux')).toHaveLength(1);
    expect(muxed.negotiated).toMatchObject({ rtcpMux: true, remote: { rtcpPort: 5000 } });
    const plain = answer(offer);
    expect(attr(plain.sdp, 'a=rtcp-mux')).toHaveLength(0);
    expect(plain.negotiated).toMatchObject({ rtcpMux: false, remote: { rtcpPort: 5001 } });
  });

  it('IPv6 on both sides', () => {
    const offer = sdp('v=0', 'o=- 5 9 IN IP6 2001:db8::10', 's=-', 'c=IN IP6 2001:db8::10', 't=0 0', 'm=audio 5000 RTP/AVP 0');
    const r = answer(offer, { address: '2001:db8::5' });
    expect(r.sdp).toContain('o=- 77 1 IN IP6 2001:db8::5\r\n');
    expect(r.sdp).toContain('c=IN IP6 2001:db8::5\r\n');
    expect(r.negotiated.remote.address).toBe('2001:db8::10');
  });
});

describe('SRTP (RFC 4568)', () => {
  const AES_KEY = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e';
  const GCM_KEY = 'QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaWw==';
  const savp = offerWith(
    'm=audio 5000 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${AES_KEY}|2^31|7:2`,
    `a=crypto:2 AEAD_AES_128_GCM inline:${GCM_KEY}`,
  );

  it("the offerer's first usable line, answered with its tag and our own key", () => {
    const r = answer(savp, { crypto: {} });
    const ours = Buffer.from(Array.from({ length: 30 }, (_, i) => 0x80 + i)).toString('base64');
    expect(mLine(r.sdp)).toBe('m=audio 40000 RTP/SAVP 0');
    expect(attr(r.sdp, 'a=crypto')).toEqual([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours}`]);
    const srtp = r.negotiated.srtp!;
    expect(srtp).toMatchObject({ suite: 'AES_CM_128_HMAC_SHA1_80', tag: 1 });
    expect(srtp.remote).toMatchObject({ lifetime: 2 ** 31, mki: { value: 7, length: 2 } });
    expect(Buffer.from([...srtp.remote.masterKey, ...srtp.remote.masterSalt]).toString('base64')).toBe(AES_KEY);
    expect(Buffer.from([...srtp.local.masterKey, ...srtp.local.masterSalt]).toString('base64')).toBe(ours);
  });

  it('only the suites enabled here: AEAD_AES_128_GCM with a 28-byte key', () => {
    const r = answer(savp, { crypto: { suites: ['AEAD_AES_128_GCM'] } });
    const crypto = attr(r.sdp, 'a=crypto');
    expect(crypto).toHaveLength(1);
    expect(crypto[0]).toMatch(/^a=crypto:2 AEAD_AES_128_GCM inline:/);
    expect(Buffer.from(crypto[0]!.split('inline:')[1]!, 'base64')).toHaveLength(28);
    expect(r.negotiated.srtp?.remote.masterSalt).toHaveLength(12);
  });

  it.each([
    ['SRTP not enabled here', savp, undefined, 'SRTP is not enabled'],
    ['only a suite we lack', offerWith('m=audio 5000 RTP/SAVP 0', `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${AES_KEY}${AES_KEY}`), {}, 'no usable a=crypto'],
    ['a session parameter we do not implement', offerWith('m=audio 5000 RTP/SAVP 0', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${AES_KEY} UNENCRYPTED_SRTP`), {}, 'no usable'],
    ['a key of the wrong length', offerWith('m=audio 5000 RTP/SAVP 0', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${GCM_KEY}`), {}, 'no usable'],
    ['a key that is not base64', offerWith('m=audio 5000 RTP/SAVP 0', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${AES_KEY.slice(0, 39)}!`), {}, 'no usable'],
    ['no a=crypto at all (DTLS-SRTP style)', offerWith('m=audio 5000 RTP/SAVP 0'), {}, 'no usable'],
    ['plain RTP when SRTP is required here', offerWith('m=audio 5000 RTP/AVP 0'), { mode: 'required' as const }, 'SRTP is required'],
  ])('refused (488): %s', (_what, offer, crypto, message) => {
    const err = refusal(() => answer(offer, crypto ? { crypto } : {}));
    expect({ kind: err.kind, sipStatus: err.sipStatus }).toEqual({ kind: 'unsupported', sipStatus: 488 });
    expect(err.message).toContain(message);
  });

  it('plain RTP when SRTP is optional here', () => {
    const r = answer(offerWith('m=audio 5000 RTP/AVP 0'), { crypto: { mode: 'optional' } });
    expect(attr(r.sdp, 'a=crypto')).toEqual([]);
    expect(r.negotiated.srtp).toBeUndefined();
  });
});

describe('answering a re-offer (RFC 3264 §8)', () => {
  const first = offerWith('m=audio 5000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e');
  const held = first.replace('o=- 5 9', 'o=- 5 10').replace('RTP/SAVP 0\r\n', 'RTP/SAVP 0\r\na=sendonly\r\n');

  it('an unchanged session keeps the same version', () => {
    const a1 = answer(first, { crypto: {} });
    const a2 = answer(first, { crypto: {}, previous: a1.sdp, random: () => new Uint8Array(30) });
    expect(a2.sdp).toBe(a1.sdp);
  });

  it('a hold re-offer: same session id, version + 1, recvonly, same SRTP key', () => {
    const a1 = answer(first, { crypto: {} });
    const a2 = answer(held, { crypto: {}, previous: a1.sdp, sessionId: 'ignored', random: () => new Uint8Array(30) });
    expect(a2.sdp.split('\r\n')[1]).toBe('o=- 77 2 IN IP4 203.0.113.5');
    expect(attr(a2.sdp, 'a=recvonly')).toHaveLength(1);
    expect(attr(a2.sdp, 'a=crypto')).toEqual(attr(a1.sdp, 'a=crypto'));
    expect(a2.negotiated.localSession).toEqual({ sessionId: '77', version: '2' });
    expect(a2.negotiated.remoteSession).toEqual({ sessionId: '5', version: '10' });
  });
});

describe('local settings', () => {
  it.each([
    ['an unknown codec', { codecs: ['G729'] }],
    ['a rate on a codec other than L16', { codecs: ['PCMU/16000'] }],
    ['an L16 rate we do not resample', { codecs: ['L16/44100'] }],
    ['an empty codec list', { codecs: [] }],
    ['an address that is not an IP', { address: 'media.example.com' }],
    ['port 0', { port: 0 }],
  ])('%s is a programming error (RangeError), not bad SDP', (_what, over) => {
    expect(() => answer(offerWith('m=audio 5000 RTP/AVP 0'), over)).toThrow(RangeError);
  });
});
