// What a call costs in commands to the media worker: a session is created with its first
// command (none before), a room takes its members in the same command, and a destroy brings
// back the last stats of the endpoints it destroyed, which the handle answers from afterwards.
// Runs the compiled worker (dist/), like worker-engine.test.ts.
import { afterEach, expect, it } from 'vitest';
import { MediaEngineError, WorkerMediaEngine } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { answeredLeg, closeAll } from './call-fixture.js';

const workerUrl = new URL('../../dist/media/engine/worker-main.js', import.meta.url);
let engine: WorkerMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

const workerSessions = async (e: WorkerMediaEngine): Promise<number> => ((await e.stats()) as { workers: { sessions: number }[] }).workers[0]!.sessions;

it('creates a session in the worker with its first command, and never one destroyed before any', async () => {
  engine = new WorkerMediaEngine({ portMin: 31760, portMax: 31799, workers: 1, workerUrl });
  await engine.ready();
  const unused = await engine.createSession();
  const call = await engine.createSession();
  expect(unused.id).not.toBe(call.id);
  expect(await workerSessions(engine)).toBe(0);
  await unused.destroy();
  const a = await answeredLeg(call);
  peers.push(a.peer);
  expect(a.endpointId.startsWith(`${call.id}:`)).toBe(true);
  expect(await workerSessions(engine)).toBe(1);
  // The forgotten session is gone for good.
  await expect(unused.createEndpoint({})).rejects.toMatchObject({ code: 'not_found' });
});

it('bridges two endpoints in one createRoom, or makes no room when one of them is unknown', async () => {
  engine = new WorkerMediaEngine({ portMin: 31800, portMax: 31839, workers: 1, workerUrl });
  const call = await engine.createSession();
  const a = await answeredLeg(call);
  const b = await answeredLeg(call);
  peers.push(a.peer, b.peer);
  await expect(call.createRoom([{ endpointId: a.endpointId }, { endpointId: `${call.id}:ep99` }])).rejects.toBeInstanceOf(MediaEngineError);
  expect(((await call.stats()) as { rooms: string[] }).rooms).toEqual([]);
  const { roomId } = await call.createRoom([{ endpointId: a.endpointId }, { endpointId: b.endpointId, mode: { mode: 'mute' } }]);
  expect(((await call.stats(roomId)) as { endpoints: string[] }).endpoints.sort()).toEqual([a.endpointId, b.endpointId].sort());
  expect(await call.stats(b.endpointId)).toMatchObject({ room: roomId, mode: { mode: 'mute' } });
});

it("answers a destroyed endpoint's stats with its last figures, from the destroy's reply", async () => {
  engine = new WorkerMediaEngine({ portMin: 31840, portMax: 31879, workers: 1, workerUrl });
  const call = await engine.createSession();
  const a = await answeredLeg(call);
  const b = await answeredLeg(call);
  peers.push(a.peer, b.peer);
  await call.destroy();
  expect(await workerSessions(engine)).toBe(0);
  // The engine no longer knows the session; the handle still has the figures.
  await expect(engine.stats(a.endpointId)).rejects.toMatchObject({ code: 'not_found' });
  for (const id of [a.endpointId, b.endpointId]) {
    expect(await call.stats(id)).toMatchObject({ id, negotiated: true, codec: { name: 'PCMU' }, quality: expect.any(Object) });
  }
});
