// The engine on worker threads: the bridge works through them, and a worker that dies is
// reported (worker_exit, its sessions lost) and replaced.
//
// Worker threads run the compiled engine (dist/), like the recorder's SIGKILL test: vitest's
// global setup builds it (with SWITCHBOARD_TEST_SKIP_BUILD=1, run `npm run build` first).
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerMediaEngine, type WorkerExitEvent } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { ABSENT, answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

const workerUrl = new URL('../../dist/media/engine/worker-main.js', import.meta.url);
let engine: WorkerMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

describe('WorkerMediaEngine', () => {
  it('bridges two far ends through a worker thread', async () => {
    engine = new WorkerMediaEngine({ portMin: 31720, portMax: 31759, workers: 2, workerUrl });
    await engine.ready();
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    const b = await answeredLeg(session, { codec: 'PCMA' });
    peers.push(a.peer, b.peer);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);
    await Promise.all([a.peer.play(tone(a.peer, 440, 0.5)), b.peer.play(tone(b.peer, 700, 0.5))]);
    await sleep(120);
    expect(hasTone(b.peer.heard(), 8000, 440, -20)).toBe(true);
    expect(hasTone(a.peer.heard(), 8000, 700, -20)).toBe(true);
    expect(hasTone(a.peer.heard(), 8000, 440, ABSENT)).toBe(false);

    // Sessions spread over the workers; each worker owns its own slice of the ports.
    const other = await engine.createSession();
    expect(other.worker).not.toBe(session.worker);
    const c = await answeredLeg(other, { codec: 'PCMU' });
    peers.push(c.peer);
    const stats = (await engine.stats()) as { workers: { worker: number; ports: { min: number; max: number }; tick: { ticks: number } }[] };
    expect(stats.workers.map((w) => ({ min: w.ports.min, max: w.ports.max }))).toEqual([
      { min: 31720, max: 31739 },
      { min: 31740, max: 31759 },
    ]);
    expect(stats.workers.every((w) => w.tick.ticks > 0)).toBe(true);
    const port = (sdp: string) => Number(/^m=audio (\d+)/m.exec(sdp)![1]);
    expect(port(c.localSdp)).toBeGreaterThanOrEqual(stats.workers[other.worker]!.ports.min);
    expect(port(c.localSdp)).toBeLessThanOrEqual(stats.workers[other.worker]!.ports.max);
  });

  it('a killed worker raises worker_exit with its sessions, and is replaced', async () => {
    engine = new WorkerMediaEngine({ portMin: 31760, portMax: 31799, workers: 1, workerUrl });
    const exits: WorkerExitEvent[] = [];
    engine.on('worker_exit', (e) => exits.push(e));
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(a.peer);
    await engine.terminateWorker(session.worker);
    await a.peer.waitFor(() => exits.length > 0, 3000, 'worker_exit');
    expect(exits[0]).toMatchObject({ worker: 0, lostSessions: [session.id] });
    await expect(session.stats(a.endpointId)).rejects.toMatchObject({ name: 'MediaEngineError', code: 'worker_lost' });
    // The replacement takes new sessions, on the same ports.
    const again = await engine.createSession();
    expect(again.id).not.toBe(session.id);
    const b = await answeredLeg(again, { codec: 'PCMU' });
    peers.push(b.peer);
    await b.peer.play(tone(b.peer, 440, 0.1));
    await sleep(60);
    expect(b.peer.audioPackets().length).toBeGreaterThan(0);
  });
});
