// The media side of the media benchmarks (bridge.sh, conference.sh, record.sh): sets up an
// engine with the calls, rooms or recordings asked for, writes the RTP ports the load generator
// (rtpload.c) must send to, waits out the warm-up, then measures CPU and tick lateness over the
// window and prints one JSON object. Never asserts anything.
//
//   node dist/bench/media/bench-server.js bridge N PORTSFILE WARMUP_S DURATION_S
//   node dist/bench/media/bench-server.js conference ROOMSxPER_ROOM PORTSFILE WARMUP_S DURATION_S
//   node dist/bench/media/bench-server.js record N DIR WARMUP_S DURATION_S
//
// Env: MEDIA_WORKERS (default 1: the figures are per core), MEDIA_IN_PROCESS=1 (no worker thread),
// PORT_MIN (default 10000: below the kernel's ephemeral ports, which rtpload's sockets take).
import { writeFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InProcessMediaEngine, WorkerMediaEngine, type MediaEngine, type MediaSessionHandle } from '../../media/engine/index.js';

const [mode = 'bridge', countArg = '100', target = '/tmp/ports', warmupArg = '3', durationArg = '10'] = process.argv.slice(2);
const warmupS = Number(warmupArg);
const durationS = Number(durationArg);
const workers = Number(process.env.MEDIA_WORKERS ?? 1);
const portMin = Number(process.env.PORT_MIN ?? 10000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The offer of a load-generator leg: its real port is learnt by latching (port 9 is a placeholder). */
const GENERATOR_OFFER = [
  'v=0',
  'o=rtpload 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 9 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=rtcp-mux',
  'a=sendrecv',
  '',
].join('\r\n');

/** A mono 8 kHz 16-bit WAV of a tone sweeping 300-900 Hz, `seconds` long. */
function warble(seconds: number): Buffer {
  const rate = 8000;
  const n = rate * seconds;
  const b = Buffer.alloc(44 + 2 * n);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(2 * n, 40);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f = 600 + 300 * Math.sin((2 * Math.PI * i) / rate);
    phase += (2 * Math.PI * f) / rate;
    b.writeInt16LE(Math.round(8000 * Math.sin(phase)), 44 + 2 * i);
  }
  return b;
}

const portOf = (sdp: string): number => Number(/^m=audio (\d+)/m.exec(sdp)![1]);

async function main(): Promise<void> {
  const count = countArg.includes('x') ? countArg.split('x').map(Number) : [Number(countArg)];
  const legs = mode === 'bridge' ? count[0]! * 2 : mode === 'conference' ? count[0]! * count[1]! : count[0]! * 2;
  const options = {
    address: '127.0.0.1',
    portMin,
    portMax: portMin + Math.max(2 * legs + 200, 1000),
    codecs: ['PCMU'],
    telephoneEvent: true,
    mediaTimeoutMs: 3_600_000,
    socketBufferBytes: 1 << 20,
    ...(mode === 'record' ? { recordingsDir: target } : {}),
  };
  const engine: MediaEngine =
    process.env.MEDIA_IN_PROCESS === '1' ? new InProcessMediaEngine(options) : new WorkerMediaEngine({ ...options, workers });
  const setupStart = performance.now();
  const sessions: MediaSessionHandle[] = [];
  const ports: number[] = [];
  const recordings: { session: MediaSessionHandle; id: string }[] = [];

  if (mode === 'bridge') {
    for (let i = 0; i < count[0]!; i++) {
      const s = await engine.createSession();
      sessions.push(s);
      const a = await s.createEndpoint({ remoteSdp: GENERATOR_OFFER });
      const b = await s.createEndpoint({ remoteSdp: GENERATOR_OFFER });
      const { roomId } = await s.createRoom();
      await s.join(roomId, a.endpointId);
      await s.join(roomId, b.endpointId);
      ports.push(portOf(a.localSdp), portOf(b.localSdp));
    }
  } else if (mode === 'conference') {
    const [rooms = 100, per = 10] = count;
    for (let r = 0; r < rooms; r++) {
      const s = await engine.createSession();
      sessions.push(s);
      const { roomId } = await s.createRoom();
      for (let p = 0; p < per; p++) {
        const e = await s.createEndpoint({ remoteSdp: GENERATOR_OFFER });
        await s.join(roomId, e.endpointId);
        ports.push(portOf(e.localSdp));
      }
    }
  } else if (mode === 'record') {
    // Each stream: a room with a looping prompt (its "voice": 3 s of a warbling tone, decoded once
    // into the worker's prompt cache) and a mono recording of the room.
    const voice = join(target, 'voice.wav');
    await writeFile(voice, warble(3));
    for (let i = 0; i < count[0]!; i++) {
      const s = await engine.createSession();
      sessions.push(s);
      const { roomId } = await s.createRoom();
      await s.play(roomId, [{ type: 'file', path: voice }], { loop: true });
      const { recordingId } = await s.record(roomId, { path: `rec-${i}.wav`, mode: 'mono', trim: false });
      recordings.push({ session: s, id: recordingId });
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const setupMs = performance.now() - setupStart;
  if (mode !== 'record') await writeFile(target, ports.join('\n') + '\n');

  await sleep(warmupS * 1000);
  await engine.resetTickStats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(durationS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const stats = (await engine.stats()) as { workers: { tick: unknown; endpoints: number; tickErrors: number; memory: { rss: number; heapUsed: number } }[] };

  const result: Record<string, unknown> = {
    mode,
    count: countArg,
    workers: process.env.MEDIA_IN_PROCESS === '1' ? 'in-process' : workers,
    setupS: Math.round(setupMs) / 1000,
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    cpuUserPercent: Math.round((cpu.user / 1000 / wallMs) * 1000) / 10,
    tick: stats.workers.map((w) => w.tick),
    endpoints: stats.workers.reduce((n, w) => n + w.endpoints, 0),
    tickErrors: stats.workers.reduce((n, w) => n + w.tickErrors, 0),
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  };

  if (mode !== 'record' && sessions.length > 0) {
    // One call's legs, as a sample of what the engine saw.
    const s = sessions[0]!;
    const st = (await s.stats()) as { endpoints: { id: string }[] };
    result.sampleEndpoint = await s.stats(st.endpoints[0]!.id).then((e) => {
      const x = e as { counters: Record<string, number>; relaying: boolean };
      return { relaying: x.relaying, counters: x.counters };
    });
  }
  if (mode === 'record') {
    let dropped = 0;
    let backpressureEvents = 0;
    let framesWritten = 0;
    for (const r of recordings) {
      const st = (await r.session.stats(r.id)) as { recorder: { droppedFrames: number; backpressureEvents: number; framesWritten: number } };
      dropped += st.recorder.droppedFrames;
      backpressureEvents += st.recorder.backpressureEvents;
      framesWritten += st.recorder.framesWritten;
    }
    let bytes = 0;
    let shortFiles = 0;
    await Promise.all(
      recordings.map(async (r) => {
        const res = await r.session.stopRecord(r.id);
        bytes += res.bytes;
      }),
    );
    // Every file holds every frame it was given: 320 bytes per 20 ms frame at 8 kHz mono.
    const files = (await readdir(target)).filter((f) => f.startsWith('rec-') && f.endsWith('.wav'));
    for (const f of files) {
      const size = (await stat(join(target, f))).size;
      if (size < 44) shortFiles++;
    }
    Object.assign(result, { recordings: recordings.length, files: files.length, framesWritten, droppedFrames: dropped, backpressureEvents, bytes, shortFiles, bytesPerFrameOk: bytes >= framesWritten * 320 });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  // The generator started after the ports file appeared and measures a window as long as ours:
  // keep the media flowing until it has finished (its window ends up to a few 100 ms after ours).
  if (mode !== 'record') await sleep(2000);
  await engine.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
