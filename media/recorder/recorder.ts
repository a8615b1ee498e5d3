// The recorder: a media stage fed one frame per tick, writing a WAV as it goes (wav-writer.ts),
// finalized into a trimmed WAV or an MP3.
//
//   tick: write(caller, other) ──mono: caller + other, clipped──┐
//                              └─dual: left = caller, right = other (interleaved)─┴─▶ WavWriter
//   finalize(): close the WAV ─▶ cut leading/trailing silence ─▶ lame ─▶ { path, durationMs, bytes, format }
//
// Pausing (PCI: a card number being read out) either writes silence, so the file's timeline keeps
// matching the call's, or skips, so the file is shorter by the pause (RecorderOptions.pauseMode).
//
// Allocation: the constructor allocates two scratch arrays for the largest frame (60 ms); they
// grow once if a longer frame comes. write() allocates nothing beyond what WavWriter does.
import { stat, unlink } from 'node:fs/promises';
import { encodeMp3, type Mp3Options } from './lame-encoder.js';
import { DEFAULT_TRIM_PAD_MS, DEFAULT_TRIM_THRESHOLD_DBFS, SpeechBounds, trimWavFile, type TrimOptions } from './silence-trim.js';
import { WavWriter, type WavSampleRate, type WavWriterOptions } from './wav-writer.js';

export type RecordingMode = 'mono' | 'dual';
export type PauseMode = 'silence' | 'skip';

export interface RecorderOptions {
  /** The WAV being written; an MP3 goes next to it with the extension changed. */
  path: string;
  sampleRate: 8000 | 16000;
  /** mono: both parties mixed; dual: caller left, other party right. */
  mode: RecordingMode;
  /** What a pause leaves in the file: silence (default) or nothing. */
  pauseMode?: PauseMode;
  /** Leading/trailing silence removed on finalize; false keeps everything. Default on. */
  trim?: TrimOptions | false;
  /** Encode to MP3 on finalize (and delete the WAV once that succeeded). Default off. */
  mp3?: Mp3Options | false;
  /** Monotonic milliseconds for the writer's sync clock. Default performance.now(). */
  now?: () => number;
  /** Writer tuning (sync interval, batch size, queue bound, file opener). */
  writer?: Omit<WavWriterOptions, 'sampleRate' | 'channels' | 'now'>;
}

export interface RecordingResult {
  path: string;
  durationMs: number;
  bytes: number;
  format: 'wav' | 'mp3';
  /** Why the MP3 was not made, when it was asked for and failed (the WAV is kept). */
  mp3Error?: string;
}

export type RecorderState = 'recording' | 'paused' | 'finalizing' | 'done';

export interface RecorderStats {
  state: RecorderState;
  mode: RecordingMode;
  sampleRate: number;
  path: string;
  /** Frames (ticks) written, silence for a pause included. */
  framesWritten: number;
  bytes: number;
  durationMs: number;
  droppedFrames: number;
  backpressure: boolean;
  backpressureEvents: number;
  queuedBytes: number;
  /** Clock reading when the file was last synced (null before the first sync). */
  lastSyncAt: number | null;
  /** Bytes of audio a player would find after a crash now. */
  bytesSynced: number;
  error: string | null;
}

export class RecorderError extends Error {
  override name = 'RecorderError';
}

const MAX_FRAME_MS = 60;

export class Recorder {
  private readonly o: RecorderOptions;
  private readonly writer: WavWriter;
  private readonly channels: 1 | 2;
  private readonly bounds: SpeechBounds;
  /** Interleaved (dual) or mixed (mono) output of one frame. */
  private out: Int16Array;
  private state: RecorderState = 'recording';
  /** Sample frames accepted by the writer: where the next frame starts in the file. */
  private sampleFrames = 0;
  private finalizing: Promise<RecordingResult> | null = null;

  private constructor(o: RecorderOptions, writer: WavWriter) {
    this.o = o;
    this.writer = writer;
    this.channels = o.mode === 'dual' ? 2 : 1;
    this.bounds = new SpeechBounds(o.trim ? (o.trim.thresholdDbfs ?? DEFAULT_TRIM_THRESHOLD_DBFS) : DEFAULT_TRIM_THRESHOLD_DBFS);
    this.out = new Int16Array(((o.sampleRate * MAX_FRAME_MS) / 1000) * this.channels);
  }

  static async open(o: RecorderOptions): Promise<Recorder> {
    if (o.sampleRate !== 8000 && o.sampleRate !== 16000) {
      throw new RecorderError(`unsupported recording sample rate ${String(o.sampleRate)} Hz (8000 or 16000)`);
    }
    if (o.mode !== 'mono' && o.mode !== 'dual') throw new RecorderError(`unknown recording mode ${String(o.mode)}`);
    const writer = await WavWriter.open(o.path, {
      ...o.writer,
      sampleRate: o.sampleRate as WavSampleRate,
      channels: o.mode === 'dual' ? 2 : 1,
      ...(o.now ? { now: o.now } : {}),
    });
    return new Recorder(o, writer);
  }

  /**
   * One tick's audio at the recording's rate: `caller` (left) and `other` (right), either null
   * when that side sent nothing (it is recorded as silence). The frame is as long as the longer
   * side; a shorter side is padded with silence. Allocates nothing in steady state.
   */
  write(caller: Int16Array | null, other: Int16Array | null = null): void {
    if (this.state === 'finalizing' || this.state === 'done') return;
    const frame = Math.max(caller?.length ?? 0, other?.length ?? 0) || this.o.sampleRate / 50;
    if (this.state === 'paused') {
      if (this.o.pauseMode === 'skip') this.writer.tick();
      else this.append(frame, null, null);
      return;
    }
    this.append(frame, caller, other);
  }

  pause(): void {
    if (this.state === 'recording') this.state = 'paused';
  }

  resume(): void {
    if (this.state === 'paused') this.state = 'recording';
  }

  /**
   * Closes the WAV (final header, synced), trims silence, encodes the MP3 when asked. Idempotent:
   * later calls return the same result. Rejects only when the WAV itself could not be written.
   */
  finalize(): Promise<RecordingResult> {
    this.finalizing ??= this.finish();
    return this.finalizing;
  }

  toJSON(): RecorderStats {
    const w = this.writer.toJSON();
    return {
      state: this.state,
      mode: this.o.mode,
      sampleRate: this.o.sampleRate,
      path: this.o.path,
      framesWritten: w.framesWritten,
      bytes: w.bytesWritten,
      durationMs: (this.sampleFrames * 1000) / this.o.sampleRate,
      droppedFrames: w.droppedFrames,
      backpressure: w.backpressure,
      backpressureEvents: w.backpressureEvents,
      queuedBytes: w.queuedBytes,
      lastSyncAt: w.lastSyncAt,
      bytesSynced: w.bytesSynced,
      error: w.error,
    };
  }

  private append(frame: number, caller: Int16Array | null, other: Int16Array | null): void {
    const need = frame * this.channels;
    if (this.out.length < need) this.out = new Int16Array(need);
    const out = this.out;
    if (this.channels === 2) {
      // WAVE data interleaves multichannel samples frame by frame, channel 0 (left) first, then
      // channel 1 (right) (RIFF specification, WAVE data format).
      for (let i = 0; i < frame; i++) {
        out[2 * i] = caller !== null && i < caller.length ? caller[i]! : 0;
        out[2 * i + 1] = other !== null && i < other.length ? other[i]! : 0;
      }
    } else {
      for (let i = 0; i < frame; i++) {
        const s = (caller !== null && i < caller.length ? caller[i]! : 0) + (other !== null && i < other.length ? other[i]! : 0);
        out[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      }
    }
    if (!this.writer.write(out, 0, need)) return;
    this.bounds.observe(out, 0, need, this.sampleFrames, this.sampleFrames + frame);
    this.sampleFrames += frame;
  }

  private async finish(): Promise<RecordingResult> {
    this.state = 'finalizing';
    try {
      return await this.finishFile();
    } finally {
      this.state = 'done';
    }
  }

  private async finishFile(): Promise<RecordingResult> {
    const closed = await this.writer.close();
    const format = this.writer.format;
    let frames = closed.sampleFrames;
    if (this.o.trim !== false) {
      const pad = Math.round(((this.o.trim?.padMs ?? DEFAULT_TRIM_PAD_MS) * this.o.sampleRate) / 1000);
      const { start, end } = this.bounds.keep(frames, pad);
      if (start > 0 || end < frames) {
        await trimWavFile(this.o.path, format, start, end);
        frames = end - start;
      }
    }
    const durationMs = (frames * 1000) / this.o.sampleRate;
    let result: RecordingResult = { path: this.o.path, durationMs, bytes: (await stat(this.o.path)).size, format: 'wav' };
    if (this.o.mp3) {
      const mp3 = this.o.path.replace(/\.wav$/i, '') + '.mp3';
      try {
        await encodeMp3(this.o.path, mp3, this.channels, this.o.mp3);
        await unlink(this.o.path);
        result = { path: mp3, durationMs, bytes: (await stat(mp3)).size, format: 'mp3' };
      } catch (err) {
        result.mp3Error = err instanceof Error ? err.message : String(err);
      }
    }
    return result;
  }
}
