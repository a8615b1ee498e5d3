// RTP/RTCP port pairs from a configured range.
//
// RFC 3550 §11: "For UDP and similar protocols, RTP SHOULD use an even destination port number and
// the corresponding RTCP stream SHOULD use the next higher (odd) destination port number." So the
// unit handed out is an even port; RTCP takes port + 1 (or nothing, with rtcp-mux, RFC 5761, but
// the pair stays reserved so a later re-INVITE without rtcp-mux still has its RTCP port).
//
// Freed pairs go to the back of the queue and are handed out again only after every other free
// pair: a late packet of a call that just ended (a far end that has not seen our BYE yet) then
// reaches a closed port, not the next call's endpoint.
//
// Each worker owns a disjoint slice of the range (`slicePortRange`), so two workers never bind
// the same port and no coordination is needed at run time.
import { MediaEngineError } from './engine-error.js';

export interface PortRange {
  /** Lowest port (rounded up to even). */
  min: number;
  /** Highest port (a pair needs min..max to include port + 1). */
  max: number;
}

/**
 * Splits [min, max] into `parts` disjoint ranges of whole even/odd pairs, as equal as possible.
 * Throws a RangeError when there are fewer pairs than parts (a worker without ports is a
 * configuration mistake, better reported at start).
 */
export function slicePortRange(range: PortRange, parts: number): PortRange[] {
  const first = evenAtOrAbove(range.min);
  const pairs = pairCount(first, range.max);
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`cannot slice a port range into ${parts} parts`);
  if (pairs < parts) throw new RangeError(`RTP port range ${range.min}-${range.max} has ${pairs} pairs, fewer than ${parts} workers`);
  const out: PortRange[] = [];
  let at = first;
  for (let i = 0; i < parts; i++) {
    // Spread the remainder over the first slices: sizes differ by at most one pair.
    const n = Math.floor(pairs / parts) + (i < pairs % parts ? 1 : 0);
    out.push({ min: at, max: at + 2 * n - 1 });
    at += 2 * n;
  }
  return out;
}

function evenAtOrAbove(p: number): number {
  return p % 2 === 0 ? p : p + 1;
}

function pairCount(firstEven: number, max: number): number {
  return firstEven + 1 > max ? 0 : Math.floor((max - firstEven + 1) / 2);
}

export function checkPortRange(range: PortRange): void {
  const ok = (p: number): boolean => Number.isInteger(p) && p >= 1024 && p <= 65535;
  if (!ok(range.min) || !ok(range.max)) throw new RangeError(`RTP ports must be integers 1024..65535, got ${range.min}-${range.max}`);
  if (pairCount(evenAtOrAbove(range.min), range.max) < 1) throw new RangeError(`RTP port range ${range.min}-${range.max} holds no even/odd pair`);
}

/**
 * Hands out the even RTP port of a free pair; `release` puts it back at the end of the queue.
 * Allocates only at construction (the queue is a ring of all pairs in the slice).
 */
/**
 * Whether a bind failed because the pair is taken (another process holds it) or refused to us:
 * the caller then skips to the next pair rather than failing the endpoint.
 */
export function isPortTaken(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

/** The error of an endpoint for which no pair could be bound, with the last reason. */
export function bindFailed(address: string, lastError: unknown): MediaEngineError {
  const why = lastError instanceof Error ? lastError.message : String(lastError);
  return new MediaEngineError('bind_failed', `cannot bind an RTP port pair on ${address}: ${why}`);
}

export class PortAllocator {
  readonly range: PortRange;
  private readonly ring: Uint16Array;
  private readonly inUse: Uint8Array;
  private head = 0;
  private free: number;
  private allocations = 0;
  private exhaustions = 0;

  constructor(range: PortRange) {
    checkPortRange(range);
    const first = evenAtOrAbove(range.min);
    const pairs = pairCount(first, range.max);
    this.range = { min: first, max: first + 2 * pairs - 1 };
    this.ring = new Uint16Array(pairs);
    for (let i = 0; i < pairs; i++) this.ring[i] = first + 2 * i;
    this.inUse = new Uint8Array(pairs);
    this.free = pairs;
  }

  get size(): number {
    return this.ring.length;
  }

  get available(): number {
    return this.free;
  }

  /** The even port of the free pair freed longest ago (or never used). Throws `ports_exhausted`. */
  allocate(): number {
    if (this.free === 0) {
      this.exhaustions++;
      throw new MediaEngineError('ports_exhausted', `all ${this.ring.length} RTP port pairs of ${this.range.min}-${this.range.max} are in use`);
    }
    const port = this.ring[this.head]!;
    this.head = (this.head + 1) % this.ring.length;
    this.free--;
    this.inUse[(port - this.range.min) >> 1] = 1;
    this.allocations++;
    return port;
  }

  /** Returns a pair to the back of the queue. Releasing a port twice, or one not ours, is a bug: it throws. */
  release(port: number): void {
    const i = (port - this.range.min) >> 1;
    if (port % 2 !== 0 || i < 0 || i >= this.ring.length || this.inUse[i] !== 1) {
      throw new RangeError(`port ${port} is not an allocated RTP port of ${this.range.min}-${this.range.max}`);
    }
    this.inUse[i] = 0;
    this.ring[(this.head + this.free) % this.ring.length] = port;
    this.free++;
  }

  isAllocated(port: number): boolean {
    const i = (port - this.range.min) >> 1;
    return port % 2 === 0 && i >= 0 && i < this.ring.length && this.inUse[i] === 1;
  }

  toJSON(): { min: number; max: number; pairs: number; free: number; allocations: number; exhaustions: number } {
    return { min: this.range.min, max: this.range.max, pairs: this.ring.length, free: this.free, allocations: this.allocations, exhaustions: this.exhaustions };
  }
}
