// The members of a room. Three kinds, one mechanism (hears.ts):
//
//   participant  a call leg: says something (its decoded RTP) and hears a mix (participant.ts)
//   feed         says something, hears nothing: a player with hold music, prompts, tones
//   tap          hears a mix, says nothing: a recorder, a transcriber
//
// A member holds its own output frame (allocated once, at its rate); the room writes the mix into
// it on every tick and then calls deliver().
import { assertSampleRate, frameSamples, type FrameSink, type FrameSource, type SampleRate } from './frame.js';

export type MemberKind = 'participant' | 'feed' | 'tap';

const NO_OUTPUT = new Int16Array(0);

export abstract class Member {
  abstract readonly kind: MemberKind;
  readonly id: string;
  readonly sampleRate: SampleRate;
  /** Where this member's sound comes from; null for a tap. */
  readonly input: FrameSource | null;
  /** Whether the room mixes for this member (participants and taps). */
  readonly hasOutput: boolean;
  /** This tick's mix at the member's own rate, rewritten on every tick (empty for a feed). */
  readonly output: Int16Array;
  /** Whether anything audible went into `output` this tick (when false it is all zeros). */
  heard = false;
  protected readonly sink: FrameSink | null;

  protected constructor(id: string, sampleRate: number, input: FrameSource | null, hasOutput: boolean, sink: FrameSink | null) {
    assertSampleRate(sampleRate, `member ${id}`);
    if (input !== null && input.sampleRate !== sampleRate) {
      throw new RangeError(`member ${id}: its input runs at ${input.sampleRate} Hz, not ${sampleRate}`);
    }
    this.id = id;
    this.sampleRate = sampleRate;
    this.input = input;
    this.hasOutput = hasOutput;
    this.output = hasOutput ? new Int16Array(frameSamples(sampleRate)) : NO_OUTPUT;
    this.sink = sink;
  }

  /** Called by the room once per tick after `output` is written. */
  deliver(heard: boolean): void {
    this.heard = heard;
    if (this.sink !== null) this.sink.writeFrame(this.output, heard);
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, kind: this.kind, sampleRate: this.sampleRate };
  }
}

export interface FeedOptions {
  id: string;
  source: FrameSource;
}

/** A sound that is not a call: a player (hold music, prompts), a tone. Heard by whom the room says. */
export class Feed extends Member {
  readonly kind = 'feed';

  constructor(o: FeedOptions) {
    super(o.id, o.source.sampleRate, o.source, false, null);
  }
}

export interface TapOptions {
  id: string;
  sampleRate: SampleRate;
  /** Receives the mix on every tick (a recorder). */
  sink?: FrameSink;
}

/** A listener that is not a call: a recorder or any other consumer of a mix. */
export class Tap extends Member {
  readonly kind = 'tap';

  constructor(o: TapOptions) {
    super(o.id, o.sampleRate, null, true, o.sink ?? null);
  }
}
