// 100 rooms of 10 participants ticked in one process (the conference benchmark's shape, without
// timing: bench/media/mix-tick.ts measures). Each participant says its own tone; in every room
// each one hears the nine others and not itself.
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { ToneGenerator } from '../dsp/tone.js';
import type { FrameSource } from './frame.js';
import { Participant } from './participant.js';
import { Room } from './room.js';

const ROOMS = 100;
const PER_ROOM = 10;
const TICKS = 5;

class Tone implements FrameSource {
  readonly sampleRate = 8000;
  private readonly gen: ToneGenerator;
  constructor(frequency: number) {
    // -30 dBFS each: ten at once stay far from clipping.
    this.gen = new ToneGenerator({ frequencies: [frequency], sampleRate: 8000, level: -30 });
  }
  readFrame(out: Int16Array): boolean {
    this.gen.fill(out);
    return true;
  }
}

/** Participant i of every room says 300 + 250·i Hz (multiples of 10 Hz: exact over 100 ms). */
const frequencyOf = (i: number): number => 300 + 250 * i;

describe('Room at scale', () => {
  it('ticks 100 rooms × 10 participants, each hearing exactly the nine others', () => {
    const rooms: Room[] = [];
    const people: Participant[][] = [];
    for (let r = 0; r < ROOMS; r++) {
      const room = new Room({ id: `room-${r}` });
      const ps: Participant[] = [];
      for (let i = 0; i < PER_ROOM; i++) {
        const p = new Participant({ id: `r${r}p${i}`, sampleRate: 8000, input: new Tone(frequencyOf(i)), codec: 'PCMU/8000/20' });
        room.add(p);
        ps.push(p);
      }
      rooms.push(room);
      people.push(ps);
    }
    const windows = people.map((ps) => ps.map(() => new Int16Array(160 * TICKS)));
    for (let t = 0; t < TICKS; t++) {
      for (const room of rooms) room.tick();
      people.forEach((ps, r) => ps.forEach((p, i) => windows[r]![i]!.set(p.output, t * 160)));
    }
    const wrong: string[] = [];
    windows.forEach((ws, r) =>
      ws.forEach((w, i) => {
        for (let j = 0; j < PER_ROOM; j++) {
          const db = 10 * Math.log10(goertzelPower(w, 8000, frequencyOf(j)) + 1e-12);
          const ok = j === i ? db <= -50 : db > -36;
          if (!ok) wrong.push(`room ${r} participant ${i} hears participant ${j} at ${db.toFixed(1)} dBFS`);
        }
      }),
    );
    expect(wrong).toEqual([]);
    expect(rooms.every((r) => !r.canRelay())).toBe(true);
  });
});
