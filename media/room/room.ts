// A room: members, who hears whom (hears.ts), and tick(), which every 20 ms pulls one frame from
// each member that says something, mixes for each member that hears, and hands each its frame.
//
//   inputs (member rate) ─resample─► room rate ─┬─ base sum (once) ─┐
//                                                └─ differences ─────┴─► mix (room rate) ─resample─► output (member rate)
//
// The room mixes at one rate: by default the highest rate among the members that say something
// (an all-G.711 room mixes at 8 kHz and resamples nothing; one wideband speaker lifts it to 16 kHz
// so the wideband listeners hear it as it is; a 16 kHz recorder alone does not, since mixing
// 8 kHz voices at 16 kHz adds nothing to them), or a fixed rate given at construction.
//
// Memory: buffers and resamplers are allocated when membership or audibility changes (the plan is
// rebuilt on the next tick). tick() itself allocates nothing, apart from whatever the members'
// sources and sinks do.
import * as hears from './hears.js';
import { addInto, copyInto, saturateInto, saturateMinusInto, subtractInto } from './mix.js';
import { planMix } from './mix-plan.js';
import { frameSamples, type SampleRate } from './frame.js';
import type { Audibility, Audience } from './hears.js';
import type { Member } from './member.js';
import { Participant } from './participant.js';
import { Resampler } from '../dsp/resample.js';

export interface RoomOptions {
  id?: string;
  /** 'auto' (default): the highest rate among members with an input; or a fixed mixing rate. */
  rate?: SampleRate | 'auto';
}

/** Frames of zeros pushed through a resampler after its stream stops, so the filter's tail comes out. */
const FLUSH_FRAMES = 2;

interface InputSlot {
  member: Member;
  /** The member's frame at its own rate. */
  frame: Int16Array;
  resampler: Resampler | null;
  /** The same frame at the room rate (`frame` itself when the rates match). */
  roomIn: Int16Array;
  roomBuf: Int16Array;
  active: boolean;
  quiet: number;
}

interface OutputSlot {
  member: Member;
  /** The mix at the room rate (the member's output itself when the rates match). */
  mix: Int16Array;
  resampler: Resampler | null;
  outBuf: Int16Array;
  outView: Int16Array;
  quiet: number;
  useBase: boolean;
  add: InputSlot[];
  sub: InputSlot[];
}

export class Room {
  readonly id: string;
  private readonly fixedRate: SampleRate | null;
  private currentRate: SampleRate;
  private readonly list: Member[] = [];
  private readonly audibility = new Map<Member, Audibility>();
  private dirty = true;
  private inputs: InputSlot[] = [];
  private outputs: OutputSlot[] = [];
  private base: InputSlot[] = [];
  private baseUsed = false;
  private baseSum = new Int32Array(0);
  private acc = new Int32Array(0);
  private ticks = 0;

  constructor(o: RoomOptions = {}) {
    this.id = o.id ?? 'room';
    this.fixedRate = o.rate === undefined || o.rate === 'auto' ? null : o.rate;
    this.currentRate = this.fixedRate ?? 8000;
  }

  /** The mixing rate (after the next tick, if membership changed since the last). */
  get rate(): SampleRate {
    return this.currentRate;
  }

  get members(): readonly Member[] {
    return this.list;
  }

  has(m: Member): boolean {
    return this.audibility.has(m);
  }

  /** Joins a member: a participant in normal mode, a feed heard by nobody yet, a tap hearing everyone. */
  add(m: Member): void {
    if (this.audibility.has(m)) throw new Error(`${m.id} is already in room ${this.id}`);
    this.list.push(m);
    const initial: Audibility =
      m.kind === 'participant'
        ? hears.normal()
        : m.kind === 'feed'
          ? { mode: 'custom', listensTo: 'nobody', heardBy: 'nobody', holdMusic: null }
          : { mode: 'custom', listensTo: 'everyone', heardBy: 'nobody', holdMusic: null };
    this.audibility.set(m, initial);
    this.dirty = true;
  }

  remove(m: Member): void {
    if (!this.audibility.has(m)) return;
    this.apply(m, hears.normal()); // releases its hold music, if any
    this.audibility.delete(m);
    this.list.splice(this.list.indexOf(m), 1);
    this.dirty = true;
  }

  audibilityOf(m: Member): Audibility {
    const a = this.audibility.get(m);
    if (a === undefined) throw new Error(`${m.id} is not in room ${this.id}`);
    return a;
  }

  /** The members `listener` hears now. */
  hearsOf(listener: Member): Set<Member> {
    const l = this.audibilityOf(listener);
    const out = new Set<Member>();
    for (const s of this.list) if (hears.hearsMember(listener, l, s, this.audibility.get(s)!)) out.add(s);
    return out;
  }

  normal(p: Member): void {
    this.apply(p, hears.normal());
  }

  mute(p: Member, on = true): void {
    this.apply(p, hears.mute(this.audibilityOf(p), on));
  }

  deaf(p: Member, on = true): void {
    this.apply(p, hears.deaf(this.audibilityOf(p), on));
  }

  /** Holds p: it hears `music` (a member of this room, usually a Feed) or nothing, and nobody hears it. */
  hold(p: Member, music: Member | null): void {
    if (music !== null) this.audibilityOf(music);
    this.apply(p, hears.hold(music));
  }

  listen(p: Member): void {
    this.apply(p, hears.listen());
  }

  whisper(p: Member, target: Member): void {
    this.audibilityOf(target);
    this.apply(p, hears.whisper(target));
  }

  barge(p: Member): void {
    this.apply(p, hears.barge());
  }

  /** The raw listener side: p hears these members (each as far as it lets itself be heard); null = everyone. */
  setHears(p: Member, set: ReadonlySet<Member> | null): void {
    this.apply(p, hears.withHears(this.audibilityOf(p), set));
  }

  /** The raw speaker side: who may hear `speaker` (a player heard by chosen participants). */
  setHeardBy(speaker: Member, audience: Audience): void {
    this.apply(speaker, hears.withHeardBy(this.audibilityOf(speaker), audience));
  }

  /**
   * True for exactly two participants with the same codec hearing each other and nothing else:
   * the engine may then relay packets instead of mixing (stamping them with each participant's
   * output clock, so the far ends see no jump when mixing resumes). Any tap, feed, third member
   * or mode other than normal/barge makes it false.
   */
  canRelay(): boolean {
    if (this.list.length !== 2) return false;
    const [a, b] = this.list as [Member, Member];
    if (!(a instanceof Participant) || !(b instanceof Participant)) return false;
    if (a.codec === null || a.codec !== b.codec) return false;
    const la = this.audibility.get(a)!;
    const lb = this.audibility.get(b)!;
    return hears.hearsMember(a, la, b, lb) && hears.hearsMember(b, lb, a, la);
  }

  /** One 20 ms frame for everyone. Allocates nothing unless membership or audibility changed. */
  tick(): void {
    if (this.dirty) this.rebuild();
    this.ticks++;
    const inputs = this.inputs;
    for (let k = 0; k < inputs.length; k++) this.pull(inputs[k]!);

    let baseActive = 0;
    if (this.baseUsed) {
      const base = this.base;
      const sum = this.baseSum;
      for (let k = 0; k < base.length; k++) {
        const s = base[k]!;
        if (!s.active) continue;
        if (baseActive === 0) copyInto(sum, s.roomIn);
        else addInto(sum, s.roomIn);
        baseActive++;
      }
    }
    const outputs = this.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs[k]!;
      const heard = this.mixFor(o, baseActive);
      o.member.deliver(this.resampleOut(o, heard));
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      rate: this.currentRate,
      ticks: this.ticks,
      canRelay: this.canRelay(),
      baseInputs: this.base.length,
      members: this.list.map((m) => {
        const a = this.audibility.get(m)!;
        const input = m.input as { toJSON?: () => unknown } | null;
        return {
          ...m.toJSON(),
          mode: a.mode,
          hears: [...this.hearsOf(m)].map((h) => h.id),
          ...(input?.toJSON ? { input: input.toJSON() } : {}),
        };
      }),
    };
  }

  private apply(m: Member, next: Audibility): void {
    const prev = this.audibilityOf(m);
    const oldMusic = prev.holdMusic;
    const newMusic = next.holdMusic;
    if (oldMusic !== null && oldMusic !== newMusic && this.audibility.has(oldMusic)) {
      this.audibility.set(oldMusic, hears.heardByWith(this.audibility.get(oldMusic)!, m, false));
    }
    this.audibility.set(m, next);
    if (newMusic !== null && newMusic !== oldMusic) {
      this.audibility.set(newMusic, hears.heardByWith(this.audibility.get(newMusic)!, m, true));
    }
    this.dirty = true;
  }

  /** Reads one member's frame and brings it to the room rate. */
  private pull(s: InputSlot): void {
    const spoke = s.member.input!.readFrame(s.frame);
    if (s.resampler === null) {
      s.active = spoke;
      return;
    }
    if (spoke) {
      s.quiet = 0;
    } else if (s.quiet < FLUSH_FRAMES) {
      s.quiet++;
      s.frame.fill(0);
    } else {
      s.active = false;
      return;
    }
    s.resampler.processInto(s.frame, s.roomBuf);
    s.active = true;
  }

  /** Writes o's mix at the room rate into o.mix; returns whether anything audible went in. */
  private mixFor(o: OutputSlot, baseActive: number): boolean {
    const out = o.mix;
    const acc = this.acc;
    let nSub = 0;
    let lastSub: InputSlot | null = null;
    let nAdd = 0;
    for (let k = 0; k < o.add.length; k++) if (o.add[k]!.active) nAdd++;
    if (o.useBase && baseActive > 0) {
      for (let k = 0; k < o.sub.length; k++) {
        const s = o.sub[k]!;
        if (s.active) {
          nSub++;
          lastSub = s;
        }
      }
      if (baseActive - nSub + nAdd === 0) {
        out.fill(0);
        return false;
      }
      if (nAdd === 0 && nSub === 0) {
        saturateInto(out, this.baseSum);
        return true;
      }
      if (nAdd === 0 && nSub === 1) {
        saturateMinusInto(out, this.baseSum, lastSub!.roomIn);
        return true;
      }
      acc.set(this.baseSum);
      for (let k = 0; k < o.sub.length; k++) if (o.sub[k]!.active) subtractInto(acc, o.sub[k]!.roomIn);
      for (let k = 0; k < o.add.length; k++) if (o.add[k]!.active) addInto(acc, o.add[k]!.roomIn);
      saturateInto(out, acc);
      return true;
    }
    // Directly: from the base with no base input speaking, only the additions are left.
    if (nAdd === 0) {
      out.fill(0);
      return false;
    }
    let first = true;
    for (let k = 0; k < o.add.length; k++) {
      const s = o.add[k]!;
      if (!s.active) continue;
      if (nAdd === 1) {
        out.set(s.roomIn);
        return true;
      }
      if (first) copyInto(acc, s.roomIn);
      else addInto(acc, s.roomIn);
      first = false;
    }
    saturateInto(out, acc);
    return true;
  }

  /** Brings o's mix to the member's rate (its output); returns whether the output holds sound. */
  private resampleOut(o: OutputSlot, heard: boolean): boolean {
    if (o.resampler === null) return heard;
    if (heard) {
      o.quiet = 0;
    } else if (o.quiet < FLUSH_FRAMES) {
      o.quiet++; // o.mix is zeros: push them through so the filter's tail comes out
    } else {
      o.member.output.fill(0);
      return false;
    }
    o.resampler.processInto(o.mix, o.outBuf);
    o.member.output.set(o.outView);
    return true;
  }

  /** Re-plans after a membership or audibility change: allocates buffers, resamplers, the plan. */
  private rebuild(): void {
    let rate = this.fixedRate;
    if (rate === null) {
      rate = 8000;
      for (const m of this.list) if (m.input !== null && m.sampleRate > rate) rate = m.sampleRate;
    }
    const rateChanged = rate !== this.currentRate;
    this.currentRate = rate;
    const roomFrame = frameSamples(rate);
    if (this.acc.length !== roomFrame) {
      this.acc = new Int32Array(roomFrame);
      this.baseSum = new Int32Array(roomFrame);
    }
    const oldIn = new Map(this.inputs.map((s) => [s.member, s]));
    const oldOut = new Map(this.outputs.map((s) => [s.member, s]));
    // Keep slots (and their resampler state) across plan changes; rebuild all after a rate change.
    this.inputs = this.list
      .filter((m) => m.input !== null)
      .map((m) => (!rateChanged && oldIn.get(m)) || this.inputSlot(m, rate));
    this.outputs = this.list.filter((m) => m.hasOutput).map((m) => (!rateChanged && oldOut.get(m)) || this.outputSlot(m, rate));

    const sets = this.outputs.map((o) => {
      const l = this.audibility.get(o.member)!;
      const heard: number[] = [];
      this.inputs.forEach((s, i) => {
        if (hears.hearsMember(o.member, l, s.member, this.audibility.get(s.member)!)) heard.push(i);
      });
      return heard;
    });
    const plan = planMix(sets, this.inputs.length);
    this.base = plan.base.map((i) => this.inputs[i]!);
    this.baseUsed = plan.baseUsed;
    this.outputs.forEach((o, k) => {
      const p = plan.outputs[k]!;
      o.useBase = p.useBase;
      o.add = p.add.map((i) => this.inputs[i]!);
      o.sub = p.sub.map((i) => this.inputs[i]!);
    });
    this.dirty = false;
  }

  private inputSlot(m: Member, rate: SampleRate): InputSlot {
    const frame = new Int16Array(frameSamples(m.sampleRate));
    if (m.sampleRate === rate) return { member: m, frame, resampler: null, roomIn: frame, roomBuf: frame, active: false, quiet: 0 };
    const resampler = new Resampler(m.sampleRate, rate);
    const roomBuf = new Int16Array(resampler.maxOutputLength(frame.length));
    return { member: m, frame, resampler, roomIn: roomBuf.subarray(0, frameSamples(rate)), roomBuf, active: false, quiet: 0 };
  }

  private outputSlot(m: Member, rate: SampleRate): OutputSlot {
    const slot: OutputSlot = {
      member: m,
      mix: m.output,
      resampler: null,
      outBuf: m.output,
      outView: m.output,
      quiet: FLUSH_FRAMES,
      useBase: false,
      add: [],
      sub: [],
    };
    if (m.sampleRate !== rate) {
      slot.mix = new Int16Array(frameSamples(rate));
      slot.resampler = new Resampler(rate, m.sampleRate);
      slot.outBuf = new Int16Array(slot.resampler.maxOutputLength(slot.mix.length));
      slot.outView = slot.outBuf.subarray(0, m.output.length);
    }
    return slot;
  }
}
