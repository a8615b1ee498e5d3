// A CallControl with a scripted caller instead of a phone line, for the dry run (and
// the interpreter's tests). Nothing is spoken, dialled or recorded: each call is
// reported as an event and answered at once from the script.
import type {
  CallControl,
  CollectOptions,
  Collected,
  DialOutcome,
  DialTarget,
  RecordOptions,
  Recorded,
  SayOptions,
} from './call-control.js';

/** Stands for "the caller stays silent at this prompt" in a script's keys. */
export const SILENCE = '-';

export interface CallerScript {
  /**
   * What the caller does at each prompt that collects keys, in order: a key (0-9 * #)
   * or SILENCE. A one-key prompt takes one; a longer entry (dial-by-name) takes keys
   * up to its terminator or a SILENCE. Past the end the caller is silent.
   */
  keys: string;
  /** After pressing this many keys the caller presses no more; 0 = no limit. */
  noInputAfter: number;
  /** How every transfer and ring-group attempt ends. */
  dialResult: DialOutcome;
}

export type CallEvent =
  | { kind: 'say'; text: string; language: string }
  | { kind: 'play'; sound: string }
  | { kind: 'collect'; digits: string; endedBy: Collected['endedBy']; timeoutSeconds: number }
  | { kind: 'record'; maxSeconds: number }
  | { kind: 'transfer'; to: string; outcome: DialOutcome }
  | { kind: 'dial'; target: DialTarget; outcome: DialOutcome }
  | { kind: 'hangup'; reason: string };

export class ScriptedCallControl implements CallControl {
  private position = 0;
  private pressed = 0;

  constructor(
    private readonly script: CallerScript,
    private readonly onEvent: (e: CallEvent) => void = () => undefined,
  ) {}

  /** The part of the script the caller has acted on so far. */
  get consumed(): string {
    return this.script.keys.slice(0, this.position);
  }

  get remaining(): string {
    return this.script.keys.slice(this.position);
  }

  async say(text: string, opts: SayOptions): Promise<void> {
    opts.signal.throwIfAborted();
    this.onEvent({ kind: 'say', text, language: opts.language });
  }

  async play(sound: 'beep', opts: { signal: AbortSignal }): Promise<void> {
    opts.signal.throwIfAborted();
    this.onEvent({ kind: 'play', sound });
  }

  async collectDigits(opts: CollectOptions): Promise<Collected> {
    opts.signal.throwIfAborted();
    const got = this.collect(opts);
    this.onEvent({ kind: 'collect', ...got, timeoutSeconds: opts.timeoutSeconds });
    return got;
  }

  private collect(opts: CollectOptions): Collected {
    let digits = '';
    while (digits.length < opts.maxDigits) {
      const key = this.nextKey();
      if (key === undefined) return { digits, endedBy: 'timeout' };
      if (key === opts.terminator) return { digits, endedBy: 'terminator' };
      digits += key;
    }
    return { digits, endedBy: 'max_digits' };
  }

  /** The caller's next key, or undefined for silence (which uses up a SILENCE mark). */
  private nextKey(): string | undefined {
    if (this.script.noInputAfter > 0 && this.pressed >= this.script.noInputAfter) return undefined;
    const key = this.script.keys[this.position];
    if (key === undefined) return undefined;
    this.position++;
    if (key === SILENCE) return undefined;
    this.pressed++;
    return key;
  }

  async record(opts: RecordOptions): Promise<Recorded> {
    opts.signal.throwIfAborted();
    this.onEvent({ kind: 'record', maxSeconds: opts.maxSeconds });
    return { durationSeconds: 0, endedBy: 'key', file: null };
  }

  async transfer(to: string, opts: { signal: AbortSignal }): Promise<DialOutcome> {
    opts.signal.throwIfAborted();
    this.onEvent({ kind: 'transfer', to, outcome: this.script.dialResult });
    return this.script.dialResult;
  }

  async dial(target: DialTarget, opts: { signal: AbortSignal }): Promise<DialOutcome> {
    opts.signal.throwIfAborted();
    this.onEvent({ kind: 'dial', target, outcome: this.script.dialResult });
    return this.script.dialResult;
  }

  async hangup(reason: string): Promise<void> {
    this.onEvent({ kind: 'hangup', reason });
  }
}
