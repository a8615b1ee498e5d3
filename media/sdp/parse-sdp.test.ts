// parseSdp's model of a session description, and the attribute readers under it.
import { describe, expect, it } from 'vitest';
import { parseCrypto } from './crypto-attribute.js';
import { parseSdp } from './parse-sdp.js';
import { commonEvents, formatEventList, parseEventList } from './telephone-event.js';

const sdp = (...l: string[]): string => `${l.join('\r\n')}\r\n`;

describe('parseSdp', () => {
  it('the model of a two-stream offer', () => {
    const parsed = parseSdp(
      sdp(
        'v=0',
        'o=carol 28908764872 28908764873 IN IP4 192.0.2.40',
        's=Call',
        'c=IN IP4 192.0.2.40',
        't=0 0',
        'a=recvonly',
        'm=audio 49170 RTP/SAVP 0 8 96 101',
        'a=rtpmap:96 opus/48000/2',
        'a=fmtp:96 useinbandfec=1',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=maxptime:60',
        'a=rtcp:49300 IN IP4 192.0.2.41',
        'a=rtcp-mux',
        'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e',
        'a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e',
        'm=video 0 RTP/AVP 31',
      ),
    );
    expect(parsed.origin).toEqual({
      username: 'carol',
      sessionId: '28908764872',
      sessionVersion: '28908764873',
      netType: 'IN',
      addressType: 'IP4',
      address: '192.0.2.40',
    });
    expect(parsed.name).toBe('Call');
    expect(parsed.direction).toBe('recvonly');
    const [audio, video] = parsed.media;
    expect(audio).toMatchObject({
      index: 0,
      type: 'audio',
      port: 49170,
      portCount: 1,
      protocol: 'RTP/SAVP',
      formats: ['0', '8', '96', '101'],
      connection: { family: 'IP4', address: '192.0.2.40', kind: 'unicast' },
      rtcpPort: 49300,
      rtcpAddress: '192.0.2.41',
      rtcpMux: true,
      ptime: 20,
      maxptime: 60,
      direction: 'recvonly',
      nullConnection: false,
    });
    expect(audio!.payloads).toEqual([
      { payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1 },
      { payloadType: 8, name: 'PCMA', clockRate: 8000, channels: 1 },
      { payloadType: 96, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
      { payloadType: 101, name: 'telephone-event', clockRate: 8000, channels: 1, fmtp: '0-16' },
    ]);
    expect(audio!.crypto.map((c) => [c.tag, c.suite, c.key !== undefined])).toEqual([
      [3, 'AES_CM_128_HMAC_SHA1_80', true],
      [4, 'AES_CM_128_HMAC_SHA1_32', false],
    ]);
    expect(video).toMatchObject({ index: 1, type: 'video', port: 0, formats: ['31'] });
  });

  it('a session version beyond 2^53 is kept exactly', () => {
    const parsed = parseSdp(sdp('v=0', 'o=- 1 9223372036854775807 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 1 RTP/AVP 0'));
    expect(parsed.origin.sessionVersion).toBe('9223372036854775807');
  });
});

describe('a=crypto (RFC 4568)', () => {
  const KEY = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e';

  it('inline key and salt, lifetime and MKI', () => {
    const c = parseCrypto({ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${KEY}|2^20|1:4` })!;
    expect(Array.from(c.key!.masterKey)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(c.key!.masterSalt)).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(c.key).toMatchObject({ lifetime: 2 ** 20, mki: { value: 1, length: 4 } });
    expect(parseCrypto({ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${KEY}|1048576` })!.key!.lifetime).toBe(1048576);
  });

  it.each([
    ['several keys', `inline:${KEY}|2^20|1:4;inline:${KEY}|2^20|2:4`, 'more than one key'],
    ['another key method', `uri:${KEY}`, 'not inline'],
    ['a short key', `inline:${KEY.slice(0, 36)}`, 'bytes'],
    ['non-base64 characters', `inline:${KEY.slice(0, 39)}*`, 'bytes'],
    ['an MKI length of 0', `inline:${KEY}|2^20|1:0`, 'MKI'],
    ['a lifetime that is no number', `inline:${KEY}|2^x`, 'lifetime'],
    ['too many fields', `inline:${KEY}|2^20|1:4|5`, 'too many'],
  ])('%s: kept, marked unusable', (_what, config, why) => {
    const c = parseCrypto({ id: 1, suite: 'AES_CM_128_HMAC_SHA1_80', config })!;
    expect(c.key).toBeUndefined();
    expect(c.unusable).toContain(why);
  });

  it('a tag that is not a number: the line is dropped', () => {
    expect(parseCrypto({ id: 'x', suite: 'AES_CM_128_HMAC_SHA1_80', config: `inline:${KEY}` })).toBeUndefined();
  });
});

describe('telephone-event lists (RFC 4733 §7.1.1)', () => {
  it('round trip through the set', () => {
    expect(formatEventList(parseEventList('0-15,66,70,16')!)).toBe('0-16,66,70');
  });

  it.each(['', '5-3', '0-256', '1,,2', '0 - 15', 'a-b'])('%j does not follow the grammar', (list) => {
    expect(parseEventList(list)).toBeUndefined();
  });

  it('what both handle', () => {
    expect(commonEvents('0-255')).toBe('0-16');
    expect(commonEvents(undefined)).toBe('0-15');
    expect(commonEvents('0-11,16')).toBe('0-11,16');
  });
});
