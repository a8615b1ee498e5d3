import { describe, expect, it } from 'vitest';
import { Rfc4733Receiver, Rfc4733Sender, parseTelephoneEvent, type ReceivedDigit } from './rfc4733.js';

interface Wire {
  tick: number;
  ts: number;
  marker: boolean;
  event: number;
  end: boolean;
  duration: number;
  volume: number;
}

/** Polls the sender once per 20 ms tick for `ticks` ticks, as the engine would, from RTP timestamp ts0. */
function run(tx: Rfc4733Sender, ticks: number, ts0 = 1000, samplesPerTick = 160): Wire[] {
  const wire: Wire[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const p = tx.next();
    if (!p) continue;
    const e = parseTelephoneEvent(p.payload)!;
    wire.push({ tick, ts: (ts0 + tick * samplesPerTick + p.timestampOffset) >>> 0, marker: p.marker, ...e });
  }
  return wire;
}

describe('Rfc4733Sender', () => {
  it('sends a digit as 100 ms of updates (marker first, one timestamp, growing duration) then 3 end packets', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('1');
    expect(run(tx, 12)).toEqual([
      { tick: 0, ts: 1000, marker: true, event: 1, end: false, duration: 160, volume: 10 },
      { tick: 1, ts: 1000, marker: false, event: 1, end: false, duration: 320, volume: 10 },
      { tick: 2, ts: 1000, marker: false, event: 1, end: false, duration: 480, volume: 10 },
      { tick: 3, ts: 1000, marker: false, event: 1, end: false, duration: 640, volume: 10 },
      { tick: 4, ts: 1000, marker: false, event: 1, end: true, duration: 800, volume: 10 },
      { tick: 5, ts: 1000, marker: false, event: 1, end: true, duration: 800, volume: 10 },
      { tick: 6, ts: 1000, marker: false, event: 1, end: true, duration: 800, volume: 10 },
    ]);
    expect(tx.busy).toBe(false);
  });

  it('starts each queued digit 200 ms (10 ticks) after the previous one: 100 ms tone, 100 ms gap', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('12');
    tx.enqueue('#');
    const starts = run(tx, 40).filter((w) => w.marker);
    expect(starts.map((w) => [w.tick, w.ts, w.event])).toEqual([
      [0, 1000, 1],
      [10, 2600, 2],
      [20, 4200, 11],
    ]);
  });

  it('honours per-call tone and gap lengths, and a 48 kHz clock', () => {
    const tx = new Rfc4733Sender({ clockRate: 48000 });
    tx.enqueue('5', { toneMs: 60, gapMs: 40 });
    tx.enqueue('6');
    const wire = run(tx, 20, 0, 960);
    expect(wire.filter((w) => w.event === 5).map((w) => [w.duration, w.end])).toEqual([
      [960, false],
      [1920, false],
      [2880, true],
      [2880, true],
      [2880, true],
    ]);
    // The end repeats outlast a 40 ms gap; the next digit waits for them.
    expect(wire.find((w) => w.event === 6)).toMatchObject({ tick: 5, marker: true, ts: 5 * 960 });
  });

  it('ends a tone that is not a whole number of packets with its exact duration', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('9', { toneMs: 90 });
    expect(run(tx, 10).map((w) => w.duration)).toEqual([160, 320, 480, 640, 720, 720, 720]);
  });

  it('cancel() drops queued digits and ends the digit in progress at once', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('123');
    const first = run(tx, 2);
    tx.cancel();
    const rest = run(tx, 30);
    expect(first.map((w) => w.duration)).toEqual([160, 320]);
    expect(rest.map((w) => [w.event, w.end, w.duration])).toEqual([
      [1, true, 320],
      [1, true, 320],
      [1, true, 320],
    ]);
    expect(tx.busy).toBe(false);
    expect(tx.toJSON()).toMatchObject({ digits: 1, cancelled: 2 });
  });

  it('refuses bad digits and over-long tones without queueing anything', () => {
    const tx = new Rfc4733Sender();
    expect(() => tx.enqueue('12x')).toThrow(RangeError);
    expect(() => tx.enqueue('1', { toneMs: 9000 })).toThrow(RangeError); // > 0xFFFF units at 8 kHz
    expect(tx.busy).toBe(false);
    expect(tx.next()).toBeNull();
  });

  it('reuses one packet object and payload buffer', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('11');
    const a = tx.next();
    const b = tx.next();
    expect(a).toBe(b);
    expect(a!.payload).toBe(b!.payload);
  });

  it('round-trips through Rfc4733Receiver, losing a packet here and there, as the same digits in order', () => {
    const tx = new Rfc4733Sender();
    tx.enqueue('0123456789*#ABCD');
    let now = 0;
    const got: ReceivedDigit[] = [];
    const rx = new Rfc4733Receiver({ now: () => now, onDigit: (d) => got.push(d) });
    let ts = 123_456;
    for (let tick = 0; tick < 16 * 10 + 5; tick++, now += 20, ts += 160) {
      const p = tx.next();
      if (p && tick % 7 !== 3) rx.push(ts + p.timestampOffset, p.marker, p.payload); // drop every 7th tick's packet
      rx.poll();
    }
    rx.flush();
    expect(got.map((d) => d.digit).join('')).toBe('0123456789*#ABCD');
    expect(got.every((d) => d.endSeen && d.durationMs === 100)).toBe(true);
  });
});
