// Conference mixing cost in one process: ROOMS rooms of PER_ROOM participants, each fed one
// 20 ms RTP payload per tick through its jitter buffer and decoder, mixed N-1, with every output
// clock ticking. Prints the time of a whole tick (all rooms) and what the heap did meanwhile.
// Never asserts a time.
//
//   npm run build && taskset -c 0 node --expose-gc dist/bench/media/mix-tick.js
//   ROOMS=100 PER_ROOM=10 RATE=8000 TICKS=3000 node --expose-gc dist/bench/media/mix-tick.js
//   REALTIME_S=20 node dist/bench/media/mix-tick.js     also ticks on a 20 ms timer and reports lateness
//
// The decoder is a table lookup per byte, the cost of G.711 (media/codecs is not involved, so the
// figure is the room's alone). Speakers talk in turns (a third of them at a time, changing every
// second) so silence, concealment-free playout and the skipping of silent inputs are all exercised.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Participant } from '../../media/room/participant.js';
import { Room } from '../../media/room/room.js';
import { RtpInput, type PayloadDecoder } from '../../media/room/rtp-input.js';
import type { SampleRate } from '../../media/room/frame.js';

const ROOMS = Number(process.env.ROOMS ?? 100);
const PER_ROOM = Number(process.env.PER_ROOM ?? 10);
const RATE = Number(process.env.RATE ?? 8000) as SampleRate;
const TICKS = Number(process.env.TICKS ?? 3000);
const WARMUP = 200;
const REALTIME_S = Number(process.env.REALTIME_S ?? 0);

const FRAME = (RATE * 20) / 1000;
const table = new Int16Array(256);
for (let i = 0; i < 256; i++) table[i] = (i - 128) * 200;
const lookup: PayloadDecoder = {
  decodeInto(out, p) {
    const n = p.length;
    for (let i = 0; i < n; i++) out[i] = table[p[i]!]!;
    return n;
  },
};

interface Leg {
  input: RtpInput;
  payload: Uint8Array;
}

const rooms: Room[] = [];
const legs: Leg[] = [];
// The senders' sequence numbers and timestamps live in typed arrays: a uint32 above 2^31 kept in an
// object field would be a heap number, and the bench would measure its own garbage.
const seqs = new Uint16Array(ROOMS * PER_ROOM);
const stamps = new Uint32Array(ROOMS * PER_ROOM);
for (let r = 0; r < ROOMS; r++) {
  const room = new Room({ id: `room-${r}` });
  for (let i = 0; i < PER_ROOM; i++) {
    const input = new RtpInput({ sampleRate: RATE, decoder: lookup, jitter: { clockRate: RATE, maxPayloadBytes: FRAME } });
    const payload = new Uint8Array(FRAME);
    for (let k = 0; k < FRAME; k++) payload[k] = 128 + Math.round(60 * Math.sin((2 * Math.PI * (300 + 100 * i) * k) / RATE));
    seqs[legs.length] = r * 7919 + i * 104729;
    stamps[legs.length] = (r * 31 + i) * 1_000_000;
    legs.push({ input, payload });
    room.add(new Participant({ id: `r${r}p${i}`, sampleRate: RATE, input, codec: `L8/${RATE}/20` }));
  }
  rooms.push(room);
}

/** One tick of the world: each speaking leg's packet arrives, then every room mixes. */
function tick(t: number): void {
  const nowMs = t * 20;
  const turn = Math.floor(t / 50) % 3;
  for (let k = 0; k < legs.length; k++) {
    const leg = legs[k]!;
    if (k % 3 === turn) {
      leg.input.push(seqs[k]!, stamps[k]! | 0, leg.payload, nowMs);
      seqs[k] = seqs[k]! + 1;
    }
    stamps[k] = stamps[k]! + FRAME;
  }
  for (let r = 0; r < rooms.length; r++) rooms[r]!.tick();
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const gcs = { count: 0 };
new PerformanceObserver((list) => (gcs.count += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const gc = (globalThis as { gc?: () => void }).gc;

for (let t = 0; t < WARMUP; t++) tick(t);
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const gcBefore = gcs.count;
const times = new Float64Array(TICKS);
for (let t = 0; t < TICKS; t++) {
  const t0 = performance.now();
  tick(WARMUP + t);
  times[t] = performance.now() - t0;
}
const heapAfter = process.memoryUsage().heapUsed;
await new Promise((resolve) => setImmediate(resolve)); // let the gc observer report
const sorted = times.slice().sort();
const mean = times.reduce((a, b) => a + b, 0) / TICKS;
const participants = ROOMS * PER_ROOM;
console.log(`mix-tick: ${ROOMS} rooms × ${PER_ROOM} participants = ${participants} at ${RATE} Hz, ${TICKS} ticks (${(TICKS * 20) / 1000} s of audio)`);
console.log(
  `  per tick (all rooms): mean ${mean.toFixed(3)} ms, p50 ${percentile(sorted, 50).toFixed(3)} ms, ` +
    `p99 ${percentile(sorted, 99).toFixed(3)} ms, max ${sorted[TICKS - 1]!.toFixed(3)} ms  (budget 20 ms)`,
);
console.log(`  per participant per tick: ${((mean * 1000) / participants).toFixed(2)} µs; one core at 100% would carry ≈ ${Math.floor((20 / mean) * participants)} participants`);
console.log(
  `  heap: ${((heapAfter - heapBefore) / TICKS).toFixed(1)} bytes/tick net growth, ${gcs.count - gcBefore} GCs during the run` +
    (gc ? '' : ' (run with --expose-gc for a clean baseline)'),
);

if (REALTIME_S > 0) {
  // Tick on a 20 ms timer against the monotonic clock, as the engine's worker will, and measure lateness.
  const n = Math.floor((REALTIME_S * 1000) / 20);
  const late = new Float64Array(n);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let i = 0;
    const step = (): void => {
      const due = start + i * 20;
      late[i] = performance.now() - due;
      tick(WARMUP + TICKS + i);
      i++;
      if (i === n) return resolve();
      setTimeout(step, Math.max(0, start + i * 20 - performance.now()));
    };
    setTimeout(step, 0);
  });
  const ls = late.slice().sort();
  console.log(
    `  real time, ${REALTIME_S} s: tick lateness p50 ${percentile(ls, 50).toFixed(2)} ms, p99 ${percentile(ls, 99).toFixed(2)} ms, max ${ls[n - 1]!.toFixed(2)} ms`,
  );
}
process.exit(0);
