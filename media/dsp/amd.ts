// Answering machine detection from the callee's first seconds of audio, by the shape of what it
// says rather than by what it says. A person picks up and says something short ("Hello?",
// "Sam speaking") and then waits for an answer; a machine starts reading a greeting that goes on
// ("Hi, you've reached Sam, I can't take your call right now, ...") without waiting.
//
// Frame by frame (20 ms), the mean absolute amplitude decides voice or silence; runs of voice
// long enough are words, silences long enough separate words. The first rule that matches wins:
//
//   silence before any voice    >= initialSilenceMs        → unknown  (initial_silence)
//   silence after the greeting  >= afterGreetingSilenceMs  → human    (after_greeting_silence)
//   voice in the greeting       >= greetingMs              → machine  (long_greeting)
//   words                       >= maxWords                → machine  (max_words)
//   one word                    >= maxWordMs               → machine  (max_word_length)
//   analysis                    >= totalAnalysisMs         → unknown  (analysis_time)
//
// This is the classic energy-based detector carriers and PBXs have long used; its figures are
// the usual defaults. Pure: frames in, one decision out; no clock, no allocation per frame.

export type AmdResult = 'human' | 'machine' | 'unknown';

export type AmdCause =
  | 'initial_silence'
  | 'after_greeting_silence'
  | 'long_greeting'
  | 'max_words'
  | 'max_word_length'
  | 'analysis_time'
  /** The audio stopped before a decision (the callee hung up, the leg went away). */
  | 'stream_ended';

export interface AmdSettings {
  /** Silence this long before anyone speaks: nobody is talking (a dead line, a fax waiting). */
  initialSilenceMs: number;
  /** Voice in the greeting (silences between words not counted) beyond which it is a machine. */
  greetingMs: number;
  /** Silence after a greeting this long: someone said hello and waits for an answer. */
  afterGreetingSilenceMs: number;
  /** The analysis gives up (unknown) after this long. */
  totalAnalysisMs: number;
  /** A voiced run at least this long is a word (shorter ones are clicks and noise). */
  minWordMs: number;
  /** A silence at least this long ends a word. */
  betweenWordsSilenceMs: number;
  /** This many words is a machine reading its greeting. */
  maxWords: number;
  /** One word this long is a machine (music, a tone, a recording with no pauses). */
  maxWordMs: number;
  /** Mean absolute amplitude (16-bit samples) above which a frame is voice (256 ≈ -42 dBFS). */
  silenceThreshold: number;
}

export const DEFAULT_AMD_SETTINGS: Readonly<AmdSettings> = Object.freeze({
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  totalAnalysisMs: 5000,
  minWordMs: 100,
  betweenWordsSilenceMs: 50,
  maxWords: 3,
  maxWordMs: 5000,
  silenceThreshold: 256,
});

export interface AmdDecision {
  result: AmdResult;
  cause: AmdCause;
  /** Audio analysed until the decision, ms. */
  afterMs: number;
  /** Silence before the first voice, ms (all of it when nobody spoke). */
  initialSilenceMs: number;
  /** Voice heard, ms. */
  voiceMs: number;
  words: number;
}

/** Settings with the defaults filled in; a value that makes no sense is a RangeError. */
export function amdSettings(o: Partial<AmdSettings> = {}): AmdSettings {
  const s: AmdSettings = { ...DEFAULT_AMD_SETTINGS };
  for (const [k, v] of Object.entries(o) as [keyof AmdSettings, unknown][]) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_AMD_SETTINGS)) throw new RangeError(`unknown AMD setting ${k}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 60_000) throw new RangeError(`AMD setting ${k} must be a positive number (ms, words or amplitude), got ${String(v)}`);
    s[k] = v;
  }
  return s;
}

/** Mean absolute amplitude of a frame. */
function meanMagnitude(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i]!;
    sum += v < 0 ? -v : v;
  }
  return frame.length === 0 ? 0 : sum / frame.length;
}

export class AnsweringMachineDetector {
  readonly settings: AmdSettings;
  private elapsedMs = 0;
  private initialSilence = 0;
  private spoke = false;
  private voiceMs = 0;
  /** The voiced run going on (reset by a silence that ends a word). */
  private runMs = 0;
  /** The silence going on. */
  private silenceMs = 0;
  private inWord = false;
  private words = 0;
  private decided: AmdDecision | null = null;

  constructor(settings: Partial<AmdSettings> = {}) {
    this.settings = amdSettings(settings);
  }

  /** The decision, once there is one. */
  get decision(): AmdDecision | null {
    return this.decided;
  }

  /**
   * One frame of what the callee said (`null`: nothing arrived, heard as silence), `durationMs`
   * long. Returns the decision the frame led to, or null while undecided (and after: a decision
   * is made once).
   */
  push(frame: Int16Array | null, durationMs = 20): AmdDecision | null {
    if (this.decided) return null;
    const s = this.settings;
    this.elapsedMs += durationMs;
    const voiced = frame !== null && meanMagnitude(frame) > s.silenceThreshold;
    if (voiced) {
      this.spoke = true;
      this.silenceMs = 0;
      this.voiceMs += durationMs;
      this.runMs += durationMs;
      if (!this.inWord && this.runMs >= s.minWordMs) {
        this.inWord = true;
        this.words++;
      }
      if (this.voiceMs >= s.greetingMs) return this.decide('machine', 'long_greeting');
      if (this.words >= s.maxWords) return this.decide('machine', 'max_words');
      if (this.runMs >= s.maxWordMs) return this.decide('machine', 'max_word_length');
    } else {
      this.silenceMs += durationMs;
      if (!this.spoke) {
        this.initialSilence += durationMs;
        if (this.initialSilence >= s.initialSilenceMs) return this.decide('unknown', 'initial_silence');
      } else {
        if (this.silenceMs >= s.betweenWordsSilenceMs) {
          this.inWord = false;
          this.runMs = 0;
        }
        // Only words count as a greeting: a click before a long silence is not someone talking.
        if (this.words > 0 && this.silenceMs >= s.afterGreetingSilenceMs) return this.decide('human', 'after_greeting_silence');
      }
    }
    if (this.elapsedMs >= s.totalAnalysisMs) return this.decide('unknown', 'analysis_time');
    return null;
  }

  /** The audio stopped: the decision made, else unknown. */
  end(): AmdDecision {
    return this.decided ?? this.decide('unknown', 'stream_ended');
  }

  private decide(result: AmdResult, cause: AmdCause): AmdDecision {
    this.decided = {
      result,
      cause,
      afterMs: this.elapsedMs,
      initialSilenceMs: this.initialSilence,
      voiceMs: this.voiceMs,
      words: this.words,
    };
    return this.decided;
  }

  toJSON(): Record<string, unknown> {
    return {
      elapsedMs: this.elapsedMs,
      initialSilenceMs: this.initialSilence,
      voiceMs: this.voiceMs,
      words: this.words,
      inWord: this.inWord,
      decision: this.decided,
    };
  }
}
