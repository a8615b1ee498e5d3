// Payload storage of jitter buffers (packet-ring.ts), reused within a thread.
//
// A jitter buffer's storage is big (40 KB by default) and lives as long as its leg: a worker
// setting up and ending hundreds of calls a second would otherwise allocate and drop megabytes of
// ArrayBuffers a second, and each of them costs the GC (a mark-compact about every second at
// 300 calls/s, measured: bench/README.md "calls"). A ring takes its storage at its first packet
// and gives it back when its leg ends; the next ring of the same size takes it from here.
//
// Bounded: at most POOL_BYTES are kept per size (what a burst leaves behind beyond that is
// dropped to the GC). The bytes are not cleared: a ring only hands out what it wrote itself.
// Per thread (module state): each media worker has its own.

const POOL_BYTES = 8 * 1024 * 1024;

const free = new Map<number, Uint8Array[]>();

/** A zero-offset Uint8Array of exactly `bytes`, from the pool when one is free. */
export function acquirePayloadStorage(bytes: number): Uint8Array {
  const list = free.get(bytes);
  const reused = list !== undefined ? list.pop() : undefined;
  return reused ?? new Uint8Array(bytes);
}

/** Gives storage back; the caller must not touch it afterwards. */
export function releasePayloadStorage(storage: Uint8Array): void {
  const bytes = storage.byteLength;
  if (bytes === 0 || storage.byteOffset !== 0 || storage.buffer.byteLength !== bytes) return;
  let list = free.get(bytes);
  if (list === undefined) {
    list = [];
    free.set(bytes, list);
  }
  if ((list.length + 1) * bytes > POOL_BYTES) return;
  list.push(storage);
}

/** What the pool holds now (stats and tests). */
export function payloadPoolStats(): { blocks: number; bytes: number } {
  let blocks = 0;
  let bytes = 0;
  for (const [size, list] of free) {
    blocks += list.length;
    bytes += size * list.length;
  }
  return { blocks, bytes };
}
