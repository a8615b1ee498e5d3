// The keys a caller pressed and nobody has read yet. RFC 4733 events (from the media engine)
// and SIP INFO digits (from the user agent) both land here; a prompt with barge-in stops when
// one arrives, and the key stays for the collect that follows (type-ahead).

export class DigitBuffer {
  private keys = '';
  private readonly waiters = new Set<() => void>();

  push(digit: string): void {
    this.keys += digit;
    for (const w of [...this.waiters]) w();
  }

  get size(): number {
    return this.keys.length;
  }

  /** The oldest unread key, removed. */
  take(): string | undefined {
    if (this.keys === '') return undefined;
    const k = this.keys[0]!;
    this.keys = this.keys.slice(1);
    return k;
  }

  /**
   * Resolves true as soon as a key is buffered (at once if one is), false after `ms`; rejects
   * with the signal's reason when it aborts (the caller hung up).
   */
  wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.keys !== '') return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(onKey);
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onKey = () => done(() => resolve(true));
      const onAbort = () => done(() => reject(signal.reason as Error));
      const timer = setTimeout(() => done(() => resolve(false)), ms);
      this.waiters.add(onKey);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Calls `fn` on the next key pushed; returns the way to stop listening. */
  onNextKey(fn: () => void): () => void {
    const w = () => {
      this.waiters.delete(w);
      fn();
    };
    this.waiters.add(w);
    return () => this.waiters.delete(w);
  }
}
