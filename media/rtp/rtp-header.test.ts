// The RTP header reader and writers against packets from elsewhere (RFC 7714's example
// packet, libsrtp's reference packet, sipp's G.711 capture) and a hand-built packet that
// uses every optional part; each parses to the fields the bytes say and re-serialises to
// the same bytes.
import { describe, expect, it } from 'vitest';
import { readPcapUdp } from '../../test/helpers/pcap.js';
import {
  RtpCheck,
  RtpHeaderReader,
  rtpCheckName,
  rtpHeaderLength,
  rtpMarker,
  rtpPayloadType,
  rtpSequence,
  rtpSsrc,
  rtpTimestamp,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSequence,
  setRtpSsrc,
  setRtpTimestamp,
  writeRtpHeader,
  writeRtpHeaderFields,
  writeRtpPadding,
  type RtpHeaderFields,
} from './rtp-header.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function read(bytes: Uint8Array): RtpHeaderReader {
  const r = new RtpHeaderReader();
  expect(rtpCheckName(r.read(bytes))).toBe('ok');
  return r;
}

/** Re-serialises a parsed packet from its fields and payload. */
function reserialise(bytes: Uint8Array, r: RtpHeaderReader): Uint8Array {
  const csrcs: number[] = [];
  for (let i = 0; i < r.csrcCount; i++) csrcs.push(Buffer.from(bytes).readUInt32BE(12 + 4 * i));
  const fields: RtpHeaderFields = {
    marker: r.marker,
    payloadType: r.payloadType,
    sequence: r.sequence,
    timestamp: r.timestamp,
    ssrc: r.ssrc,
    csrcs,
    padding: r.padding,
    ...(r.extension ? { extension: { profile: r.extensionProfile, data: bytes.slice(r.extensionOffset, r.extensionOffset + r.extensionLength) } } : {}),
  };
  const out = new Uint8Array(bytes.length);
  let o = writeRtpHeaderFields(out, fields);
  expect(o).toBe(rtpHeaderLength(fields));
  out.set(bytes.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength), o);
  o += r.payloadLength;
  if (r.padding) o = writeRtpPadding(out, o, r.paddingLength);
  return out.subarray(0, o);
}

describe('RTP header golden vectors', () => {
  it('RFC 7714 §16: "Gallia est omnis divisa in partes tres" under PT 64', () => {
    const packet = hex(`8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
                        69736120 696e2070 61727465 73207472 6573`);
    const r = read(packet);
    expect(r).toMatchObject({ version: 2, padding: false, extension: false, csrcCount: 0, marker: false, payloadType: 64 });
    expect(r).toMatchObject({ sequence: 0xf17b, timestamp: 0x8041f8d3, ssrc: 0x5501a0b2, payloadOffset: 12, payloadLength: 38 });
    expect(Buffer.from(packet.subarray(r.payloadOffset, r.payloadOffset + r.payloadLength)).toString('latin1')).toBe(
      'Gallia est omnis divisa in partes tres',
    );
    expect(Buffer.from(reserialise(packet, r))).toEqual(packet);
  });

  it("libsrtp's reference packet (seq 0x1234, SSRC 0xcafebabe)", () => {
    const packet = hex('800f1234 decafbad cafebabe abababab abababab abababab abababab');
    const r = read(packet);
    expect(r).toMatchObject({ payloadType: 15, sequence: 0x1234, timestamp: 0xdecafbad, ssrc: 0xcafebabe, payloadLength: 16 });
    expect(Buffer.from(reserialise(packet, r))).toEqual(packet);
  });

  it('a packet with marker, two CSRCs, an RFC 8285 one-byte extension and padding', () => {
    const packet = hex(`b2e00001 00000140 11223344  aabbccdd 01020304  bede0001 10ff0000  deadbeef  000003`);
    const r = read(packet);
    expect(r).toMatchObject({ padding: true, extension: true, csrcCount: 2, marker: true, payloadType: 96, sequence: 1, timestamp: 320 });
    expect(r).toMatchObject({ ssrc: 0x11223344, extensionProfile: 0xbede, extensionOffset: 24, extensionLength: 4 });
    expect(r).toMatchObject({ payloadOffset: 28, payloadLength: 4, paddingLength: 3 });
    expect(Buffer.from(reserialise(packet, r))).toEqual(packet);
  });

  it('writeRtpHeader writes the 12-byte header the reader reads back', () => {
    const out = new Uint8Array(12);
    expect(writeRtpHeader(out, 0, 65535, 0xfffffff0, 0x89abcdef, true)).toBe(12);
    expect(Buffer.from(out).toString('hex')).toBe('8080ffff' + 'fffffff0' + '89abcdef');
    expect([rtpMarker(out), rtpPayloadType(out), rtpSequence(out), rtpTimestamp(out), rtpSsrc(out)]).toEqual([true, 0, 65535, 0xfffffff0, 0x89abcdef]);
  });

  it('every packet of sipp\'s G.711 A-law capture parses: one SSRC, seq +1, ts +240', () => {
    const datagrams = readPcapUdp('/usr/share/sip-tester/g711a.pcap');
    expect(datagrams.length).toBeGreaterThan(100);
    const r = new RtpHeaderReader();
    let previous: { seq: number; ts: number } | null = null;
    for (const d of datagrams) {
      expect(r.read(d.payload)).toBe(RtpCheck.Ok);
      expect([r.payloadType, r.ssrc, r.payloadLength]).toEqual([8, 0xdee0ee8f, 240]);
      if (previous) {
        expect(r.sequence).toBe((previous.seq + 1) & 0xffff);
        expect(r.timestamp).toBe((previous.ts + 240) >>> 0);
      }
      previous = { seq: r.sequence, ts: r.timestamp };
      expect(Buffer.from(reserialise(d.payload, r))).toEqual(Buffer.from(d.payload));
    }
  });
});

describe('RTP header validation (RFC 3550 A.1) returns a reason, never throws', () => {
  const base = hex('80000001 00000002 00000003 00000000');
  const check = (bytes: Uint8Array, length = bytes.length): string => rtpCheckName(new RtpHeaderReader().read(bytes, length));
  const variant = (edit: (b: Buffer) => void, from: Buffer = base): Buffer => {
    const b = Buffer.from(from);
    edit(b);
    return b;
  };

  it('refuses short packets and other versions', () => {
    expect(check(base, 11)).toBe('too-short');
    expect(check(variant((b) => (b[0] = 0x40)))).toBe('bad-version');
    expect(check(variant((b) => (b[0] = 0x00)))).toBe('bad-version');
  });

  it('refuses a CSRC list or header extension that runs past the end', () => {
    expect(check(variant((b) => (b[0] = 0x82)))).toBe('csrc-overrun');
    expect(check(variant((b) => (b[0] = 0x81)))).toBe('ok');
    expect(check(variant((b) => (b[0] = 0x90)), 13)).toBe('extension-overrun');
    const ext = hex('90000001 00000002 00000003 bede0002 00000000');
    expect(check(ext)).toBe('extension-overrun');
    expect(check(Buffer.concat([ext, hex('00000000')]))).toBe('ok');
  });

  it('refuses a padding count of zero or one longer than what follows the header', () => {
    expect(check(variant((b) => ((b[0] = 0xa0), (b[15] = 0))))).toBe('bad-padding');
    expect(check(variant((b) => ((b[0] = 0xa0), (b[15] = 5))))).toBe('bad-padding');
    expect(check(variant((b) => ((b[0] = 0xa0), (b[15] = 4))))).toBe('ok');
  });

  it('recognises RTCP on a muxed port by its second byte (RFC 5761 §4), not marker + PT 96', () => {
    expect(check(variant((b) => (b[1] = 200)))).toBe('rtcp-payload-type');
    expect(check(variant((b) => (b[1] = 192)))).toBe('rtcp-payload-type');
    expect(check(variant((b) => (b[1] = 0xe0)))).toBe('ok');
  });
});

describe('in-place rewriting (what a relay does to a forwarded packet)', () => {
  it('changes only the field it sets', () => {
    const original = hex('b2e00001 00000140 11223344 aabbccdd 01020304 bede0001 10ff0000 deadbeef 000003');
    const b = Buffer.from(original);
    setRtpSsrc(b, 0x01020304);
    setRtpSequence(b, 0xabcd);
    setRtpTimestamp(b, 0xfedcba98);
    setRtpMarker(b, false);
    setRtpPayloadType(b, 0);
    expect([rtpSsrc(b), rtpSequence(b), rtpTimestamp(b), rtpMarker(b), rtpPayloadType(b)]).toEqual([0x01020304, 0xabcd, 0xfedcba98, false, 0]);
    expect(b[0]).toBe(original[0]);
    expect(b.subarray(12)).toEqual(original.subarray(12));
  });
});
