// RTCP packets against bytes from elsewhere (RFC 7714 §17's sender report) and compound
// packets built by hand from RFC 3550's diagrams: each parses to what the bytes say and
// serialises back to the same bytes; malformed input is refused with a reason.
import { describe, expect, it } from 'vitest';
import { findCname, parseRtcp, type RtcpPacket } from './rtcp.js';
import { serializeRtcp, writeBye, writeReceiverReport, writeSdesCname } from './rtcp-writer.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function packets(bytes: Uint8Array): RtcpPacket[] {
  const r = parseRtcp(bytes);
  if (!r.ok) throw new Error(`parse failed: ${r.reason}`);
  return r.packets;
}

function reason(bytes: Uint8Array): string {
  const r = parseRtcp(bytes);
  return r.ok ? 'ok' : r.reason;
}

// RFC 7714 §17's example packet: an SR from "Mars" with one report block about "Luna". Its
// length field (13) claims one word more than the 13 words the RFC prints (it was written
// to exercise SRTCP, not RTCP); corrected to 12 here, and refused as printed below.
const rfc7714Printed = hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
                           deadbeef deadbeef deadbeef deadbeef deadbeef`);
const rfc7714Sr = Buffer.from(rfc7714Printed);
rfc7714Sr[3] = 0x0c;

// RR + SDES (CNAME "abcde") + BYE ("hangup"), field by field:
const compound = hex(
  `
  81c9 0007  11111111                       -- RR, RC=1, 8 words; reporter SSRC
  22222222  05 000003  00010010  0000002a   -- block: SSRC, fraction 5/256, lost 3, cycles 1 seq 16, jitter 42
  12345678  00018000                        -- LSR, DLSR 1.5 s
  81ca 0003  11111111  0105 6162636465 00   -- SDES, SC=1: CNAME(1) len 5 "abcde", null ends the chunk
  81cb 0003  11111111  06 68616e677570 00   -- BYE, SC=1, reason len 6 "hangup", padded`.replace(/--.*$/gm, ''),
);

describe('RTCP golden packets', () => {
  it("parses RFC 7714's sender report, including a negative 24-bit cumulative loss", () => {
    const [sr] = packets(rfc7714Sr);
    expect(sr).toEqual({
      type: 'sr',
      ssrc: 0x4d617273,
      ntpSeconds: 0x4e545031,
      ntpFraction: 0x4e545032,
      rtpTimestamp: 0x52545020,
      packetCount: 1066,
      octetCount: 59696,
      reports: [
        {
          ssrc: 0x4c756e61,
          fractionLost: 0xde,
          cumulativeLost: 0xadbeef - 0x1000000,
          highestSequence: 0xdeadbeef,
          jitter: 0xdeadbeef,
          lastSr: 0xdeadbeef,
          delaySinceLastSr: 0xdeadbeef,
        },
      ],
    });
    expect(Buffer.from(serializeRtcp([sr!]))).toEqual(rfc7714Sr);
  });

  it('parses an RR + SDES + BYE compound and writes the same bytes back', () => {
    expect(compound.length).toBe(64);
    const r = parseRtcp(compound);
    expect(r.ok && r.compound).toBe(true);
    const ps = packets(compound);
    expect(ps).toEqual([
      {
        type: 'rr',
        ssrc: 0x11111111,
        reports: [{ ssrc: 0x22222222, fractionLost: 5, cumulativeLost: 3, highestSequence: 0x10010, jitter: 42, lastSr: 0x12345678, delaySinceLastSr: 0x18000 }],
      },
      { type: 'sdes', chunks: [{ ssrc: 0x11111111, items: [{ type: 1, text: 'abcde' }] }] },
      { type: 'bye', ssrcs: [0x11111111], reason: 'hangup' },
    ]);
    expect(findCname(ps)).toBe('abcde');
    expect(Buffer.from(serializeRtcp(ps))).toEqual(compound);
  });

  it('the allocation-free writers produce the same compound', () => {
    const [rr] = packets(compound) as [Extract<RtcpPacket, { type: 'rr' }>];
    const out = new Uint8Array(80);
    let o = writeReceiverReport(out, 0, rr.ssrc, rr.reports);
    o = writeSdesCname(out, o, 0x11111111, Buffer.from('abcde'));
    o = writeBye(out, o, [0x11111111], Buffer.from('hangup'));
    expect(Buffer.from(out.subarray(0, o))).toEqual(compound);
  });

  it('pads SDES chunks to 32 bits whatever the CNAME length (1 to 4 null octets)', () => {
    for (const cname of ['ab', 'abc', 'abcd', 'abcdef']) {
      const out = new Uint8Array(32);
      const end = writeSdesCname(out, 0, 7, Buffer.from(cname));
      expect(end % 4).toBe(0);
      expect(out[8 + 2 + cname.length]).toBe(0);
      expect(findCname(packets(out.subarray(0, end)))).toBe(cname);
    }
  });

  it('keeps packet types it does not interpret (APP, feedback, XR) as bytes, and round-trips them', () => {
    const withFeedback = Buffer.concat([compound.subarray(0, 32), hex('81cd0002 11111111 22222222'), hex('80cf0001 abcdef01')]);
    const ps = packets(withFeedback);
    expect(ps.map((p) => p.type)).toEqual(['rr', 'other', 'other']);
    expect(ps[1]).toMatchObject({ packetType: 205, count: 1 });
    expect(Buffer.from((ps[1] as Extract<RtcpPacket, { type: 'other' }>).body)).toEqual(hex('11111111 22222222'));
    expect(Buffer.from(serializeRtcp(ps))).toEqual(withFeedback);
  });

  it('accepts padding on the last packet and a reduced-size packet that does not start with a report', () => {
    const padded = hex('a0c90003 11111111 00000000 00000004');
    expect(packets(padded)).toEqual([{ type: 'rr', ssrc: 0x11111111, reports: [] }]);
    // The RC says 1 block but the padding leaves room for none.
    expect(reason(hex('a1c90007 11111111 0000000000000000000000000000000000000000 00000004'))).toBe('report-overrun');
    const bye = parseRtcp(hex('81cb0001 11111111'));
    expect(bye.ok && bye.compound).toBe(false);
  });
});

describe('RTCP validation (RFC 3550 A.2) refuses with a reason, never throws', () => {
  it('refuses short, truncated and wrong-version datagrams', () => {
    expect(reason(hex('81c9'))).toBe('too-short');
    expect(reason(rfc7714Printed)).toBe('truncated');
    expect(reason(rfc7714Sr.subarray(0, 40))).toBe('truncated');
    expect(reason(Buffer.concat([rfc7714Sr, hex('81')]))).toBe('truncated');
    expect(reason(hex('41c90001 11111111'))).toBe('bad-version');
  });

  it('refuses padding anywhere but on the last packet, and a zero or oversized pad count', () => {
    expect(reason(Buffer.concat([hex('a1c90001 11111111'), compound.subarray(32)]))).toBe('padding-not-last');
    expect(reason(hex('a0c90002 11111111 00000000'))).toBe('bad-padding');
    expect(reason(hex('a0c90002 11111111 000000ff'))).toBe('bad-padding');
  });

  it('refuses report counts, SDES items and BYE reasons that run past their packet', () => {
    expect(reason(hex('83c90007 11111111 22222222 05000003 00010010 0000002a 12345678 00018000'))).toBe('report-overrun');
    expect(reason(hex('81ca0002 11111111 01094142'))).toBe('bad-sdes');
    expect(reason(hex('81cb0002 11111111 09414243'))).toBe('bad-bye');
  });

  it('stops at 64 packets in one datagram', () => {
    const rr = hex('80c90001 11111111');
    expect(packets(Buffer.concat(Array.from({ length: 64 }, () => rr)))).toHaveLength(64);
    expect(reason(Buffer.concat(Array.from({ length: 65 }, () => rr)))).toBe('too-many-packets');
  });

  it('survives random bytes', () => {
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 0xff;
    for (let n = 0; n < 2000; n++) {
      const b = Uint8Array.from({ length: 4 + (n % 120) }, next);
      b[0] = 0x80 | (b[0]! & 0x3f);
      expect(() => parseRtcp(b)).not.toThrow();
    }
  });
});
