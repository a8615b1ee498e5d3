// Answering machine detection in the engine, over real UDP: a far end's RTP is decoded and
// analysed, the command answers with the decision, and a bridge leaves the relay fast path only
// while the analysis runs.
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine, MediaEngineError } from './index.js';
import type { RtpPeer } from '../../test/helpers/rtp-peer.js';
import { answeredLeg, closeAll, tone } from '../../test/media/call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
});

async function session() {
  engine = new InProcessMediaEngine({ portMin: 31940, portMax: 31979 });
  return engine.createSession();
}

const silence = (peer: RtpPeer, seconds: number) => new Int16Array(Math.round(peer.sampleRate * seconds));

describe('detectMachine', () => {
  it('a far end that says a short hello and then waits is a human, decided on the silence', async () => {
    const s = await session();
    const a = await answeredLeg(s);
    peers.push(a.peer);
    const started = Date.now();
    const decision = s.detectMachine(a.endpointId);
    await a.peer.play(tone(a.peer, 300, 0.4));
    const waiting = a.peer.play(silence(a.peer, 1.2));
    const d = await decision;
    expect(d).toMatchObject({ result: 'human', cause: 'after_greeting_silence', words: 1 });
    expect(d.voiceMs).toBeGreaterThanOrEqual(300);
    // It answered on the silence after the hello, not at the end of the analysis time.
    expect(Date.now() - started).toBeLessThan(3500);
    await waiting;
  });

  it('a bridged far end talking on and on is a machine; the bridge mixes meanwhile and relays after', async () => {
    const s = await session();
    const a = await answeredLeg(s);
    const b = await answeredLeg(s);
    peers.push(a.peer, b.peer);
    const { roomId } = await s.createRoom();
    await s.join(roomId, a.endpointId);
    await s.join(roomId, b.endpointId);
    expect(await s.stats(roomId)).toMatchObject({ relaying: true });

    const decision = s.detectMachine(b.endpointId);
    const talking = b.peer.play(tone(b.peer, 500, 2));
    await new Promise((r) => setTimeout(r, 100));
    expect(await s.stats(roomId), 'audio is decoded while it is analysed').toMatchObject({ relaying: false });
    const d = await decision;
    expect(d).toMatchObject({ result: 'machine', cause: 'long_greeting' });
    expect(d.voiceMs).toBe(1500);
    expect(await s.stats(roomId)).toMatchObject({ relaying: true });
    await talking;
  });

  it('nobody speaking is unknown; a leg that goes away ends its analysis with what it had', async () => {
    const s = await session();
    const a = await answeredLeg(s);
    const b = await answeredLeg(s);
    peers.push(a.peer, b.peer);
    const quiet = s.detectMachine(a.endpointId, { initialSilenceMs: 600 });
    const waiting = a.peer.play(silence(a.peer, 0.8));
    expect(await quiet).toMatchObject({ result: 'unknown', cause: 'initial_silence', afterMs: 600 });
    await waiting;

    const cut = s.detectMachine(b.endpointId);
    await b.peer.play(tone(b.peer, 300, 0.3));
    await s.destroy(b.endpointId);
    expect(await cut).toMatchObject({ result: 'unknown', cause: 'stream_ended', words: 1 });
  });

  it('refuses a second analysis of the same leg, an unknown endpoint and nonsense settings', async () => {
    const s = await session();
    const a = await answeredLeg(s);
    peers.push(a.peer);
    const first = s.detectMachine(a.endpointId, { totalAnalysisMs: 200 });
    await expect(s.detectMachine(a.endpointId)).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(s.detectMachine(`${s.id}:ep99`)).rejects.toMatchObject({ code: 'not_found' });
    await expect(s.detectMachine(a.endpointId, { greetingMs: -5 })).rejects.toBeInstanceOf(MediaEngineError);
    expect(await first).toMatchObject({ result: 'unknown' });
  });
});
