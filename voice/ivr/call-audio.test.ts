// The caller's side of an IVR, against a media session that plays and records on a clock of
// its own: a failed synthesis is a tone and the call goes on; a key during a prompt stops it
// and stays buffered; a hangup ends a wait at once; # ends a recording.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaSessionHandle, PlayItem } from '../../media/engine/index.js';
import { CallAudio } from './call-audio.js';
import { EspeakTts } from './espeak-tts.js';
import { TtsCache } from './tts-cache.js';

const quiet = { warn: () => undefined };

/** A session whose plays last their items' durations (files: 300 ms) and whose recordings stop on request. */
function fakeMedia(audio: () => CallAudio) {
  const played: { id: string; items: PlayItem[]; stopped: boolean }[] = [];
  let n = 0;
  const media = {
    id: 'sess',
    async play(_target: string, items: PlayItem[]) {
      const id = `play${++n}`;
      const entry = { id, items, stopped: false };
      played.push(entry);
      const ms = items.reduce((t, i) => t + (i.type === 'file' ? 300 : (i.durationMs ?? 0)), 0);
      setTimeout(() => !entry.stopped && audio().playbackDone(id), ms);
      return { playId: id };
    },
    async stopPlay(id: string) {
      const e = played.find((p) => p.id === id)!;
      e.stopped = true;
      setTimeout(() => audio().playbackDone(id), 5);
    },
    async record() {
      return { recordingId: 'rec1' };
    },
    async stopRecord(id: string) {
      setTimeout(() => audio().recordingDone(id, { path: '/x/m.wav', durationMs: 1234, bytes: 100, format: 'wav' }), 5);
      return { path: '/x/m.wav', durationMs: 1234, bytes: 100, format: 'wav' };
    },
  };
  return { media: media as unknown as MediaSessionHandle, played };
}

function setup(command?: string) {
  const { media, played } = fakeMedia(() => a);
  const a: CallAudio = new CallAudio({
    media,
    endpointId: 'ep1',
    rate: 8000,
    tts: new TtsCache(new EspeakTts(command ? { command } : {}), mkdtempSync(path.join(tmpdir(), 'sb-audio-'))),
    recordingsDir: mkdtempSync(path.join(tmpdir(), 'sb-rec-')),
    recordingsSubdir: 'vm',
    log: quiet,
  });
  return { audio: a, played };
}

describe('CallAudio', () => {
  it('a prompt that cannot be synthesized plays a tone instead, and the call goes on', async () => {
    const { audio, played } = setup('espeak-ng-not-installed');
    await audio.say('Welcome.', 'en-US', { signal: new AbortController().signal, bargeIn: false });
    expect(played).toHaveLength(1);
    expect(played[0]!.items.every((i) => i.type !== 'file')).toBe(true);
    expect(played[0]!.items.some((i) => i.type === 'tone')).toBe(true);
  });

  it('a key during a prompt stops it (barge-in) and is the next key collected', async () => {
    const { audio, played } = setup();
    const t0 = Date.now();
    setTimeout(() => audio.digits.push('2'), 50);
    await audio.play([{ type: 'silence', durationMs: 2000 }], 2000, { signal: new AbortController().signal, bargeIn: true });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(played[0]!.stopped).toBe(true);
    expect(audio.digits.take()).toBe('2');
    // Without barge-in the key waits for the prompt to end.
    const t1 = Date.now();
    setTimeout(() => audio.digits.push('3'), 50);
    await audio.play([{ type: 'silence', durationMs: 400 }], 400, { signal: new AbortController().signal, bargeIn: false });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(390);
    expect(audio.digits.take()).toBe('3');
  });

  it('a hangup ends a prompt and a wait for keys at once', async () => {
    const { audio } = setup();
    const hangup = new AbortController();
    setTimeout(() => hangup.abort(new Error('the caller hung up')), 50);
    const t0 = Date.now();
    await expect(audio.play([{ type: 'silence', durationMs: 3000 }], 3000, { signal: hangup.signal, bargeIn: false })).rejects.toThrow(/hung up/);
    await expect(audio.digits.wait(3000, hangup.signal)).rejects.toThrow(/hung up/);
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('# ends a recording (keys pressed before it started do not), other keys are ignored', async () => {
    const { audio } = setup();
    audio.digits.push('#'); // answered the previous prompt: stale
    setTimeout(() => audio.digits.push('5'), 30);
    setTimeout(() => audio.digits.push('#'), 80);
    const r = await audio.record({ maxSeconds: 10, finishOnKey: '#', silenceSeconds: 5, signal: new AbortController().signal });
    expect(r).toEqual({ path: '/x/m.wav', durationMs: 1234, endedBy: 'key' });
  });

  it('a hangup ends a recording with what was recorded', async () => {
    const { audio } = setup();
    const hangup = new AbortController();
    setTimeout(() => hangup.abort(new Error('the caller hung up')), 50);
    const r = await audio.record({ maxSeconds: 10, finishOnKey: '#', silenceSeconds: 5, signal: hangup.signal });
    expect(r.endedBy).toBe('hangup');
    expect(r.path).toBe('/x/m.wav');
  });
});
