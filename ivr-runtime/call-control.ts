// The only way the interpreter touches a call. A later issue implements it on live
// SIP/RTP legs (voice/); the dry run implements it with a scripted caller. Every
// method takes the call's AbortSignal and rejects once the caller has hung up.

/** How an attempt to connect the caller elsewhere ended. */
export type DialOutcome = 'answered' | 'busy' | 'no_answer' | 'failed';
export const DIAL_OUTCOMES: readonly DialOutcome[] = ['answered', 'busy', 'no_answer', 'failed'];

export interface SayOptions {
  /** BCP-47 tag of the voice to use. */
  language: string;
  /** A key pressed while speaking stops the prompt; the key stays buffered for collectDigits. */
  bargeIn: boolean;
  signal: AbortSignal;
}

export interface CollectOptions {
  maxDigits: number;
  /** Seconds to wait for the first key (and between keys). */
  timeoutSeconds: number;
  /** A key that ends the entry early; it is not part of the result. */
  terminator?: string;
  signal: AbortSignal;
}

export interface Collected {
  /** Keys pressed, including any buffered during the prompt before. */
  digits: string;
  endedBy: 'max_digits' | 'terminator' | 'timeout';
}

export interface RecordOptions {
  maxSeconds: number;
  /** A key that ends the recording (the caller is done). */
  finishOnKey: string;
  /** This long without a sound from the caller ends the recording too. */
  silenceSeconds: number;
  signal: AbortSignal;
}

/** Why a recording ended. */
export type RecordEnd = 'key' | 'silence' | 'max_duration' | 'hangup';

export interface Recorded {
  durationSeconds: number;
  endedBy: RecordEnd;
  /**
   * Where the audio is (a WAV the voicemail store takes over); null when nothing was
   * recorded (a dry run, or a recording that failed).
   */
  file: string | null;
}

export type DialTarget = { kind: 'ring_group'; ringGroupId: string };

export interface CallControl {
  say(text: string, opts: SayOptions): Promise<void>;
  /** A built-in sound, e.g. the tone before a voicemail recording. */
  play(sound: 'beep', opts: { signal: AbortSignal }): Promise<void>;
  collectDigits(opts: CollectOptions): Promise<Collected>;
  /**
   * The one operation a hangup does not abort: a message ended by hanging up is the usual
   * way to leave one, so it resolves with what was recorded (endedBy "hangup").
   */
  record(opts: RecordOptions): Promise<Recorded>;
  /** Blind transfer to an E.164 number or an on-net extension; "answered" means the caller is connected. */
  transfer(to: string, opts: { signal: AbortSignal }): Promise<DialOutcome>;
  /** Ring a target that picks who answers (a ring group) and bridge the caller to it. */
  dial(target: DialTarget, opts: { signal: AbortSignal }): Promise<DialOutcome>;
  hangup(reason: string): Promise<void>;
}
