import { describe, expect, it } from 'vitest';
import { AnsweringMachineDetector, DEFAULT_AMD_SETTINGS, amdSettings, type AmdDecision, type AmdSettings } from './amd.js';
import { sine } from './tone.js';

const RATE = 8000;
const FRAME = 160;

/** A voice-like sound: a 180 Hz fundamental with two harmonics, about -16 dBFS. */
function voice(ms: number): Int16Array {
  const n = (RATE * ms) / 1000;
  const out = new Int16Array(n);
  const parts = [sine(180, RATE, n, -18), sine(540, RATE, n, -24), sine(900, RATE, n, -28)];
  for (let i = 0; i < n; i++) out[i] = parts[0]![i]! + parts[1]![i]! + parts[2]![i]!;
  return out;
}

const silence = (ms: number): Int16Array => new Int16Array((RATE * ms) / 1000);

/** Low line noise, -50 dBFS or so: a quiet line, not someone talking. */
function hiss(ms: number, seed = 7): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((x >> 8) % 200) - 100;
  }
  return out;
}

const concat = (...parts: Int16Array[]): Int16Array => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Feeds the signal in 20 ms frames until a decision; then the stream ends. */
function run(signal: Int16Array, settings: Partial<AmdSettings> = {}): AmdDecision {
  const d = new AnsweringMachineDetector(settings);
  for (let at = 0; at + FRAME <= signal.length; at += FRAME) {
    const r = d.push(signal.subarray(at, at + FRAME));
    if (r) return r;
  }
  return d.end();
}

describe('AnsweringMachineDetector', () => {
  it('a short "hello" then silence is a person waiting for an answer', () => {
    const r = run(concat(silence(300), voice(450), silence(3000)));
    expect(r).toMatchObject({ result: 'human', cause: 'after_greeting_silence', words: 1 });
    // Decided as soon as the after-greeting silence ran out, not at the end of the audio.
    expect(r.afterMs).toBe(300 + 460 + 800);
  });

  it('"hello, Sam speaking" with short gaps then silence is still a person', () => {
    const r = run(concat(silence(200), voice(300), silence(200), voice(500), silence(2000)));
    expect(r).toMatchObject({ result: 'human', cause: 'after_greeting_silence', words: 2 });
  });

  it('long continuous speech (4 s) is a machine, decided once the greeting is too long', () => {
    const r = run(concat(silence(200), voice(4000), silence(1000)));
    expect(r).toMatchObject({ result: 'machine', cause: 'long_greeting' });
    expect(r.voiceMs).toBe(DEFAULT_AMD_SETTINGS.greetingMs);
    expect(r.afterMs).toBeLessThan(2000);
  });

  it('many short words without the pause a person leaves is a machine reading its greeting', () => {
    const word = () => concat(voice(200), silence(150));
    const r = run(concat(silence(100), word(), word(), word(), word(), silence(2000)));
    expect(r).toMatchObject({ result: 'machine', cause: 'max_words', words: 3 });
  });

  it('silence is unknown: nobody spoke', () => {
    const r = run(silence(6000));
    expect(r).toMatchObject({ result: 'unknown', cause: 'initial_silence', words: 0, voiceMs: 0 });
    expect(r.afterMs).toBe(DEFAULT_AMD_SETTINGS.initialSilenceMs);
  });

  it('missing frames (no RTP) count as silence', () => {
    const d = new AnsweringMachineDetector();
    let r: AmdDecision | null = null;
    for (let i = 0; i < 200 && !r; i++) r = d.push(null);
    expect(r).toMatchObject({ result: 'unknown', cause: 'initial_silence', afterMs: 2500 });
  });

  it('line noise below the threshold is not a voice; the hello after it is', () => {
    const r = run(concat(hiss(1000), voice(400), hiss(1500)));
    expect(r).toMatchObject({ result: 'human', cause: 'after_greeting_silence', words: 1 });
    expect(r.initialSilenceMs).toBe(1000);
  });

  it('a click shorter than a word is no greeting: a long silence after it is not a person', () => {
    const r = run(concat(silence(200), voice(40), silence(6000)));
    expect(r).toMatchObject({ result: 'unknown', cause: 'analysis_time', words: 0 });
  });

  it('gives up at the total analysis time', () => {
    // Words with pauses just under the after-greeting silence, never enough of them to decide.
    const word = () => concat(voice(120), silence(700));
    const r = run(concat(word(), word(), word(), word(), word(), word(), word()), { maxWords: 50, greetingMs: 4000 });
    expect(r).toMatchObject({ result: 'unknown', cause: 'analysis_time' });
    expect(r.afterMs).toBe(DEFAULT_AMD_SETTINGS.totalAnalysisMs);
  });

  it('one endless word is a machine when the greeting may be longer than it (music, a tone)', () => {
    const r = run(voice(3000), { greetingMs: 10_000, maxWordMs: 2000 });
    expect(r).toMatchObject({ result: 'machine', cause: 'max_word_length', words: 1, voiceMs: 2000 });
  });

  it('decides once; end() returns that decision, or stream_ended before one', () => {
    const d = new AnsweringMachineDetector();
    for (let i = 0; i < 10; i++) expect(d.push(voice(20))).toBeNull();
    expect(d.end()).toMatchObject({ result: 'unknown', cause: 'stream_ended', voiceMs: 200, words: 1 });
    expect(d.push(silence(20))).toBeNull();
    expect(d.end().cause).toBe('stream_ended');
  });

  it('settings: defaults, overrides, and nonsense refused', () => {
    expect(amdSettings()).toEqual(DEFAULT_AMD_SETTINGS);
    expect(amdSettings({ greetingMs: 2500 }).greetingMs).toBe(2500);
    expect(() => amdSettings({ greetingMs: -1 })).toThrow(RangeError);
    expect(() => amdSettings({ maxWords: Number.NaN })).toThrow(RangeError);
    expect(() => amdSettings({ nope: 1 } as Partial<AmdSettings>)).toThrow(/unknown AMD setting/);
  });
});
