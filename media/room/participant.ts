// A call leg in a room: its decoded incoming audio goes into the mix, and on every tick it gets
// the mix of what it hears plus the RTP stamp for the packet carrying it.
import { Member } from './member.js';
import { OutputClock, type RandomUint32, type RtpStamp } from './output-clock.js';
import { FRAME_MS, type FrameSink, type FrameSource, type SampleRate } from './frame.js';

export interface ParticipantOptions {
  id: string;
  /** Rate of the decoded audio both ways (8000 for G.711, 16000 for G.722, 48000 for Opus). */
  sampleRate: SampleRate;
  /** What the participant says: usually an RtpInput; null for a leg that never speaks. */
  input?: FrameSource | null;
  /**
   * The negotiated payload format, e.g. 'PCMU/8000/20' (name, clock, ptime): two participants with
   * the same string and nothing else in the room may be bridged by relaying packets (canRelay).
   */
  codec?: string;
  /** RTP clock rate of the codec, default sampleRate (8000 for G.722, whose audio runs at 16000). */
  rtpClockRate?: number;
  /** Injected randomness for the SSRC and the initial sequence number and timestamp. */
  random?: RandomUint32;
  /** Receives the mix on every tick (the engine's encoder and sender). */
  sink?: FrameSink;
}

export class Participant extends Member {
  readonly kind = 'participant';
  readonly codec: string | null;
  /** The outgoing stream's clock: one per participant, ticked on every room tick. */
  readonly clock: OutputClock;
  /** The RTP header fields for this tick's packet (the clock's reused object). */
  readonly stamp: Readonly<RtpStamp>;

  constructor(o: ParticipantOptions) {
    super(o.id, o.sampleRate, o.input ?? null, true, o.sink ?? null);
    this.codec = o.codec ?? null;
    const clockRate = o.rtpClockRate ?? o.sampleRate;
    this.clock = new OutputClock({ samplesPerFrame: (clockRate * FRAME_MS) / 1000, random: o.random });
    this.stamp = this.clock.current;
  }

  /** Stamps this tick's packet (seq +1, ts + one frame, whatever it carries) and hands over the frame. */
  override deliver(heard: boolean): void {
    this.clock.next();
    super.deliver(heard);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), codec: this.codec, clock: this.clock.toJSON() };
  }
}
