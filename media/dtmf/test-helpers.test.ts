// Tests of the test helpers this area provides to the others (test/helpers/pcap.ts and
// test/helpers/tone-analysis.ts): a helper that lies would make every test built on it meaningless.
import { describe, expect, it } from 'vitest';
import { readPcapRtp, readPcapUdp } from '../../test/helpers/pcap.js';
import { dominantFrequency, hasTone, isSilent, levelDbfs, toneLevelDbfs } from '../../test/helpers/tone-analysis.js';
import { sine } from '../dsp/tone.js';
import { readFileSync } from 'node:fs';

describe('pcap reader', () => {
  it('reads sipp’s G.711 A-law capture as an RTP stream with continuous sequence numbers', () => {
    const rtp = readPcapRtp('/usr/share/sip-tester/g711a.pcap');
    expect(rtp.length).toBeGreaterThan(100);
    const audio = rtp.filter((p) => p.payloadType === 8);
    expect(audio.length).toBeGreaterThan(100);
    expect(new Set(audio.map((p) => p.ssrc)).size).toBe(1);
    for (let i = 1; i < audio.length; i++) {
      expect((audio[i]!.sequence - audio[i - 1]!.sequence) & 0xffff).toBe(1);
      // 30 ms packets: 240 A-law bytes, one per sample, so the timestamp steps by 240.
      expect(audio[i]!.rtpPayload.length).toBe(240);
      expect(audio[i]!.timestamp - audio[i - 1]!.timestamp).toBe(240);
    }
  });

  it('gives addresses, ports, times and the UDP payload of each datagram', () => {
    const [first, second] = readPcapUdp('/usr/share/sip-tester/dtmf_2833_1.pcap');
    expect(first).toMatchObject({ src: '192.168.0.3', srcPort: 49176, dst: '192.168.0.1', dstPort: 10000 });
    expect(first!.payload.length).toBe(16);
    expect(second!.timeMs - first!.timeMs).toBeCloseTo(19.992, 3);
  });

  it('reads a big-endian file the same as a little-endian one', () => {
    const le = new Uint8Array(readFileSync('/usr/share/sip-tester/dtmf_2833_5.pcap'));
    const be = le.slice();
    const swap = (at: number, size: number): void => be.subarray(at, at + size).reverse() as unknown as void;
    for (const [at, size] of [[0, 4], [4, 2], [6, 2], [8, 4], [12, 4], [16, 4], [20, 4]] as const) swap(at, size);
    for (let at = 24; at < be.length; ) {
      const captured = new DataView(le.buffer).getUint32(at + 8, true);
      for (let f = 0; f < 4; f++) swap(at + 4 * f, 4);
      at += 16 + captured;
    }
    const a = readPcapRtp(le).map((p) => [p.timeMs, p.sequence, p.timestamp, [...p.rtpPayload]]);
    const b = readPcapRtp(be).map((p) => [p.timeMs, p.sequence, p.timestamp, [...p.rtpPayload]]);
    expect(b).toEqual(a);
    expect(a).toHaveLength(10);
  });

  it('refuses files that are not classic pcap', () => {
    expect(() => readPcapUdp(new Uint8Array(40))).toThrow(/not a classic pcap/);
    expect(() => readPcapUdp(new Uint8Array(10))).toThrow(/not a pcap/);
  });
});

describe('tone analysis', () => {
  it('finds the dominant frequency of a tone within a couple of Hz, at any rate', () => {
    expect(dominantFrequency(sine(1000, 8000, 8000, -10), 8000)).toBeCloseTo(1000, 0);
    expect(Math.abs(dominantFrequency(sine(440, 48000, 9600, -30), 48000) - 440)).toBeLessThan(2);
    const two = sine(697, 8000, 4000, -6).map((v, i) => v + sine(1209, 8000, 4000, -16)[i]!);
    expect(Math.abs(dominantFrequency(two, 8000) - 697)).toBeLessThan(2);
    expect(dominantFrequency(new Int16Array(1000), 8000)).toBe(0);
  });

  it('measures levels in dBFS with a full-scale sine at 0', () => {
    expect(levelDbfs(sine(1000, 8000, 8000, 0))).toBeCloseTo(0, 1);
    expect(levelDbfs(sine(1000, 8000, 8000, -20))).toBeCloseTo(-20, 1);
    expect(levelDbfs(new Int16Array(10))).toBe(-Infinity);
    expect(toneLevelDbfs(sine(350, 8000, 8000, -13), 8000, 350)).toBeCloseTo(-13, 1);
  });

  it('hasTone finds a tone heard in any 50 ms, and only at its frequency and level', () => {
    const late = new Int16Array(8000);
    late.set(sine(1000, 8000, 800, -30), 7000);
    expect(hasTone(late, 8000, 1000, -40)).toBe(true);
    expect(hasTone(late, 8000, 1000, -20)).toBe(false);
    expect(hasTone(late, 8000, 1100, -40)).toBe(false);
    expect(hasTone(new Int16Array(8000), 8000, 1000, -90)).toBe(false);
  });

  it('isSilent tells quiet from heard', () => {
    expect(isSilent(new Int16Array(160))).toBe(true);
    expect(isSilent(sine(1000, 8000, 160, -60))).toBe(true);
    expect(isSilent(sine(1000, 8000, 160, -40))).toBe(false);
    expect(isSilent(sine(1000, 8000, 160, -40), -30)).toBe(true);
  });
});
