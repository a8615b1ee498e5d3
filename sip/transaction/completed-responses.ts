// Completed non-INVITE server transactions on UDP, reduced to what the Completed state
// does (§17.2.2): "the server transaction ... MUST pass the final response to the
// transport layer for retransmission whenever a retransmission of the request is
// received", until Timer J (64*T1) fires.
//
// A registrar at 12,000 REGISTER/s holds 24,000 of them per second for 32 s. Kept as
// JavaScript objects (a key string, a Buffer, a Peer each) that is most of the heap and
// most of the garbage collector's work, so they live outside it: one byte arena used as
// a ring (every entry waits the same time, so the oldest are always at the tail) and a
// bucket table of arena offsets. Adding an entry and missing on a lookup allocate no
// JavaScript object; a hit (a retransmission) allocates the copy it sends.
//
//   record, 8-byte aligned, at (logical offset mod capacity):
//    0        8        16     20     22      24     26  27  28  29
//   +--------+--------+------+------+-------+------+---+---+---+-----------------------------+
//   | expiry | prev   | hash | key  | wire  | port |tp |adr|con| key | address | conn | wire  |
//   | f64 ms | f64    | u32  | len  | len   | u16  |u8 |len|len|     |         | id   | bytes |
//   +--------+--------+------+------+-------+------+---+---+---+-----------------------------+
//   prev: logical offset of the previous record in the same bucket (-1: none). Chains
//   run newest to oldest, so a walk stops at the first offset behind the tail.
//
// When the arena is full of entries younger than Timer J (a rate the arena was not sized
// for), the oldest are forgotten early: a late retransmission of their request is then
// processed again, as if it were new. `evicted` counts them.
import type { Peer } from './transaction-layer.js';

const HEADER = 29;
const NONE = -1;

export interface CompletedResponsesOptions {
  /** How long an entry is kept: Timer J, 64*T1. */
  holdMs: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Arena size in bytes; memory is committed as the ring first fills. Default 64 MiB. */
  arenaBytes?: number;
  /** Bucket count, a power of two. Default 2^20. */
  buckets?: number;
}

export interface CompletedResponse {
  wire: Buffer;
  to: Peer;
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'];

export class CompletedResponses {
  private readonly arena: Buffer;
  private readonly capacity: number;
  private readonly heads: Float64Array;
  private readonly mask: number;
  /** Logical offsets: [tail, head) holds the live records. */
  private tail = 0;
  private head = 0;
  private count = 0;
  /** The key being looked up, as bytes. */
  private readonly scratch = Buffer.allocUnsafe(65_536 * 2);
  evicted = 0;

  constructor(private readonly opts: CompletedResponsesOptions) {
    this.capacity = Math.floor((opts.arenaBytes ?? 64 * 1024 * 1024) / 8) * 8;
    // allocUnsafeSlow: a dedicated allocation whose pages the kernel commits on first write.
    this.arena = Buffer.allocUnsafeSlow(this.capacity);
    const buckets = opts.buckets ?? 1 << 20;
    if ((buckets & (buckets - 1)) !== 0) throw new RangeError('buckets must be a power of two');
    this.heads = new Float64Array(buckets).fill(NONE);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.count;
  }

  add(key: string, wire: Buffer, to: Peer): void {
    this.expire();
    const keyLen = Buffer.byteLength(key, 'utf8');
    const addrLen = Buffer.byteLength(to.address, 'latin1');
    const conn = to.connectionId ?? '';
    const connLen = Buffer.byteLength(conn, 'latin1');
    const tp = TRANSPORTS.indexOf(to.transport);
    const size = align8(HEADER + keyLen + addrLen + connLen + wire.length);
    // Entries that do not fit the format are not absorbed; their retransmissions are
    // processed again, which the TU must tolerate anyway after Timer J.
    if (tp < 0 || keyLen > 0xffff || addrLen > 0xff || connLen > 0xff || wire.length > 0xffff || size > this.capacity / 4) return;

    // A record never wraps around the end of the arena: a marker sends readers to the
    // start of the next lap instead.
    let at = this.head;
    const phys = at % this.capacity;
    if (phys + size > this.capacity) {
      this.makeRoom(at + 8);
      this.arena.writeDoubleLE(Number.NaN, phys);
      at += this.capacity - phys;
    }
    this.makeRoom(at + size);
    if (this.count === 0) this.tail = at;

    const p = at % this.capacity;
    const a = this.arena;
    const hash = hashKey(key);
    const bucket = hash & this.mask;
    a.writeDoubleLE(this.opts.now() + this.opts.holdMs, p);
    a.writeDoubleLE(this.heads[bucket]!, p + 8);
    a.writeUInt32LE(hash, p + 16);
    a.writeUInt16LE(keyLen, p + 20);
    a.writeUInt16LE(wire.length, p + 22);
    a.writeUInt16LE(to.port, p + 24);
    a[p + 26] = tp;
    a[p + 27] = addrLen;
    a[p + 28] = connLen;
    let q = p + HEADER;
    q += a.write(key, q, keyLen, 'utf8');
    q += a.write(to.address, q, addrLen, 'latin1');
    q += a.write(conn, q, connLen, 'latin1');
    wire.copy(a, q);
    this.heads[bucket] = at;
    this.head = at + size;
    this.count++;
  }

  get(key: string): CompletedResponse | undefined {
    if (this.count === 0) return undefined;
    const hash = hashKey(key);
    let at = this.heads[hash & this.mask]!;
    if (at < this.tail) return undefined;
    const a = this.arena;
    // Most lookups are new requests whose bucket holds other keys: the key's bytes are
    // written out only once a record with the same hash turns up.
    let keyLen = -1;
    while (at >= this.tail) {
      const p = at % this.capacity;
      if (a.readUInt32LE(p + 16) === hash) {
        if (keyLen < 0) keyLen = this.scratch.write(key, 0, 'utf8');
        if (a.readUInt16LE(p + 20) === keyLen && sameBytes(a, p + HEADER, this.scratch, keyLen)) {
          if (a.readDoubleLE(p) <= this.opts.now()) return undefined;
          return this.decode(p, keyLen);
        }
      }
      at = a.readDoubleLE(p + 8);
    }
    return undefined;
  }

  /** Drops what has expired: every entry waits the same time, so the oldest come first. */
  expire(): void {
    const t = this.opts.now();
    while (this.count > 0) {
      this.skipMarker();
      if (this.arena.readDoubleLE(this.tail % this.capacity) > t) break;
      this.dropOldest();
    }
  }

  /** Drops the oldest records until `end` (a logical offset) fits in the ring. */
  private makeRoom(end: number): void {
    while (this.count > 0 && end - this.tail > this.capacity) {
      this.dropOldest();
      this.evicted++;
    }
  }

  private skipMarker(): void {
    const p = this.tail % this.capacity;
    if (Number.isNaN(this.arena.readDoubleLE(p))) this.tail += this.capacity - p;
  }

  private dropOldest(): void {
    this.skipMarker();
    this.tail += this.recordSize(this.tail % this.capacity);
    this.count--;
  }

  private recordSize(p: number): number {
    const a = this.arena;
    return align8(HEADER + a.readUInt16LE(p + 20) + a[p + 27]! + a[p + 28]! + a.readUInt16LE(p + 22));
  }

  private decode(p: number, keyLen: number): CompletedResponse {
    const a = this.arena;
    const wireLen = a.readUInt16LE(p + 22);
    const port = a.readUInt16LE(p + 24);
    const transport = TRANSPORTS[a[p + 26]!]!;
    const addrLen = a[p + 27]!;
    const connLen = a[p + 28]!;
    let q = p + HEADER + keyLen;
    const address = a.toString('latin1', q, q + addrLen);
    q += addrLen;
    const conn = a.toString('latin1', q, q + connLen);
    q += connLen;
    // A copy: the ring may overwrite these bytes before the send completes.
    const wire = Buffer.from(a.subarray(q, q + wireLen));
    const to: Peer = connLen > 0 ? { transport, address, port, connectionId: conn } : { transport, address, port };
    return { wire, to };
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** FNV-1a over the UTF-16 code units: cheap, and only a bucket index plus a pre-check. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sameBytes(a: Buffer, at: number, b: Buffer, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[at + i] !== b[i]) return false;
  return true;
}
