// What each member of a room hears, found by frequency: every speaker says a sine of its own
// (A 440 Hz, B 700 Hz, C 1100 Hz, D 1500 Hz, hold music 300 Hz) and each output is searched for
// each of them over the last 100 ms (a window holding a whole number of cycles of every tone, so
// one tone leaks nothing into another's measurement).
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../dsp/goertzel.js';
import { ToneGenerator } from '../dsp/tone.js';
import { frameSamples, type FrameSource, type SampleRate } from './frame.js';
import { Feed, Tap, type Member } from './member.js';
import { Participant } from './participant.js';
import { Room } from './room.js';

const F = { A: 440, B: 700, C: 1100, D: 1500, music: 300 } as const;
/** Each tone at -20 dBFS: four at once still cannot clip. */
const LEVEL = -20;
const PRESENT_DB = -26;
const ABSENT_DB = -50;
const WINDOW_FRAMES = 5;

class Tone implements FrameSource {
  private readonly gen: ToneGenerator;
  constructor(
    frequency: number,
    readonly sampleRate: SampleRate,
  ) {
    this.gen = new ToneGenerator({ frequencies: [frequency], sampleRate, level: LEVEL });
  }
  readFrame(out: Int16Array): boolean {
    this.gen.fill(out);
    return true;
  }
}

class Constant implements FrameSource {
  constructor(
    private readonly value: number,
    readonly sampleRate: SampleRate = 8000,
  ) {}
  readFrame(out: Int16Array): boolean {
    out.fill(this.value);
    return true;
  }
}

class Silent implements FrameSource {
  readonly sampleRate = 8000;
  readFrame(): boolean {
    return false;
  }
}

/** Ticks the room `ticks` times and keeps the last WINDOW_FRAMES outputs of every member that hears. */
function run(room: Room, ticks = 12): Map<Member, Int16Array> {
  const windows = new Map<Member, Int16Array>();
  for (const m of room.members) if (m.hasOutput) windows.set(m, new Int16Array(m.output.length * WINDOW_FRAMES));
  for (let t = 0; t < ticks; t++) {
    room.tick();
    const slot = t - (ticks - WINDOW_FRAMES);
    if (slot < 0) continue;
    for (const [m, w] of windows) w.set(m.output, slot * m.output.length);
  }
  return windows;
}

function levelDb(w: Int16Array, rate: number, frequency: number): number {
  return 10 * Math.log10(goertzelPower(w, rate, frequency) + 1e-12);
}

/** Asserts which tones `listener` hears (true) and which it must not (false). */
function expectHears(windows: Map<Member, Int16Array>, listener: Member, expected: Record<string, boolean>): void {
  const w = windows.get(listener)!;
  const got: Record<string, boolean> = {};
  const levels: Record<string, number> = {};
  for (const [name, present] of Object.entries(expected)) {
    const db = levelDb(w, listener.sampleRate, F[name as keyof typeof F]);
    levels[name] = Math.round(db);
    // Heard: above PRESENT_DB when it must be heard; anything above ABSENT_DB when it must not.
    got[name] = present ? db > PRESENT_DB : db > ABSENT_DB;
  }
  expect({ listener: listener.id, hears: got }, `levels heard by ${listener.id}: ${JSON.stringify(levels)}`).toEqual({
    listener: listener.id,
    hears: expected,
  });
}

function participant(id: keyof typeof F, rate: SampleRate = 8000, codec = 'PCMU/8000/20'): Participant {
  return new Participant({ id, sampleRate: rate, input: new Tone(F[id], rate), codec });
}

function conference(): { room: Room; A: Participant; B: Participant; C: Participant; D: Participant } {
  const room = new Room({ id: 'conf' });
  const A = participant('A');
  const B = participant('B');
  const C = participant('C');
  const D = participant('D');
  for (const p of [A, B, C, D]) room.add(p);
  return { room, A, B, C, D };
}

describe('Room: who hears whom', () => {
  it('everyone hears everyone else and never their own voice (four: the base sum minus one’s own)', () => {
    const { room, A, B, C, D } = conference();
    const w = run(room);
    expectHears(w, A, { A: false, B: true, C: true, D: true });
    expectHears(w, B, { A: true, B: false, C: true, D: true });
    expectHears(w, C, { A: true, B: true, C: false, D: true });
    expectHears(w, D, { A: true, B: true, C: true, D: false });
    expect(A.heard).toBe(true);
  });

  it('a two-party call: each hears the other only', () => {
    const room = new Room();
    const A = participant('A');
    const B = participant('B');
    room.add(A);
    room.add(B);
    const w = run(room);
    expectHears(w, A, { A: false, B: true });
    expectHears(w, B, { A: true, B: false });
  });

  it('mute: a muted speaker is heard by nobody, and still hears everyone', () => {
    const { room, A, B, C, D } = conference();
    room.mute(B);
    const w = run(room);
    for (const p of [A, C, D]) expectHears(w, p, { B: false });
    expectHears(w, B, { A: true, B: false, C: true, D: true });
    expectHears(w, A, { C: true, D: true });
    room.mute(B, false);
    expectHears(run(room), A, { B: true });
  });

  it('deaf: hears nobody, and is still heard', () => {
    const { room, A, B, C, D } = conference();
    room.deaf(A);
    const w = run(room);
    expectHears(w, A, { A: false, B: false, C: false, D: false });
    expect(A.heard).toBe(false);
    expect(A.output.every((s) => s === 0)).toBe(true);
    for (const p of [B, C, D]) expectHears(w, p, { A: true });
  });

  it('mute and deaf combine, and undo one at a time', () => {
    const { room, A, B } = conference();
    room.mute(A);
    room.deaf(A);
    expect(room.audibilityOf(A).mode).toBe('mute+deaf');
    let w = run(room);
    expectHears(w, A, { B: false, C: false, D: false });
    expectHears(w, B, { A: false, C: true });
    room.mute(A, false);
    expect(room.audibilityOf(A).mode).toBe('deaf');
    w = run(room);
    expectHears(w, A, { B: false, C: false, D: false });
    expectHears(w, B, { A: true });
    room.deaf(A, false);
    expect(room.audibilityOf(A).mode).toBe('normal');
    expectHears(run(room), A, { B: true, C: true, D: true });
  });

  it('whisper: heard by its target only; the whisperer hears everyone', () => {
    const { room, A, B, C, D } = conference();
    room.whisper(D, A); // a coach talking to agent A
    const w = run(room);
    expectHears(w, A, { B: true, C: true, D: true });
    expectHears(w, B, { A: true, C: true, D: false });
    expectHears(w, C, { A: true, B: true, D: false });
    expectHears(w, D, { A: true, B: true, C: true, D: false });
  });

  it('hold: the held party hears the music only, and nobody hears it or the music', () => {
    const { room, A, B, C, D } = conference();
    const music = new Feed({ id: 'moh', source: new Tone(F.music, 8000) });
    room.add(music);
    room.hold(B, music);
    let w = run(room);
    expectHears(w, B, { music: true, A: false, B: false, C: false, D: false });
    for (const p of [A, C, D]) expectHears(w, p, { B: false, music: false });
    expectHears(w, A, { C: true, D: true });
    room.normal(B);
    w = run(room);
    expectHears(w, B, { music: false, A: true, C: true });
    expectHears(w, A, { B: true, music: false });
  });

  it('listen then barge: a monitor hears all and is heard by none, until it barges in', () => {
    const { room, A, B, C, D } = conference();
    room.listen(D);
    let w = run(room);
    expectHears(w, D, { A: true, B: true, C: true, D: false });
    for (const p of [A, B, C]) expectHears(w, p, { D: false });
    expectHears(w, A, { B: true, C: true });
    room.barge(D);
    w = run(room);
    for (const p of [A, B, C]) expectHears(w, p, { D: true });
    expectHears(w, D, { A: true, B: true, C: true, D: false });
  });

  it('setHears: the raw listener side, still limited by what each speaker allows', () => {
    const { room, A, B, C, D } = conference();
    room.setHears(A, new Set([B, C]));
    room.mute(C);
    const w = run(room);
    expectHears(w, A, { B: true, C: false, D: false });
    expect([...room.hearsOf(A)].map((m) => m.id)).toEqual(['B']);
    expectHears(w, D, { A: true, B: true, C: false });
  });

  it('mixes members at different rates (8, 16, 48 kHz), resampling in and out', () => {
    const room = new Room();
    const A = participant('A', 8000);
    const B = participant('B', 16000);
    const C = participant('C', 48000);
    for (const p of [A, B, C]) room.add(p);
    const w = run(room, 16);
    expect(room.rate).toBe(48000);
    expectHears(w, A, { A: false, B: true, C: true });
    expectHears(w, B, { A: true, B: false, C: true });
    expectHears(w, C, { A: true, B: true, C: false });
    expect(B.output.length).toBe(320);
  });

  it('mixes at a fixed rate when told to', () => {
    const room = new Room({ rate: 16000 });
    const A = participant('A', 8000);
    const B = participant('B', 8000);
    room.add(A);
    room.add(B);
    const w = run(room, 16);
    expect(room.rate).toBe(16000);
    expectHears(w, A, { A: false, B: true });
  });

  it('a recorder tap hears whom it is told to, and a muted member is not recorded', () => {
    const { room, A, B } = conference();
    const rec = new Tap({ id: 'rec', sampleRate: 16000 });
    room.add(rec);
    room.setHears(rec, new Set([A, B]));
    let w = run(room, 16);
    expect(room.rate).toBe(8000); // a 16 kHz recorder does not make 8 kHz voices worth mixing at 16 kHz
    expectHears(w, rec, { A: true, B: true, C: false, D: false });
    room.mute(A);
    w = run(room, 16);
    expectHears(w, rec, { A: false, B: true });
  });

  it('a recorder tap gets its mix through its sink on every tick', () => {
    const { room } = conference();
    const frames: number[] = [];
    room.add(new Tap({ id: 'rec', sampleRate: 8000, sink: { writeFrame: (f, heard) => frames.push(heard ? f.length : -1) } }));
    run(room, 3);
    expect(frames).toEqual([160, 160, 160]);
  });

  it('a feed heard by everyone (an announcement) reaches every participant', () => {
    const { room, A, B, C, D } = conference();
    const prompt = new Feed({ id: 'prompt', source: new Tone(F.music, 8000) });
    room.add(prompt);
    expectHears(run(room), A, { music: false });
    room.setHeardBy(prompt, 'everyone');
    const w = run(room);
    for (const p of [A, B, C, D]) expectHears(w, p, { music: true });
  });

  it('a member that leaves is no longer heard', () => {
    const { room, A, B } = conference();
    room.remove(B);
    expectHears(run(room), A, { B: false, C: true, D: true });
  });

  it('a speaker with nothing to say leaves its listener silent and not "heard"', () => {
    const room = new Room();
    const A = new Participant({ id: 'A', sampleRate: 8000, input: new Silent() });
    const B = participant('B');
    room.add(A);
    room.add(B);
    room.tick();
    expect(B.heard).toBe(false);
    expect(B.output.every((s) => s === 0)).toBe(true);
    expect(A.heard).toBe(true);
  });

  it('saturates a loud sum at full scale instead of wrapping around', () => {
    const room = new Room();
    const loud = (id: string, v: number): Participant => new Participant({ id, sampleRate: 8000, input: new Constant(v) });
    const [a, b, c, d, e] = [loud('a', 30000), loud('b', 30000), loud('c', -30000), loud('d', -30000), loud('e', 0)];
    for (const p of [a, b, c, d, e]) room.add(p);
    room.setHears(e, new Set([a, b]));
    room.tick();
    expect(e.output[0]).toBe(32767);
    // c hears a + b + d + e = 30000 (the base sum minus its own -30000, computed before saturating).
    expect(c.output[0]).toBe(30000);
  });
});

describe('Room: relay fast path', () => {
  it('allows relaying only for two same-codec participants hearing each other and nothing else', () => {
    const room = new Room();
    const A = participant('A');
    const B = participant('B');
    room.add(A);
    room.add(B);
    expect(room.canRelay()).toBe(true);
    const rec = new Tap({ id: 'rec', sampleRate: 8000 });
    room.add(rec);
    expect(room.canRelay()).toBe(false);
    room.remove(rec);
    expect(room.canRelay()).toBe(true);
    room.mute(A);
    expect(room.canRelay()).toBe(false);
    room.normal(A);
    room.add(participant('C'));
    expect(room.canRelay()).toBe(false);
  });

  it('does not relay between different codecs', () => {
    const room = new Room();
    room.add(participant('A', 8000, 'PCMU/8000/20'));
    room.add(participant('B', 8000, 'PCMA/8000/20'));
    expect(room.canRelay()).toBe(false);
  });
});

describe('Room: stats', () => {
  it('reports rate, modes, who hears whom and each input’s stats', () => {
    const { room, A, D } = conference();
    room.listen(D);
    room.tick();
    const j = room.toJSON() as { rate: number; ticks: number; members: { id: string; mode: string; hears: string[] }[] };
    expect(j.rate).toBe(8000);
    expect(j.ticks).toBe(1);
    expect(j.members.find((m) => m.id === 'D')).toMatchObject({ mode: 'listen', hears: ['A', 'B', 'C'] });
    expect(j.members.find((m) => m.id === 'A')).toMatchObject({ mode: 'normal', hears: ['B', 'C'] });
    expect(frameSamples(A.sampleRate)).toBe(A.output.length);
  });
});
