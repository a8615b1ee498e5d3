// A Map with a size cap that forgets the least recently used entry when full. The
// auth state (nonce counts, lockout records) is keyed by values a remote party
// chooses, so every such table must be bounded or a flood of new keys grows it
// until the process dies.
//
// A JavaScript Map iterates in insertion order; re-inserting on use keeps the least
// recently used entry first, so eviction is O(1) and needs no linked list.

export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  /** `onEvict` sees entries dropped to make room (not those deleted or overwritten). */
  constructor(
    readonly maxEntries: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marking the entry as recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) {
        const k = oldest.value;
        const v = this.map.get(k) as V;
        this.map.delete(k);
        this.onEvict?.(k, v);
      }
    }
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The least recently used entry, or undefined when empty. */
  oldest(): [K, V] | undefined {
    const first = this.map.entries().next();
    return first.done ? undefined : first.value;
  }
}
