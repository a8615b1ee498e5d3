// The parameters of a Via, a name-addr, a URI or a Digest credential: a Map<string, string>
// kept as two short arrays.
//
// Why not a Map: a SIP message carries a handful of parameters per element (branch, rport,
// tag, expires...), and a REGISTER makes some ten parameter maps. A Map allocates a hash
// table each, and hashes every freshly sliced name on insert and on lookup; a linear scan
// over two to five names compares a few characters instead and allocates two small arrays.
// It behaves as a Map for every caller (insertion order, set replacing in place, iteration).

const NONE: readonly string[] = Object.freeze([]);

export class ParamMap implements Map<string, string> {
  // Shared empty arrays until the first set: most URIs carry no parameters and no headers.
  private names = NONE as string[];
  private vals = NONE as string[];

  constructor(entries?: Iterable<readonly [string, string]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.names.length;
  }

  get(key: string): string | undefined {
    const i = this.names.indexOf(key);
    return i < 0 ? undefined : this.vals[i];
  }

  has(key: string): boolean {
    return this.names.indexOf(key) >= 0;
  }

  set(key: string, value: string): this {
    const i = this.names.indexOf(key);
    if (i < 0) {
      if (this.names === NONE) {
        this.names = [key];
        this.vals = [value];
      } else {
        this.names.push(key);
        this.vals.push(value);
      }
    } else this.vals[i] = value;
    return this;
  }

  delete(key: string): boolean {
    const i = this.names.indexOf(key);
    if (i < 0) return false;
    this.names.splice(i, 1);
    this.vals.splice(i, 1);
    return true;
  }

  clear(): void {
    this.names = NONE as string[];
    this.vals = NONE as string[];
  }

  forEach(fn: (value: string, key: string, map: Map<string, string>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.names.length; i++) fn.call(thisArg, this.vals[i]!, this.names[i]!, this);
  }

  *entries(): MapIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.vals[i]!];
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.names.length; i++) yield this.names[i]!;
  }

  *values(): MapIterator<string> {
    for (let i = 0; i < this.vals.length; i++) yield this.vals[i]!;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}
