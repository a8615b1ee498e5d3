// The three deadlines of a connection, kept with one timer:
//   first byte  — a connection that never says anything is closed (accept → first byte);
//   message     — a message that has started must be complete in time (slowloris);
//   idle        — a connection without traffic is closed (keep-alives count as traffic).
// Traffic only writes timestamps. The timer is re-armed when it fires, never per
// message: a busy connection costs one timer run per message-timeout period, a quiet
// one sleeps until its idle deadline.
import type { Clock, TimerHandle } from '../transaction/timers.js';

export type DeadlineReason = 'first-byte' | 'message' | 'idle';

export interface DeadlineLimits {
  firstByteTimeoutMs: number;
  messageTimeoutMs: number;
  idleTimeoutMs: number;
}

export class ConnectionDeadlines {
  private readonly openedAt: number;
  private lastActivity: number;
  private messageStart = -1;
  private seenData = false;
  private timer: TimerHandle | undefined;
  private timerAt = 0;
  private armedAt = 0;
  private stopped = false;
  private readonly fire = (): void => this.check();

  constructor(
    private readonly limits: DeadlineLimits,
    private readonly clock: Clock,
    private readonly now: () => number,
    private readonly expired: (reason: DeadlineReason) => void,
    /** False when we spoke first (outbound): only the message and idle deadlines apply. */
    awaitFirstByte = true,
  ) {
    this.openedAt = now();
    this.lastActivity = this.openedAt;
    this.seenData = !awaitFirstByte;
    this.arm(awaitFirstByte ? this.openedAt + limits.firstByteTimeoutMs : this.openedAt + limits.idleTimeoutMs);
  }

  /** Bytes arrived; `inMessage` says whether a message is now partly received. */
  activity(inMessage: boolean): void {
    const t = this.now();
    this.lastActivity = t;
    this.seenData = true;
    if (!inMessage) {
      this.messageStart = -1;
      return;
    }
    if (this.messageStart >= 0) return;
    this.messageStart = t;
    // Only a sleeping timer (parked at the idle or first-byte deadline) is too late.
    const due = t + this.limits.messageTimeoutMs;
    if (this.timerAt > due) this.arm(due);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const t = this.now();
    if (!this.seenData) {
      const due = this.openedAt + this.limits.firstByteTimeoutMs;
      return t >= due ? this.expire('first-byte') : this.arm(due);
    }
    const idleDue = this.lastActivity + this.limits.idleTimeoutMs;
    if (t >= idleDue) return this.expire('idle');
    if (this.messageStart >= 0) {
      const due = this.messageStart + this.limits.messageTimeoutMs;
      return t >= due ? this.expire('message') : this.arm(Math.min(due, idleDue));
    }
    // Traffic since the last arming: stay awake for the next message's deadline.
    // None: sleep until the idle deadline.
    if (this.lastActivity > this.armedAt) this.arm(Math.min(idleDue, t + this.limits.messageTimeoutMs));
    else this.arm(idleDue);
  }

  private expire(reason: DeadlineReason): void {
    this.stopped = true;
    this.expired(reason);
  }

  private arm(at: number): void {
    this.timer?.cancel();
    const t = this.now();
    this.armedAt = t;
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - t), this.fire);
  }
}
