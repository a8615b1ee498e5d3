// What an IVR does with the caller's media endpoint: speak (TTS through the cache), play the
// beep, read the keys pressed, and record a message. The engine's events for this endpoint
// (playback_done, recording_done, dtmf) are handed in by IvrApplications; SIP INFO digits too.
//
// Every wait ends when the call's AbortSignal fires (the caller hung up), except a recording:
// a voicemail left by hanging up is the usual way to finish one, so record() then waits for
// the engine to close the file and returns it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { MediaSessionHandle, PlayItem, RecordingResult } from '../../media/engine/index.js';
import { DigitBuffer } from './digit-buffer.js';
import { SilenceWatch } from './silence-watch.js';
import type { TtsCache } from './tts-cache.js';
import type { TtsRate } from './tts-provider.js';

/** The tone before a voicemail recording: 1 kHz, half a second. */
const BEEP: PlayItem[] = [{ type: 'tone', frequencies: [1000], level: -12, durationMs: 500 }];
/** Played instead of a prompt that could not be synthesized: two short low tones, so the caller hears something. */
const TTS_FAILED: PlayItem[] = [
  { type: 'tone', frequencies: [480, 620], level: -18, durationMs: 250 },
  { type: 'silence', durationMs: 150 },
  { type: 'tone', frequencies: [480, 620], level: -18, durationMs: 250 },
];
/** How long past its length a play may take before it counts as over anyway (a lost event). */
const PLAY_SLACK_MS = 3000;
/** How long the engine gets to close a recording's file. */
const RECORDING_CLOSE_MS = 10_000;

export type RecordEnd = 'key' | 'silence' | 'max_duration' | 'hangup';

export interface RecordingTaken {
  /** Absolute path of the WAV (trimmed of leading and trailing silence); null when it failed. */
  path: string | null;
  durationMs: number;
  endedBy: RecordEnd;
}

export interface CallAudioOptions {
  media: MediaSessionHandle;
  endpointId: string;
  /** The rate the endpoint's codec runs at: prompts are rendered at it. */
  rate: TtsRate;
  tts: TtsCache;
  /** The engine's recordings directory (record paths are relative to it). */
  recordingsDir: string;
  /** Where in it messages are recorded before the voicemail store takes them. */
  recordingsSubdir: string;
  log: { warn(obj: object, msg: string): void };
}

export class CallAudio {
  readonly digits = new DigitBuffer();
  private readonly playWaiters = new Map<string, () => void>();
  private readonly recordWaiters = new Map<string, (r: RecordingResult | null) => void>();
  /** Events that came before anyone waited for them (a very short play). */
  private readonly playsDone = new Set<string>();
  private readonly recordingsDone = new Map<string, RecordingResult | null>();

  constructor(private readonly o: CallAudioOptions) {}

  get endpointId(): string {
    return this.o.endpointId;
  }

  // ---- engine events ------------------------------------------------------------------

  playbackDone(playId: string): void {
    const w = this.playWaiters.get(playId);
    if (w) w();
    else this.playsDone.add(playId);
  }

  recordingDone(recordingId: string, result: RecordingResult | null): void {
    const w = this.recordWaiters.get(recordingId);
    if (w) w(result);
    else this.recordingsDone.set(recordingId, result);
  }

  // ---- speech and sounds ----------------------------------------------------------------

  /** Speaks `text`; a synthesis failure plays a short tone instead and the call goes on. */
  async say(text: string, language: string, o: { signal: AbortSignal; bargeIn: boolean }): Promise<void> {
    o.signal.throwIfAborted();
    if (o.bargeIn && this.digits.size > 0) return; // the caller already answered (type-ahead)
    let items: PlayItem[];
    let lengthMs: number;
    try {
      const audio = await this.o.tts.speak({ text, language, sampleRate: this.o.rate });
      items = [{ type: 'file', path: audio.path }];
      lengthMs = audio.durationMs;
    } catch (err) {
      this.o.log.warn({ endpoint: this.o.endpointId, err: (err as Error).message }, 'prompt could not be synthesized: playing a tone instead');
      items = TTS_FAILED;
      lengthMs = 650;
    }
    o.signal.throwIfAborted();
    await this.play(items, lengthMs, o);
  }

  beep(signal: AbortSignal): Promise<void> {
    return this.play(BEEP, 500, { signal, bargeIn: false });
  }

  /**
   * Plays `items` to the caller alone and resolves when they have played; with `bargeIn`,
   * as soon as a key is pressed (the playback is stopped, the key stays buffered).
   */
  async play(items: PlayItem[], lengthMs: number, o: { signal: AbortSignal; bargeIn: boolean }): Promise<void> {
    o.signal.throwIfAborted();
    const { playId } = await this.o.media.play(this.o.endpointId, items);
    await new Promise<void>((resolve, reject) => {
      let stopKeys = () => {};
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        stopKeys();
        this.playWaiters.delete(playId);
        o.signal.removeEventListener('abort', onAbort);
        fn();
      };
      const stopPlaying = () => void this.o.media.stopPlay(playId).catch(() => undefined);
      const onAbort = () => finish(() => reject(o.signal.reason as Error));
      const timer = setTimeout(() => finish(resolve), lengthMs + PLAY_SLACK_MS);
      if (this.playsDone.delete(playId)) return finish(resolve);
      this.playWaiters.set(playId, () => finish(resolve));
      if (o.signal.aborted) return onAbort();
      o.signal.addEventListener('abort', onAbort, { once: true });
      if (o.bargeIn) {
        const interrupt = () => finish(() => {
          stopPlaying();
          resolve();
        });
        if (this.digits.size > 0) return interrupt();
        stopKeys = this.digits.onNextKey(interrupt);
      }
    });
  }

  // ---- recording ------------------------------------------------------------------------

  /**
   * Records what the caller says until `finishOnKey`, `silenceSeconds` of silence,
   * `maxSeconds`, or hangup. Keys pressed before it starts are dropped (they answered an
   * earlier prompt); other keys during it are ignored.
   */
  async record(o: { maxSeconds: number; finishOnKey: string; silenceSeconds: number; signal: AbortSignal }): Promise<RecordingTaken> {
    o.signal.throwIfAborted();
    while (this.digits.take() !== undefined);
    const rel = path.join(this.o.recordingsSubdir, `${Date.now()}-${randomBytes(6).toString('hex')}.wav`);
    const { recordingId } = await this.o.media.record(this.o.endpointId, { path: rel, mode: 'mono', trim: true });
    const closed = new Promise<RecordingResult | null>((resolve) => {
      const early = this.recordingsDone.get(recordingId);
      if (early !== undefined || this.recordingsDone.has(recordingId)) {
        this.recordingsDone.delete(recordingId);
        return resolve(early ?? null);
      }
      const timer = setTimeout(() => resolve(null), o.maxSeconds * 1000 + RECORDING_CLOSE_MS);
      this.recordWaiters.set(recordingId, (r) => {
        clearTimeout(timer);
        this.recordWaiters.delete(recordingId);
        resolve(r);
      });
    });

    let endedBy: RecordEnd | undefined;
    const stop = (why: RecordEnd) => {
      if (endedBy) return;
      endedBy = why;
      // After a hangup the session is going away and closes the file itself; asking too is harmless.
      void this.o.media.stopRecord(recordingId).catch(() => undefined);
    };
    const silence = new SilenceWatch({
      path: path.join(this.o.recordingsDir, rel),
      sampleRate: this.o.rate,
      silenceMs: o.silenceSeconds * 1000,
      onSilence: () => stop('silence'),
    });
    silence.start();
    const maxTimer = setTimeout(() => stop('max_duration'), o.maxSeconds * 1000);
    const onAbort = () => stop('hangup');
    if (o.signal.aborted) onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    const readKeys = () => {
      for (let k = this.digits.take(); k !== undefined; k = this.digits.take()) {
        if (k === o.finishOnKey) return stop('key');
      }
      if (!endedBy) stopKeys = this.digits.onNextKey(readKeys);
    };
    let stopKeys = this.digits.onNextKey(readKeys);
    try {
      const result = await closed;
      return { path: result?.path ?? null, durationMs: result?.durationMs ?? 0, endedBy: endedBy ?? 'hangup' };
    } finally {
      clearTimeout(maxTimer);
      stopKeys();
      o.signal.removeEventListener('abort', onAbort);
      await silence.stop();
    }
  }
}
