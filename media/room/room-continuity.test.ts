// What goes over the wire from a room through silence, loss and a source change: every
// participant's RTP stream keeps one SSRC, sequence numbers strictly +1 (mod 2^16) and timestamps
// +160 (mod 2^32) on every tick, while what it carries follows the input.
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { ToneGenerator } from '../dsp/tone.js';
import type { FrameSource } from './frame.js';
import { Feed } from './member.js';
import { Participant } from './participant.js';
import { Room } from './room.js';
import { RtpInput, type PayloadDecoder } from './rtp-input.js';

const TICKS = 500;

/** L16 (RFC 3551 §4.5.11: big-endian 16-bit samples). */
const l16: PayloadDecoder = {
  decodeInto(out, p) {
    const n = p.length >> 1;
    for (let i = 0; i < n; i++) out[i] = ((p[2 * i]! << 8) | p[2 * i + 1]!) << 16 >> 16;
    return n;
  },
};

function l16Payload(samples: Int16Array): Uint8Array {
  const p = new Uint8Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    p[2 * i] = (samples[i]! >> 8) & 0xff;
    p[2 * i + 1] = samples[i]! & 0xff;
  }
  return p;
}

class Tone implements FrameSource {
  readonly sampleRate = 8000;
  private readonly gen: ToneGenerator;
  constructor(frequency: number) {
    this.gen = new ToneGenerator({ frequencies: [frequency], sampleRate: 8000, level: -20 });
  }
  readFrame(out: Int16Array): boolean {
    this.gen.fill(out);
    return true;
  }
}

/** A RandomUint32 that returns the given values in turn (SSRC, first seq, first ts). */
function fixed(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

interface Wire {
  ssrc: number[];
  seq: number[];
  ts: number[];
  marker: boolean[];
  audio: Int16Array;
}

/** Records what the engine would send for participant `p`: header fields and audio, tick by tick. */
function wireOf(): { wire: Wire; attach: (p: Participant) => void; sink: { writeFrame: (f: Int16Array) => void } } {
  const wire: Wire = { ssrc: [], seq: [], ts: [], marker: [], audio: new Int16Array(TICKS * 160) };
  let p: Participant | null = null;
  let n = 0;
  return {
    wire,
    attach: (x) => (p = x),
    sink: {
      writeFrame(f) {
        wire.ssrc.push(p!.clock.ssrc);
        wire.seq.push(p!.stamp.seq);
        wire.ts.push(p!.stamp.ts);
        wire.marker.push(p!.stamp.marker);
        wire.audio.set(f, n++ * 160);
      },
    },
  };
}

function expectContinuous(w: Wire): void {
  expect(w.seq).toHaveLength(TICKS);
  expect(new Set(w.ssrc).size).toBe(1);
  expect(w.marker.every((m) => !m)).toBe(true);
  const seqSteps = new Set<number>();
  const tsSteps = new Set<number>();
  for (let i = 1; i < TICKS; i++) {
    seqSteps.add((w.seq[i]! - w.seq[i - 1]! + 65536) % 65536);
    tsSteps.add((w.ts[i]! - w.ts[i - 1]! + 2 ** 32) % 2 ** 32);
  }
  expect([...seqSteps]).toEqual([1]);
  expect([...tsSteps]).toEqual([160]);
}

/** Level in dBFS of `frequency` over ticks [from, from + 5) of the recorded audio. */
function levelDb(audio: Int16Array, fromTick: number, frequency: number): number {
  return 10 * Math.log10(goertzelPower(audio, 8000, frequency, fromTick * 160, (fromTick + 5) * 160) + 1e-12);
}

describe('Room output clock through silence, loss and a source change', () => {
  it('keeps one SSRC, seq +1 and ts +160 on every one of 500 ticks, and the audio follows the input', () => {
    const input = new RtpInput({ sampleRate: 8000, decoder: l16, jitter: { clockRate: 8000 } });
    const a = wireOf();
    const b = wireOf();
    // Both streams start close to the wraps: seq wraps within 136 ticks, ts within 26.
    const A = new Participant({ id: 'A', sampleRate: 8000, input, random: fixed(0xa, 65400, 0xfffff000), sink: a.sink });
    const B = new Participant({ id: 'B', sampleRate: 8000, input: new Tone(700), random: fixed(0xb, 65500, 0xffffff00), sink: b.sink });
    a.attach(A);
    b.attach(B);
    const room = new Room();
    room.add(A);
    room.add(B);

    // A's far end: a 440 Hz caller until tick 300, then another source (a 1100 Hz prompt) with its
    // own sequence numbers and timestamps behind the same SSRC.
    let voice = new ToneGenerator({ frequencies: [440], sampleRate: 8000, level: -20 });
    let seq = 1000;
    let ts = 50_000;
    const frame = new Int16Array(160);
    const held: [number, number, Uint8Array][] = [];
    for (let t = 0; t < TICKS; t++) {
      if (t === 300) {
        voice = new ToneGenerator({ frequencies: [1100], sampleRate: 8000, level: -20 });
        seq = 30_000;
        ts = 123_456_789;
      }
      voice.fill(frame);
      const silent = t >= 100 && t < 200; // the caller stops sending (DTX): seq stays, ts moves on
      const lost = t >= 200 && t < 300 && t % 5 === 0;
      if (!silent) {
        const packet: [number, number, Uint8Array] = [seq, ts, l16Payload(frame)];
        // Every 10th packet is overtaken by its successor.
        if (t % 10 === 3) held.push(packet);
        else if (!lost) {
          input.push(packet[0], packet[1], packet[2], t * 20);
          for (const h of held.splice(0)) input.push(h[0], h[1], h[2], t * 20);
        }
        seq = (seq + 1) & 0xffff;
      }
      ts = (ts + 160) >>> 0;
      room.tick();
    }

    expectContinuous(a.wire);
    expectContinuous(b.wire);
    expect(a.wire.seq[0]).toBe(65400);
    expect(b.wire.ts[0]).toBe(0xffffff00);

    // B hears the caller, then silence, then the caller through 20% loss, then the new source.
    expect(levelDb(b.wire.audio, 50, 440)).toBeGreaterThan(-26);
    expect(levelDb(b.wire.audio, 150, 440)).toBeLessThanOrEqual(-50);
    expect(levelDb(b.wire.audio, 250, 440)).toBeGreaterThan(-30);
    expect(levelDb(b.wire.audio, 450, 1100)).toBeGreaterThan(-26);
    expect(levelDb(b.wire.audio, 450, 440)).toBeLessThanOrEqual(-50);
    // A hears B throughout and never itself.
    for (const t of [50, 150, 250, 450]) {
      expect(levelDb(a.wire.audio, t, 700)).toBeGreaterThan(-26);
      expect(levelDb(a.wire.audio, t, 440)).toBeLessThanOrEqual(-50);
    }
    expect(input.toJSON().jitter).toMatchObject({ resets: 1, lost: 20, late: 0, underruns: 1 });
    expect(input.toJSON().jitter.reordered).toBeGreaterThan(0);
  });

  it('keeps the streams continuous through a join that lifts the room to 16 kHz, a leave, mute and hold', () => {
    const a = wireOf();
    const b = wireOf();
    const A = new Participant({ id: 'A', sampleRate: 8000, input: new Tone(440), random: fixed(1, 65000, 0xfffff800), sink: a.sink });
    const B = new Participant({ id: 'B', sampleRate: 8000, input: new Tone(700), random: fixed(2, 100, 5), sink: b.sink });
    a.attach(A);
    b.attach(B);
    const wideband = new ToneGenerator({ frequencies: [1100], sampleRate: 16000, level: -20 });
    const C = new Participant({
      id: 'C',
      sampleRate: 16000,
      input: { sampleRate: 16000, readFrame: (out) => (wideband.fill(out), true) },
    });
    const music = new Feed({ id: 'moh', source: new Tone(300) });
    const room = new Room();
    room.add(A);
    room.add(B);
    room.add(music);
    const rates: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      if (t === 100) room.add(C);
      if (t === 200) room.remove(C);
      if (t === 250) room.mute(B);
      if (t === 300) room.hold(A, music);
      if (t === 400) room.normal(A);
      room.tick();
      rates.push(room.rate);
    }
    expectContinuous(a.wire);
    expectContinuous(b.wire);
    expect(rates[150]).toBe(16000);
    expect(rates[250]).toBe(8000);
    expect(levelDb(a.wire.audio, 50, 700)).toBeGreaterThan(-26);
    expect(levelDb(a.wire.audio, 150, 1100)).toBeGreaterThan(-26);
    expect(levelDb(a.wire.audio, 150, 700)).toBeGreaterThan(-26);
    expect(levelDb(a.wire.audio, 260, 700)).toBeLessThanOrEqual(-50);
    expect(levelDb(a.wire.audio, 350, 300)).toBeGreaterThan(-26);
    expect(levelDb(b.wire.audio, 350, 440)).toBeLessThanOrEqual(-50);
    expect(levelDb(b.wire.audio, 450, 440)).toBeGreaterThan(-26);
    expect(levelDb(a.wire.audio, 450, 300)).toBeLessThanOrEqual(-50);
  });
});
