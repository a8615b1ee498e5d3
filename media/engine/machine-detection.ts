// Answering machine detection on a leg (media/dsp/amd.ts does the deciding): every tick, after
// the rooms ticked, what the endpoint said in that tick (its decoded input, as a dual-channel
// recording reads it) goes to the leg's detector; a tick where nothing arrived is silence. The
// command's reply is the decision, so the caller just awaits it: at most totalAnalysisMs after
// the start, or sooner when the leg goes away (`stream_ended`).
//
// A leg under analysis keeps its room off the relay fast path: relayed packets are never decoded.
import { AnsweringMachineDetector, type AmdDecision, type AmdSettings } from '../dsp/amd.js';
import type { Endpoint } from './endpoint.js';
import { invalidArgument, invalidState } from './engine-error.js';

interface Running {
  detector: AnsweringMachineDetector;
  endpoint: () => Endpoint | null;
  resolve: (d: AmdDecision) => void;
}

export class MachineDetections {
  private readonly running = new Map<string, Running>();
  /** The endpoints under analysis (the relay policy keeps their rooms mixing). */
  readonly endpoints = new Set<string>();

  get active(): boolean {
    return this.running.size > 0;
  }

  /** Starts analysing what `endpointId` says; resolves with the decision. One at a time per leg. */
  start(endpointId: string, endpoint: () => Endpoint | null, settings: Partial<AmdSettings> = {}): Promise<AmdDecision> {
    if (this.running.has(endpointId)) throw invalidState(`answering machine detection already runs on ${endpointId}`);
    let detector: AnsweringMachineDetector;
    try {
      detector = new AnsweringMachineDetector(settings);
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
    return new Promise((resolve) => {
      this.running.set(endpointId, { detector, endpoint, resolve });
      this.endpoints.add(endpointId);
    });
  }

  /** One tick's frame per leg. True when an analysis ended (its room may relay again). */
  capture(): boolean {
    let ended = false;
    for (const [id, r] of this.running) {
      const e = r.endpoint();
      if (e === null) {
        this.finish(id, r, r.detector.end());
        ended = true;
        continue;
      }
      const input = e.input;
      const frame = input.lastSpoke ? input.last : null;
      const d = r.detector.push(frame, (input.last.length * 1000) / input.sampleRate);
      if (d) {
        this.finish(id, r, d);
        ended = true;
      }
    }
    return ended;
  }

  /** The leg goes away: its analysis ends with what it has. */
  forget(endpointId: string): void {
    const r = this.running.get(endpointId);
    if (r) this.finish(endpointId, r, r.detector.end());
  }

  stats(endpointId: string): Record<string, unknown> | undefined {
    return this.running.get(endpointId)?.detector.toJSON();
  }

  private finish(id: string, r: Running, d: AmdDecision): void {
    this.running.delete(id);
    this.endpoints.delete(id);
    r.resolve(d);
  }
}
