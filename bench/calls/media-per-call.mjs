// What the media engine's part of one B2BUA call costs in the worker, without SIP: the commands
// a bridged call sends (cps.sh's calls, docs/b2bua.md "Performance") run against one MediaHost on
// this thread, with real UDP ports, N calls at a time, and the host ticked as the worker ticks it.
//
//   createSession + createEndpoint(caller's offer) ─► createEndpoint() (our offer to the callee)
//   ─► applyAnswer(callee's answer) ─► createRoom([a, b]) ─► TICKS ticks ─► destroy(session, finalStats)
//
// Prints, per call: the CPU time (process.cpuUsage, this thread's work and V8's helpers), the
// JavaScript heap and the ArrayBuffer bytes allocated (measured with the GC held off: a young
// generation big enough for the whole batch, `--min/max-semi-space-size`, and nothing collected
// between the two readings), and the heap a call keeps while it is up (after a full GC, all calls
// set up, against all of them destroyed). For the GCs this causes in a real worker, run the
// server with NODE_FLAGS=--trace-gc.
//
//   npm run build && node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 bench/calls/media-per-call.mjs [calls] [ticks]
//   (defaults 400 calls, 50 ticks: one second of a call's life)
// Env: ROUNDS (default 5; the first is a warm-up and is not printed in the summary).
import { performance } from 'node:perf_hooks';
import { MediaHost } from '../../dist/media/engine/media-host.js';
import { resolveEngineOptions } from '../../dist/media/engine/engine.js';

const CALLS = Number(process.argv[2] ?? 400);
const TICKS = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128');
  process.exit(2);
}

const offer = (port) =>
  ['v=0', `o=bench 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');

const o = resolveEngineOptions({ portMin: 30000, portMax: 31999 + CALLS * 4 > 65000 ? 65000 : 31999 + CALLS * 4 });
const host = new MediaHost({ ...o, ports: { min: o.portMin, max: o.portMax }, idPrefix: 'b' }, () => {}, { manualTick: true });

let n = 0;
let measureLive = false;
let liveHeap = 0;
async function oneBatch() {
  const sessions = [];
  for (let i = 0; i < CALLS; i++) {
    const session = `bs${++n}`;
    const a = await host.handle({ op: 'createSession', session, then: { op: 'createEndpoint', session, options: { remoteSdp: offer(9), allowedSources: ['127.0.0.2'] } } });
    const b = await host.handle({ op: 'createEndpoint', session, options: { allowedSources: ['127.0.0.1'] } });
    await host.handle({ op: 'applyAnswer', session, endpointId: b.endpointId, remoteSdp: offer(9) });
    await host.handle({ op: 'createRoom', session, members: [{ endpointId: a.endpointId }, { endpointId: b.endpointId }] });
    sessions.push(session);
  }
  for (let t = 0; t < TICKS; t++) host.tick();
  if (measureLive) {
    globalThis.gc();
    liveHeap = process.memoryUsage().heapUsed;
  }
  for (const session of sessions) await host.handle({ op: 'destroy', session, id: session, finalStats: true });
}

const rows = [];
for (let r = 0; r < ROUNDS; r++) {
  globalThis.gc();
  const m0 = process.memoryUsage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await oneBatch();
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const m1 = process.memoryUsage();
  rows.push({
    round: r,
    cpuMsPerCall: (c1.user + c1.system) / 1000 / CALLS,
    wallMsPerCall: (t1 - t0) / CALLS,
    heapKbPerCall: (m1.heapUsed - m0.heapUsed) / 1024 / CALLS,
    arrayBuffersKbPerCall: (m1.arrayBuffers - m0.arrayBuffers) / 1024 / CALLS,
  });
}
// What a call keeps while it is up (its objects survive scavenges and are promoted: with calls
// of a second or more, that is what the old generation's collector has to mark).
measureLive = true;
await oneBatch();
globalThis.gc();
const liveKbPerCall = (liveHeap - process.memoryUsage().heapUsed) / 1024 / CALLS;
await host.close();
const fmt = (v) => v.toFixed(2);
console.log(`media engine per call (${CALLS} calls a round, ${TICKS} ticks each, relayed bridge, no RTP):`);
console.log('round  cpu_ms  wall_ms  heap_KB  arraybuffers_KB');
for (const x of rows) console.log(`${String(x.round).padEnd(6)} ${fmt(x.cpuMsPerCall).padEnd(7)} ${fmt(x.wallMsPerCall).padEnd(8)} ${fmt(x.heapKbPerCall).padEnd(8)} ${fmt(x.arrayBuffersKbPerCall)}`);
const rest = rows.slice(1);
const med = (k) => rest.map((x) => x[k]).sort((p, q) => p - q)[Math.floor(rest.length / 2)];
console.log(`median (rounds 1-${ROUNDS - 1}): cpu ${fmt(med('cpuMsPerCall'))} ms, heap ${fmt(med('heapKbPerCall'))} KB, ArrayBuffers ${fmt(med('arrayBuffersKbPerCall'))} KB allocated per call; ${fmt(liveKbPerCall)} KB of heap live per call while it is up`);
