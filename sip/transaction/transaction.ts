// What the four transaction machines share: their environment, named timers that
// arrive as inputs, and a guarded state change.
import type { SipRequest, SipResponse } from '../message/message.js';
import type { Clock, TimerHandle, TimerValues } from './timers.js';

export interface TransactionEnv {
  clock: Clock;
  timers: TimerValues;
  /** Reliable transports (TCP, TLS, WS) need no retransmissions and no absorbing waits. */
  reliable: boolean;
  /** Puts a message on the wire towards the peer of this transaction. */
  send(msg: SipRequest | SipResponse): void;
  /** Serializes a message (kept as bytes by machines that may resend it much later). */
  encode(msg: SipRequest | SipResponse): Buffer;
  /** Puts already serialized bytes on the wire towards the peer. */
  sendBytes(data: Buffer): void;
  /** Called once, when the machine reaches Terminated (the layer forgets it). */
  terminated(): void;
  /**
   * Optional: takes over a completed non-INVITE server transaction on an unreliable
   * transport for its Timer J wait, keeping only the response bytes to resend; the
   * machine then terminates at once. Without it the machine waits itself.
   */
  retire?(wire: Buffer): void;
}

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export class TransactionError extends Error {}

export abstract class Transaction<State extends string, Input extends { type: string }> {
  /** Running timers; made on first use (a REGISTER answered at once never starts one). */
  private running: Map<TimerName, TimerHandle> | undefined;
  protected abstract state: State;

  constructor(protected readonly env: TransactionEnv) {}

  get currentState(): State {
    return this.state;
  }

  abstract handle(input: Input): void;

  protected startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    this.running ??= new Map();
    this.running.set(
      name,
      this.env.clock.setTimer(ms, () => {
        this.running?.delete(name);
        this.handle({ type: 'timer', name } as unknown as Input);
      }),
    );
  }

  protected stopTimer(name: TimerName): void {
    const running = this.running;
    if (running === undefined) return;
    running.get(name)?.cancel();
    running.delete(name);
  }

  protected transition(to: State, allowedFrom: readonly State[]): void {
    if (!allowedFrom.includes(this.state)) {
      throw new TransactionError(`transition ${this.state} -> ${to} not allowed`);
    }
    this.state = to;
    if (to === ('terminated' as State)) {
      if (this.running !== undefined) {
        for (const t of this.running.values()) t.cancel();
        this.running.clear();
      }
      this.env.terminated();
    }
  }

  /** 64*T1: Timers B, F, H, L and M (§17, Table 4). */
  protected get timeout64(): number {
    return 64 * this.env.timers.T1;
  }
}
