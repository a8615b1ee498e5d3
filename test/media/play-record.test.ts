// play() and record() over the wire: what the far end hears of a prompt, when playback_done
// comes, and what a recording holds on each channel.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sine } from '../../media/dsp/tone.js';
import { InProcessMediaEngine, type PlaybackDoneEvent, type RecordingDoneEvent } from '../../media/engine/index.js';
import { headerBytes } from '../../media/recorder/pcm-wav-header.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import { hasTone } from '../helpers/tone-analysis.js';
import { ABSENT, answeredLeg, closeAll, sleep, tone } from './call-fixture.js';

let engine: InProcessMediaEngine | null = null;
const peers: RtpPeer[] = [];
let dir = '';

afterEach(async () => {
  await closeAll(engine, peers.splice(0));
  engine = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** A mono 16-bit WAV of a sine (16 kHz: the player converts it to the leg's 8 kHz). */
async function wavFile(path: string, frequency: number, seconds: number, rate = 16000): Promise<void> {
  const pcm = sine(frequency, rate, Math.round(rate * seconds), -12);
  const body = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  await writeFile(path, Buffer.concat([headerBytes({ sampleRate: rate, channels: 1 }, body.length), body]));
}

/** The samples of a 16-bit PCM WAV we wrote (44-byte header), split into channels. */
async function readWav(path: string): Promise<{ rate: number; channels: Int16Array[] }> {
  const b = await readFile(path);
  const rate = b.readUInt32LE(24);
  const n = b.readUInt16LE(22);
  const samples = new Int16Array(b.buffer.slice(b.byteOffset + 44, b.byteOffset + b.length - ((b.length - 44) % 2)));
  const channels = Array.from({ length: n }, (_, c) => samples.filter((_, i) => i % n === c));
  return { rate, channels };
}

describe('play()', () => {
  it('the far end hears the prompt, and playback_done arrives once when it ends', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-play-'));
    engine = new InProcessMediaEngine({ portMin: 31420, portMax: 31459 });
    const done: PlaybackDoneEvent[] = [];
    engine.on('playback_done', (e) => done.push(e));
    const session = await engine.createSession();
    const leg = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(leg.peer);
    await wavFile(join(dir, 'prompt.wav'), 1200, 0.3);
    const { playId } = await session.play(leg.endpointId, [
      { type: 'file', path: join(dir, 'prompt.wav') },
      { type: 'tone', frequencies: [600], durationMs: 200 },
    ]);
    const from = leg.peer.received.length;
    await leg.peer.waitFor(() => done.length > 0, 3000, 'playback_done');
    await sleep(200);
    const heard = leg.peer.heard(from);
    expect(hasTone(heard, 8000, 1200, -20)).toBe(true);
    expect(hasTone(heard, 8000, 600, -20)).toBe(true);
    expect(done).toEqual([{ sessionId: session.id, playId, reason: 'finished', playedMs: 500 }]);
  });

  it('a prompt played to one leg of a bridge is heard by that leg only', async () => {
    engine = new InProcessMediaEngine({ portMin: 31460, portMax: 31499 });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    const b = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(a.peer, b.peer);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);
    const fromA = a.peer.received.length;
    const fromB = b.peer.received.length;
    const { playId } = await session.play(a.endpointId, [{ type: 'tone', frequencies: [900] }], { loop: true });
    await sleep(300);
    await session.stopPlay(playId);
    expect(hasTone(a.peer.heard(fromA), 8000, 900, -20)).toBe(true);
    expect(hasTone(b.peer.heard(fromB), 8000, 900, ABSENT)).toBe(false);
    // With the prompt gone the two legs relay again.
    expect(await session.stats(roomId)).toMatchObject({ relaying: true });
  });
});

describe('record()', () => {
  it('a dual-channel recording of a leg has it on the left and the other party on the right', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-rec-'));
    engine = new InProcessMediaEngine({ portMin: 31500, portMax: 31539, recordingsDir: dir });
    const done: RecordingDoneEvent[] = [];
    engine.on('recording_done', (e) => done.push(e));
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    const b = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(a.peer, b.peer);
    const { roomId } = await session.createRoom();
    await session.join(roomId, a.endpointId);
    await session.join(roomId, b.endpointId);
    const { recordingId } = await session.record(a.endpointId, { path: 'calls/one.wav', mode: 'dual', trim: false });
    expect(await session.stats(roomId)).toMatchObject({ relaying: false }); // recording needs the audio
    await Promise.all([a.peer.play(tone(a.peer, 440, 0.5)), b.peer.play(tone(b.peer, 700, 0.5))]);
    await sleep(100);
    const result = await session.stopRecord(recordingId);
    expect(result.path).toBe(join(dir, 'calls/one.wav'));
    expect(result.durationMs).toBeGreaterThan(500);
    const wav = await readWav(result.path);
    expect(wav.rate).toBe(8000);
    expect(wav.channels.length).toBe(2);
    const [left, right] = wav.channels as [Int16Array, Int16Array];
    expect(hasTone(left, 8000, 440, -20)).toBe(true);
    expect(hasTone(left, 8000, 700, ABSENT)).toBe(false);
    expect(hasTone(right, 8000, 700, -20)).toBe(true);
    expect(hasTone(right, 8000, 440, ABSENT)).toBe(false);
    await sleep(20);
    expect(done.map((d) => d.recordingId)).toEqual([recordingId]);
  });

  it('refuses a path outside the recordings directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-rec-'));
    engine = new InProcessMediaEngine({ portMin: 31540, portMax: 31559, recordingsDir: dir });
    const session = await engine.createSession();
    const a = await answeredLeg(session, { codec: 'PCMU' });
    peers.push(a.peer);
    await expect(session.record(a.endpointId, { path: '../escape.wav' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
