// Timer values and the clock the transaction machines run on (RFC 3261 §17, Table 4).
// The clock is injected so tests drive every timer by hand.

export interface TimerValues {
  /** RTT estimate; retransmissions start here. Default 500 ms. */
  T1: number;
  /** Cap on non-INVITE request and INVITE response retransmission intervals. Default 4 s. */
  T2: number;
  /** How long a message may stay in the network. Default 5 s. */
  T4: number;
}

export const DEFAULT_TIMERS: TimerValues = { T1: 500, T2: 4000, T4: 5000 };

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  setTimer(ms: number, fire: () => void): TimerHandle;
}

export const realClock: Clock = {
  setTimer(ms, fire) {
    const t = setTimeout(fire, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * The production clock: short timers (retransmissions, from T1 = 500 ms) are exact
 * setTimeouts; long ones (Timers B, D, F, H, J, L, M: seconds) go into 100 ms slots
 * served by one interval. A busy registrar holds hundreds of thousands of Timer J's at
 * once; a slot entry costs far less than a Node timer, and firing up to 100 ms late is
 * nothing against 32 s.
 */
export class SlottedClock implements Clock {
  private readonly slots = new Map<number, Slot[]>();
  private next: number;
  private readonly interval: NodeJS.Timeout;

  constructor(
    private readonly slotMs = 100,
    private readonly longFromMs = 1000,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.next = Math.floor(this.nowMs() / slotMs);
    this.interval = setInterval(() => this.tick(), slotMs);
    this.interval.unref();
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    if (ms < this.longFromMs) return realClock.setTimer(ms, fire);
    const slot = Math.ceil((this.nowMs() + ms) / this.slotMs);
    const entry: Slot = { fire, live: true };
    const list = this.slots.get(slot);
    if (list) list.push(entry);
    else this.slots.set(slot, [entry]);
    return {
      cancel: () => {
        entry.live = false;
        // The slot may be minutes away: let go of the callback (and the dialog or call it holds) now.
        entry.fire = noop;
      },
    };
  }

  private tick(): void {
    const now = Math.floor(this.nowMs() / this.slotMs);
    for (; this.next <= now; this.next++) {
      const list = this.slots.get(this.next);
      if (!list) continue;
      this.slots.delete(this.next);
      for (const e of list) {
        if (!e.live) continue;
        try {
          e.fire();
        } catch {
          // A timer's owner handles its own errors; one failing must not stop the rest.
        }
      }
    }
  }

  stop(): void {
    clearInterval(this.interval);
    this.slots.clear();
  }
}

interface Slot {
  fire: () => void;
  live: boolean;
}

const noop = (): void => undefined;

/** A clock whose time moves only when a test says so. */
export class ManualClock implements Clock {
  now = 0;
  private timers: { at: number; seq: number; fire: () => void; live: boolean }[] = [];
  private seq = 0;

  setTimer(ms: number, fire: () => void): TimerHandle {
    const t = { at: this.now + ms, seq: this.seq++, fire, live: true };
    this.timers.push(t);
    return { cancel: () => (t.live = false) };
  }

  /** Moves time forward, firing due timers in order (timers they set fire too if due). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.now = due.at;
      due.live = false;
      due.fire();
    }
    this.now = end;
    this.timers = this.timers.filter((t) => t.live);
  }

  pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}
