// A record() in progress: what goes into the Recorder (media/recorder) on every tick.
//
//   endpoint (mono or dual): left = what the endpoint said (its decoded input), right = what it
//     heard (its mix); mono mixes the two. For a room, "dual" records its first participant so.
//   room (mono): a Tap member of the room that hears everyone; its mix is the file.
//
// Recordings run at 8 kHz, or 16 kHz when the audio is wideband; frames at other rates go through
// a streaming Resampler. write() allocates nothing.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Resampler } from '../dsp/resample.js';
import { Tap } from '../room/member.js';
import type { FrameSink, SampleRate } from '../room/frame.js';
import { Recorder } from '../recorder/recorder.js';
import { MediaEngineError } from './engine-error.js';
import type { Endpoint } from './endpoint.js';

export type RecordingRate = 8000 | 16000;

export const recordingRate = (rate: number): RecordingRate => (rate > 8000 ? 16000 : 8000);

/** Creates the file (and its directory) and starts the Recorder; a failure is `media_file`. */
export async function openRecorder(o: { path: string; rate: RecordingRate; mode: 'mono' | 'dual'; mp3: boolean; trim: boolean; now: () => number }): Promise<Recorder> {
  try {
    await mkdir(dirname(o.path), { recursive: true });
    return await Recorder.open({ path: o.path, sampleRate: o.rate, mode: o.mode, mp3: o.mp3 ? {} : false, ...(o.trim ? {} : { trim: false }), now: o.now });
  } catch (err) {
    throw new MediaEngineError('media_file', `cannot record to ${o.path}: ${(err as Error).message}`);
  }
}

/** Brings 20 ms frames from one rate to another, into a reused buffer. */
class RateStep {
  private resampler: Resampler | null = null;
  private from = 0;
  private out = new Int16Array(0);
  private view = new Int16Array(0);

  constructor(private readonly to: RecordingRate) {}

  apply(frame: Int16Array, rate: number): Int16Array {
    if (rate === this.to) return frame;
    if (this.resampler === null || rate !== this.from) {
      this.resampler = new Resampler(rate, this.to);
      this.from = rate;
      this.out = new Int16Array(this.resampler.maxOutputLength(frame.length));
      this.view = this.out.subarray(0, (this.to * 20) / 1000);
    }
    this.resampler.processInto(frame, this.out);
    return this.view;
  }
}

export interface Recording {
  readonly id: string;
  readonly recorder: Recorder;
  /** The endpoint or room recorded. */
  readonly targetId: string;
  /** Called once per tick after the rooms ticked (endpoint recordings; a room tap is fed by its room). */
  capture(): void;
  toJSON(): Record<string, unknown>;
}

export class EndpointRecording implements Recording {
  private readonly left: RateStep;
  private readonly right: RateStep;

  constructor(
    readonly id: string,
    readonly recorder: Recorder,
    readonly targetId: string,
    private readonly endpoint: () => Endpoint | null,
    rate: RecordingRate,
  ) {
    this.left = new RateStep(rate);
    this.right = new RateStep(rate);
  }

  capture(): void {
    const e = this.endpoint();
    if (e === null) return;
    const p = e.participant;
    const said = e.input.lastSpoke ? this.left.apply(e.input.last, e.input.sampleRate) : null;
    const heard = p.heard ? this.right.apply(p.output, p.sampleRate) : null;
    this.recorder.write(said, heard);
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, target: this.targetId, kind: 'endpoint', recorder: this.recorder.toJSON() };
  }
}

export class RoomRecording implements Recording, FrameSink {
  readonly tap: Tap;

  constructor(
    readonly id: string,
    readonly recorder: Recorder,
    readonly targetId: string,
    rate: SampleRate,
  ) {
    this.tap = new Tap({ id, sampleRate: rate, sink: this });
  }

  writeFrame(frame: Int16Array, heard: boolean): void {
    this.recorder.write(heard ? frame : null);
  }

  capture(): void {
    // Fed by the room's tick through writeFrame.
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, target: this.targetId, kind: 'room', recorder: this.recorder.toJSON() };
  }
}
