// Deterministic mutations of SIP messages for fuzzing: bit flips, byte insertions and
// deletions, truncation, duplicated and dropped lines, oversized values. A seeded
// generator makes every failure reproducible from its seed.

/** Mulberry32: a tiny seeded PRNG, good enough to drive mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [':', ';', ',', '<', '>', '"', '\\', '\r\n', '\r\n ', '\0', '%', '@', '=', ' ', '\t', '[', ']', '9999999999999'];

export function mutate(input: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(input);
  const ops = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rand() * Math.max(1, b.length));
    switch (Math.floor(rand() * 8)) {
      case 0: // flip a bit
        if (b.length) b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
        break;
      case 1: // insert an interesting token
        b = Buffer.concat([b.subarray(0, at), Buffer.from(INTERESTING[Math.floor(rand() * INTERESTING.length)]!), b.subarray(at)]);
        break;
      case 2: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rand() * 16))]);
        break;
      case 3: // truncate
        b = b.subarray(0, at);
        break;
      case 4: { // duplicate a line
        const lines = b.toString('latin1').split('\r\n');
        const i = Math.floor(rand() * lines.length);
        lines.splice(i, 0, lines[i]!);
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 5: { // drop a line
        const lines = b.toString('latin1').split('\r\n');
        lines.splice(Math.floor(rand() * lines.length), 1);
        b = Buffer.from(lines.join('\r\n'), 'latin1');
        break;
      }
      case 6: // a long run of one byte
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + Math.floor(rand() * 3000), INTERESTING[Math.floor(rand() * INTERESTING.length)]!), b.subarray(at)]);
        break;
      default: // random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256))), b.subarray(at)]);
    }
  }
  return b;
}
