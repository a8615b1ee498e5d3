// writeSdp writes its lines itself (no sdp-transform writer on the per-call path); what a peer
// receives must not have changed: every description here is also written the way it was before,
// through sdp-transform, and the two texts must be identical byte for byte.
import { write as transformWrite, type MediaDescription as TransformMedia } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import type { PayloadFormat } from './codec-catalog.js';
import { formatKeyParams } from './crypto-attribute.js';
import type { Direction } from './direction.js';
import { writeSdp, type OutgoingAudio, type OutgoingRejected, type OutgoingSdp } from './sdp-writer.js';

/** The previous writeSdp, kept as the reference. */
function viaTransform(d: OutgoingSdp): string {
  const ipVer = (a: string): number => (a.includes(':') ? 6 : 4);
  const media = d.media.map((m): TransformMedia => {
    if (m.kind === 'rejected') return { type: m.type, port: 0, protocol: m.protocol, payloads: m.formats.join(' '), rtp: [], fmtp: [] };
    const t: TransformMedia = {
      type: 'audio',
      port: m.port,
      protocol: m.protocol,
      payloads: m.payloads.map((p) => p.payloadType).join(' '),
      rtp: m.payloads.map((p) => ({ payload: p.payloadType, codec: p.name, rate: p.clockRate, ...(p.channels > 1 ? { encoding: p.channels } : {}) })),
      fmtp: m.payloads.flatMap((p) => (p.fmtp === undefined ? [] : [{ payload: p.payloadType, config: p.fmtp }])),
      direction: m.direction,
    };
    if (m.crypto.length > 0) t.crypto = m.crypto.map((c) => ({ id: c.tag, suite: c.key.suite, config: formatKeyParams(c.key) }));
    if (m.ptime !== undefined) t.ptime = m.ptime;
    if (m.maxptime !== undefined) t.maxptime = m.maxptime;
    if (m.rtcpMux) t.rtcpMux = 'rtcp-mux';
    return t;
  });
  return transformWrite({
    version: 0,
    origin: { username: d.origin.username, sessionId: d.origin.sessionId, sessionVersion: Number(d.origin.sessionVersion), netType: 'IN', ipVer: ipVer(d.origin.address), address: d.origin.address },
    name: d.name,
    connection: { version: ipVer(d.address), ip: d.address },
    timing: { start: 0, stop: 0 },
    media,
  });
}

const PCMU: PayloadFormat = { payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1 };
const PCMA: PayloadFormat = { payloadType: 8, name: 'PCMA', clockRate: 8000, channels: 1 };
const G722: PayloadFormat = { payloadType: 9, name: 'G722', clockRate: 8000, channels: 1 };
const OPUS: PayloadFormat = { payloadType: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' };
const TE: PayloadFormat = { payloadType: 101, name: 'telephone-event', clockRate: 8000, channels: 1, fmtp: '0-16' };
const NO_RATE: PayloadFormat = { payloadType: 97, name: '', clockRate: 0, channels: 0 };

const key = (seed: number) => ({
  suite: 'AES_CM_128_HMAC_SHA1_80' as const,
  masterKey: Uint8Array.from({ length: 16 }, (_, i) => (i * 7 + seed) & 0xff),
  masterSalt: Uint8Array.from({ length: 14 }, (_, i) => (i * 13 + seed) & 0xff),
});

function audio(o: Partial<OutgoingAudio> = {}): OutgoingAudio {
  return { kind: 'audio', port: 40000, protocol: 'RTP/AVP', payloads: [PCMU, TE], ptime: 20, direction: 'sendrecv', crypto: [], rtcpMux: false, ...o };
}

function sdp(media: (OutgoingAudio | OutgoingRejected)[], o: Partial<OutgoingSdp> = {}): OutgoingSdp {
  return { origin: { username: '-', sessionId: '4858321234', sessionVersion: '2', address: '203.0.113.5' }, name: '-', address: '203.0.113.5', media, ...o };
}

const cases: [string, OutgoingSdp][] = [
  ['a plain G.711 offer', sdp([audio({ payloads: [PCMU, PCMA, G722, OPUS, TE] })])],
  ['an answer with rtcp-mux and maxptime', sdp([audio({ rtcpMux: true, maxptime: 40 })])],
  ['no ptime', sdp([audio({ ptime: undefined })])],
  ['SDES keys on RTP/SAVP', sdp([audio({ protocol: 'RTP/SAVP', crypto: [{ tag: 1, key: key(1) }, { tag: 2, key: { ...key(2), suite: 'AEAD_AES_128_GCM' as const } }] })])],
  ['a format without a rate', sdp([audio({ payloads: [PCMU, NO_RATE] })])],
  ['a rejected video stream kept in place', sdp([audio(), { kind: 'rejected', type: 'video', protocol: 'RTP/AVP', formats: ['31', '34'] }])],
  ['a rejected stream without formats', sdp([{ kind: 'rejected', type: 'application', protocol: 'UDP/BFCP', formats: [] }, audio()])],
  ['IPv6', sdp([audio()], { address: '2001:db8::5', origin: { username: 'sb', sessionId: '1', sessionVersion: '9007199254740991', address: '2001:db8::5' } })],
  ['an empty session name', sdp([audio()], { name: '' })],
  ...(['sendonly', 'recvonly', 'inactive'] as Direction[]).map((direction): [string, OutgoingSdp] => [`direction ${direction}`, sdp([audio({ direction })])]),
];

describe('writeSdp', () => {
  it.each(cases)('%s: the same text sdp-transform writes', (_name, d) => {
    expect(writeSdp(d)).toBe(viaTransform(d));
  });

  it('writes the shape the media plane documents', () => {
    expect(writeSdp(sdp([audio()]))).toBe(
      'v=0\r\no=- 4858321234 2 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\n' +
        'a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n',
    );
  });

  it('refuses a session version it cannot write exactly', () => {
    expect(() => writeSdp(sdp([audio()], { origin: { username: '-', sessionId: '1', sessionVersion: '9007199254740993', address: '203.0.113.5' } }))).toThrow(RangeError);
  });
});
