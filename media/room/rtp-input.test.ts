import { describe, expect, it } from 'vitest';
import { RtpInput, type PayloadDecoder } from './rtp-input.js';

/** L16 (RFC 3551 §4.5.11: big-endian 16-bit samples), the simplest decoder there is. */
const l16: PayloadDecoder = {
  decodeInto(out, p) {
    const n = p.length >> 1;
    for (let i = 0; i < n; i++) out[i] = ((p[2 * i]! << 8) | p[2 * i + 1]!) << 16 >> 16;
    return n;
  },
};

function l16Payload(samples: ArrayLike<number>): Uint8Array {
  const p = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    p[2 * i] = (samples[i]! >> 8) & 0xff;
    p[2 * i + 1] = samples[i]! & 0xff;
  }
  return p;
}

/** `n` samples of a ramp starting at `from` (so any gap, repeat or reorder shows). */
function ramp(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

function input(frameMs = 20, decoder = l16, targetMs = 40): RtpInput {
  return new RtpInput({ sampleRate: 8000, decoder, jitter: { clockRate: 8000, frameMs, mode: 'fixed', targetMs } });
}

function read(x: RtpInput): { spoke: boolean; frame: number[] } {
  const out = new Int16Array(160);
  const spoke = x.readFrame(out);
  return { spoke, frame: [...out] };
}

describe('RtpInput', () => {
  it('says nothing before any packet, then plays the packets in order after the jitter buffer fills', () => {
    const x = input();
    expect(read(x).spoke).toBe(false);
    x.push(10, 0, l16Payload(ramp(0, 160)), 0);
    expect(read(x).spoke).toBe(false);
    x.push(12, 320, l16Payload(ramp(320, 160)), 20);
    x.push(11, 160, l16Payload(ramp(160, 160)), 21);
    expect(read(x)).toEqual({ spoke: true, frame: ramp(0, 160) });
    expect(read(x).frame).toEqual(ramp(160, 160));
    expect(read(x).frame).toEqual(ramp(320, 160));
  });

  it('re-frames another ptime into 20 ms frames without a gap (30 ms packets)', () => {
    const x = input(30);
    const heard: number[] = [];
    let seq = 0;
    for (let tick = 0; tick < 12; tick++) {
      // 30 ms packets sent as their audio becomes available (2 packets per 3 ticks).
      while ((seq + 1) * 240 <= (tick + 1) * 160) {
        x.push(seq, seq * 240, l16Payload(ramp(seq * 240, 240)), tick * 20);
        seq++;
      }
      const r = read(x);
      if (r.spoke) heard.push(...r.frame);
    }
    expect(heard.length).toBeGreaterThanOrEqual(160 * 8);
    expect(heard).toEqual(ramp(0, heard.length));
  });

  it('conceals lost packets: the last one again at -6 dB, then -12 dB, then silence', () => {
    const x = input(20, l16, 80);
    const level = 8000;
    const packet = l16Payload(new Array(160).fill(level));
    x.push(1, 160, packet, 0);
    x.push(2, 320, packet, 20);
    x.push(6, 960, packet, 100); // 3, 4 and 5 are lost
    expect(read(x).frame[0]).toBe(level);
    expect(read(x).frame[0]).toBe(level);
    const lost = [read(x), read(x), read(x)];
    expect(lost.map((r) => r.frame[0])).toEqual([level / 2, level / 4, 0]);
    expect(lost.map((r) => r.frame[159])).toEqual([level / 2, level / 4, 0]);
    expect(read(x).frame[0]).toBe(level);
    expect(x.toJSON()).toMatchObject({ decoded: 3, concealed: 3, jitter: { lost: 3 } });
  });

  it('uses the codec’s own concealment when it has one', () => {
    const plc: PayloadDecoder = { decodeInto: l16.decodeInto, concealInto: (out) => (out.fill(42, 0, 160), 160) };
    const x = input(20, plc);
    x.push(1, 160, l16Payload(new Array(160).fill(1000)), 0);
    x.push(3, 480, l16Payload(new Array(160).fill(1000)), 40);
    read(x);
    expect(read(x).frame.every((v) => v === 42)).toBe(true);
  });

  it('is silent, not repeating, when the source pauses (an empty buffer is not a loss)', () => {
    const x = input();
    x.push(1, 160, l16Payload(new Array(160).fill(500)), 0);
    x.push(2, 320, l16Payload(new Array(160).fill(500)), 20);
    read(x);
    read(x);
    expect(read(x).spoke).toBe(false);
    expect(x.toJSON().concealed).toBe(0);
  });

  it('conceals a packet its decoder rejects', () => {
    const picky: PayloadDecoder = {
      decodeInto(out, p) {
        if (p[0] === 0xff) throw new Error('corrupt');
        return l16.decodeInto(out, p);
      },
    };
    const x = input(20, picky);
    x.push(1, 160, l16Payload(new Array(160).fill(100)), 0);
    x.push(2, 320, Uint8Array.of(0xff, 0xff), 20);
    read(x);
    expect(read(x).frame[0]).toBe(50);
    expect(x.toJSON()).toMatchObject({ decodeErrors: 1, concealed: 1 });
  });
});
