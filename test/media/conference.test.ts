// A conference over UDP: three talkers, a muted speaker and a coach whispering to one of them, then
// one put on hold with music. Each far end's audio is searched for every voice.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessMediaEngine } from '../../media/engine/index.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { ABSENT, answeredLeg, closeAll, sleep, tone, type Leg } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];
let dir = '';

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

const VOICE = { a: 440, b: 700, c: 1100, muted: 1500, coach: 1900 } as const;
type Name = keyof typeof VOICE;

function expectHears(leg: Leg, from: number, hears: Name[], not: Name[]): void {
  const audio = leg.peer.heard(from);
  for (const n of hears) expect(hasTone(audio, 8000, VOICE[n], -25), `should hear ${n}`).toBe(true);
  for (const n of not) expect(hasTone(audio, 8000, VOICE[n], ABSENT), `should not hear ${n}`).toBe(false);
}

describe('a conference', () => {
  it('muted speaker and whisper: who hears what; then hold with music', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-conf-'));
    engine = new InProcessMediaEngine({ portMin: 31560, portMax: 31619, recordingsDir: dir });
    const session = await engine.createSession();
    const legs = {} as Record<Name, Leg>;
    const { roomId } = await session.createRoom();
    for (const n of Object.keys(VOICE) as Name[]) {
      legs[n] = await answeredLeg(session, { codec: n === 'c' ? 'PCMA' : 'PCMU' });
      peers.push(legs[n].peer);
      await session.join(roomId, legs[n].endpointId);
    }
    await session.setMode(legs.muted.endpointId, { mode: 'mute' });
    await session.setMode(legs.coach.endpointId, { mode: 'whisper', target: legs.a.endpointId });
    const { recordingId } = await session.record(roomId, { path: 'conf.wav', trim: false });

    const from = Object.fromEntries((Object.keys(VOICE) as Name[]).map((n) => [n, legs[n].peer.received.length])) as Record<Name, number>;
    await Promise.all((Object.keys(VOICE) as Name[]).map((n) => legs[n].peer.play(tone(legs[n].peer, VOICE[n], 0.5))));
    await sleep(120);

    expectHears(legs.a, from.a, ['b', 'c', 'coach'], ['a', 'muted']);
    expectHears(legs.b, from.b, ['a', 'c'], ['b', 'muted', 'coach']);
    expectHears(legs.c, from.c, ['a', 'b'], ['c', 'muted', 'coach']);
    expectHears(legs.muted, from.muted, ['a', 'b', 'c'], ['muted', 'coach']);
    expectHears(legs.coach, from.coach, ['a', 'b', 'c'], ['coach', 'muted']);

    // The room's recording hears what the room hears: not the muted speaker, not the whisper.
    const rec = await session.stopRecord(recordingId);
    const file = await readFile(rec.path);
    const samples = new Int16Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + file.length - ((file.length - 44) % 2)));
    for (const n of ['a', 'b', 'c'] as Name[]) expect(hasTone(samples, 8000, VOICE[n], -25)).toBe(true);
    for (const n of ['muted', 'coach'] as Name[]) expect(hasTone(samples, 8000, VOICE[n], ABSENT)).toBe(false);

    // Hold: B hears the music and nothing else; nobody hears B or the music.
    await session.setMode(legs.b.endpointId, { mode: 'hold', music: [{ type: 'tone', frequencies: [300] }] });
    const at = Object.fromEntries((Object.keys(VOICE) as Name[]).map((n) => [n, legs[n].peer.received.length])) as Record<Name, number>;
    await Promise.all([legs.a.peer.play(tone(legs.a.peer, VOICE.a, 0.4)), legs.b.peer.play(tone(legs.b.peer, VOICE.b, 0.4))]);
    await sleep(100);
    const held = legs.b.peer.heard(at.b);
    expect(hasTone(held, 8000, 300, -25)).toBe(true);
    expect(hasTone(held, 8000, VOICE.a, ABSENT)).toBe(false);
    for (const n of ['a', 'c', 'muted', 'coach'] as Name[]) {
      const audio = legs[n].peer.heard(at[n]);
      expect(hasTone(audio, 8000, VOICE.b, ABSENT), `${n} should not hear the held party`).toBe(false);
      expect(hasTone(audio, 8000, 300, ABSENT), `${n} should not hear the music`).toBe(false);
    }
  });
});
