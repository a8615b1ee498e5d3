// A small typed event emitter for call sessions. A listener that throws is reported
// to `onListenerError` and does not stop the others, nor the SIP processing that
// raised the event: one buggy handler in the B2BUA must not leave a transaction
// unanswered.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export type EventMap = { [event: string]: Listener };

export class SessionEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Listener[]>();
  /** Where listener exceptions go; set by the user agent (its logger). */
  onListenerError: (event: string, err: unknown) => void = () => undefined;

  on<K extends keyof E>(event: K, fn: E[K]): this {
    const list = this.listeners.get(event);
    if (list) list.push(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  once<K extends keyof E>(event: K, fn: E[K]): this {
    const wrapper = ((...args: unknown[]) => {
      this.off(event, wrapper as E[K]);
      fn(...args);
    }) as E[K];
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, fn: E[K]): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event`; returns whether there was one. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const fn of [...list]) {
      try {
        fn(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
    return true;
  }
}
