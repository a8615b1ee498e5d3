// What a call keeps of its audio and its quality: the recording the API started (one at a
// time, a WAV the engine writes) and the worst quality any of its legs had. A leg that
// leaves the call (a transfer) is measured before its endpoint goes, so the call's quality
// covers everyone who was on it.
import type { MediaSessionHandle } from '../../media/engine/index.js';
import type { CallRecordings, RecordingRecord } from '../calls/call-recordings.js';
import type { CallQuality } from '../calls/call-repository.js';

/** What an endpoint's stats say about its quality (media/quality/stream-quality.ts toJSON). */
interface EndpointQuality {
  mos: number | null;
  jitterMs: number | null;
  lossPercent: number | null;
  rttMs: number | null;
  oneWayAudio: string;
}

export class CallRecorder {
  private running: { rec: RecordingRecord; engineId: string; target: string } | undefined;
  private worst: CallQuality | null = null;

  constructor(
    private readonly callId: string,
    private readonly tenantId: string,
    private readonly media: MediaSessionHandle,
    private readonly recordings: CallRecordings,
  ) {}

  /** The endpoint or room a running recording listens to. */
  get target(): string | undefined {
    return this.running?.target;
  }

  /** Starts recording `target` (an endpoint: dual channel; the room: mono), or returns the one running. */
  async start(target: string, o: { dualChannel: boolean; trim: boolean }): Promise<RecordingRecord> {
    if (this.running) return this.running.rec;
    const rec = await this.recordings.start(this.tenantId, this.callId, { format: 'wav', channels: o.dualChannel ? 2 : 1 });
    try {
      const { recordingId } = await this.media.record(target, { path: `${this.tenantId}/${rec.id}.wav`, mode: o.dualChannel ? 'dual' : 'mono', trim: o.trim });
      this.running = { rec, engineId: recordingId, target };
    } catch (err) {
      await this.recordings.fail(rec.id, (err as Error).message);
      throw err;
    }
    return rec;
  }

  async stop(): Promise<RecordingRecord | undefined> {
    const r = this.running;
    if (!r) return undefined;
    this.running = undefined;
    try {
      const result = await this.media.stopRecord(r.engineId);
      return await this.recordings.complete(r.rec.id, {
        durationSeconds: result.durationMs / 1000,
        sizeBytes: result.bytes,
        format: result.format,
        path: `recordings/${this.tenantId}/${r.rec.id}.${result.format}`,
      });
    } catch (err) {
      await this.recordings.fail(r.rec.id, (err as Error).message);
      return this.recordings.byId(r.rec.id);
    }
  }

  /** Folds an endpoint's quality into the call's: the leg measured worst (lowest MOS) wins. */
  async measure(endpointId: string): Promise<void> {
    const stats = (await this.media.stats(endpointId).catch(() => undefined)) as { quality?: EndpointQuality } | undefined;
    const q = stats?.quality;
    if (!q || typeof q.mos !== 'number') return;
    const quality: CallQuality = {
      mos: q.mos,
      jitter_ms: q.jitterMs ?? 0,
      loss_pct: q.lossPercent ?? 0,
      rtt_ms: q.rttMs ?? null,
      one_way_audio: q.oneWayAudio === 'no-inbound' || q.oneWayAudio === 'no-outbound' || q.oneWayAudio === 'no-media',
    };
    if (!this.worst || quality.mos < this.worst.mos) this.worst = quality;
  }

  get quality(): CallQuality | null {
    return this.worst;
  }
}
