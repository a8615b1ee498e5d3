// The player as the far end hears it: pitch, length and order of what comes out frame by frame.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goertzelPower, rms } from '../dsp/goertzel.js';
import { Player, type PlayItem, type PlayerRate } from './player.js';
import { PlayerError } from './player-error.js';
import { PromptCache } from './prompt-cache.js';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-player-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}

/** A sine at `frequency` made by sox: `seconds` long at `rate`, 16-bit unless `bits` says otherwise. */
function soxTone(name: string, frequency: number, seconds: number, rate: number, o: { channels?: number; bits?: number } = {}): string {
  const file = path.join(dir, name);
  run('sox', ['-n', '-r', String(rate), '-c', String(o.channels ?? 1), '-b', String(o.bits ?? 16), file, 'synth', String(seconds), 'sine', String(frequency), 'vol', '0.5']);
  return file;
}

function lameMp3(name: string, wav: string): string {
  const file = path.join(dir, name);
  run('lame', ['--quiet', wav, file]);
  return file;
}

/** Plays until done (or `maxMs`), returning everything sent and whether/when done came. */
function playOut(player: Player, maxMs: number): { audio: Int16Array; doneAtFrame: number[] } {
  const frame = new Int16Array(player.frameSamples);
  const frames = Math.round(maxMs / 20);
  const audio = new Int16Array(frames * frame.length);
  const doneAtFrame: number[] = [];
  let f = 0;
  const onDone = (): void => {
    doneAtFrame.push(f);
  };
  player.on('done', onDone);
  for (; f < frames; f++) {
    player.fill(frame);
    audio.set(frame, f * frame.length);
  }
  player.off('done', onDone);
  return { audio, doneAtFrame };
}

/** Power of a -6 dBFS (sox vol 0.5) sine, as goertzelPower reports it. */
const HALF_SCALE = 0.25;

let wav16k: string;
let mp3: string;
beforeAll(() => {
  wav16k = soxTone('1k-16k.wav', 1000, 1.5, 16000);
  mp3 = lameMp3('700.mp3', soxTone('700-44k.wav', 700, 1, 44100));
});

describe('Player', () => {
  it('plays a 16 kHz WAV at 8 kHz at the right pitch and for the right time, then says done', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache() });
    await player.play([{ type: 'file', path: wav16k }]);
    const { audio, doneAtFrame } = playOut(player, 2000);
    // 1.5 s = 75 frames of 20 ms: done in the frame carrying the last sample.
    expect(doneAtFrame).toEqual([74]);
    const sound = audio.subarray(160, 1.5 * 8000 - 160);
    expect(goertzelPower(sound, 8000, 1000)).toBeGreaterThan(0.9 * HALF_SCALE);
    // Played at the wrong speed it would sit an octave away.
    expect(goertzelPower(sound, 8000, 2000)).toBeLessThan(1e-4);
    expect(goertzelPower(sound, 8000, 500)).toBeLessThan(1e-4);
    expect(rms(audio.subarray(1.5 * 8000))).toBe(0);
  });

  it('converts from rates outside the telephony set (22.05 kHz, as espeak-ng writes) and downmixes stereo', async () => {
    const cache = new PromptCache();
    for (const [file, rate] of [
      [soxTone('600-22k.wav', 600, 1, 22050), 16000],
      [soxTone('600-st.wav', 600, 1, 48000, { channels: 2 }), 8000],
    ] as const) {
      const player = new Player({ sampleRate: rate, cache });
      await player.play([{ type: 'file', path: file }]);
      const { audio, doneAtFrame } = playOut(player, 1500);
      expect(doneAtFrame).toEqual([49]);
      const sound = audio.subarray(rate / 50, rate - rate / 50);
      expect(goertzelPower(sound, rate, 600)).toBeGreaterThan(0.9 * HALF_SCALE);
      expect(goertzelPower(sound, rate, 1200)).toBeLessThan(1e-4);
    }
  });

  it('filters out what is above the call band instead of folding it back into it', async () => {
    const cache = new PromptCache();
    // 6 kHz cannot exist at 8 kHz; unfiltered it would alias to 2 kHz.
    for (const rate of [44100, 48000]) {
      const player = new Player({ sampleRate: 8000, cache });
      await player.play([{ type: 'file', path: soxTone(`6k-${rate}.wav`, 6000, 0.5, rate) }]);
      const { audio } = playOut(player, 500);
      expect(rms(audio.subarray(160, 3840)) ** 2, `from ${rate} Hz`).toBeLessThan(HALF_SCALE * 1e-5);
    }
  });

  it('plays an MP3 (44.1 kHz, decoded with mpg123) at 8 and 16 kHz', async () => {
    const cache = new PromptCache();
    for (const rate of [8000, 16000] as PlayerRate[]) {
      const player = new Player({ sampleRate: rate, cache });
      await player.play([{ type: 'file', path: mp3 }]);
      const { audio, doneAtFrame } = playOut(player, 1500);
      // lame's encoder delay and padding are removed by the decoder (LAME tag): 1 s, give or take a frame.
      expect(doneAtFrame.length).toBe(1);
      expect(doneAtFrame[0]).toBeGreaterThanOrEqual(48);
      expect(doneAtFrame[0]).toBeLessThanOrEqual(51);
      const sound = audio.subarray(rate / 10, rate - rate / 10);
      expect(goertzelPower(sound, rate, 700)).toBeGreaterThan(0.8 * HALF_SCALE);
      expect(goertzelPower(sound, rate, 1400)).toBeLessThan(1e-3);
    }
  });

  it('plays a queue in order, joining entries mid-frame without gaps, and emits done once', async () => {
    const cache = new PromptCache();
    const a = soxTone('q-500.wav', 500, 0.25, 8000);
    const b = soxTone('q-1500.wav', 1500, 0.25, 16000);
    const player = new Player({ sampleRate: 8000, cache });
    let done = 0;
    player.on('done', () => done++);
    // 250 ms + 250 ms + 130 ms silence + 250 ms tone: entries end inside frames.
    await player.play([
      { type: 'file', path: a },
      { type: 'file', path: b },
      { type: 'silence', durationMs: 130 },
      { type: 'tone', frequencies: [1000], durationMs: 250 },
    ]);
    expect(player.toJSON()).toMatchObject({ state: 'playing', item: 0, items: 4, itemType: 'file', path: a });
    const { audio } = playOut(player, 1200);
    const ms = (x: number): number => x * 8;
    // Windows well inside each entry (the resampler's filter blurs a few ms at the joins).
    expect(goertzelPower(audio, 8000, 500, ms(10), ms(240))).toBeGreaterThan(0.9 * HALF_SCALE);
    expect(goertzelPower(audio, 8000, 1500, ms(10), ms(240))).toBeLessThan(1e-4);
    expect(goertzelPower(audio, 8000, 1500, ms(260), ms(490))).toBeGreaterThan(0.9 * HALF_SCALE);
    expect(goertzelPower(audio, 8000, 500, ms(260), ms(490))).toBeLessThan(1e-4);
    expect(rms(audio.subarray(ms(505), ms(625)))).toBe(0);
    expect(goertzelPower(audio, 8000, 1000, ms(630), ms(880))).toBeGreaterThan(0.09);
    expect(rms(audio.subarray(ms(880)))).toBe(0);
    expect(done).toBe(1);
    expect(player.toJSON()).toMatchObject({ state: 'idle', item: null, playedMs: 880 });
    // Idle: silence, and no further done.
    const frame = new Int16Array(160).fill(1);
    expect(player.fill(frame)).toBe(false);
    expect(rms(frame)).toBe(0);
    expect(done).toBe(1);
  });

  it('keeps a tone clean when it starts in the middle of a frame', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache() });
    await player.play([{ type: 'silence', durationMs: 7.5 }, { type: 'tone', frequencies: [1000], level: -10 }]);
    const { audio } = playOut(player, 1000);
    const tone = audio.subarray(60, 60 + 7000);
    // All the energy is the tone: a phase jump at each frame edge would spread it elsewhere.
    const total = rms(tone) ** 2;
    expect(goertzelPower(tone, 8000, 1000) / 2).toBeGreaterThan(0.99 * total);
  });

  it('loops hold music until stopped, never saying done', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache() });
    let done = 0;
    player.on('done', () => done++);
    await player.play(
      [
        { type: 'tone', frequencies: [440], durationMs: 300 },
        { type: 'silence', durationMs: 200 },
      ],
      { loop: true },
    );
    const { audio } = playOut(player, 3000);
    // Six passes of 500 ms: tone in the first 300 ms of each, silence in the rest.
    for (let pass = 0; pass < 6; pass++) {
      const at = pass * 4000;
      expect(goertzelPower(audio, 8000, 440, at + 80, at + 2320)).toBeGreaterThan(0.09);
      expect(rms(audio.subarray(at + 2400, at + 4000))).toBe(0);
    }
    expect(done).toBe(0);
    expect(player.toJSON()).toMatchObject({ state: 'playing', loop: true, loops: 6 });
    player.stop();
    const frame = new Int16Array(160);
    expect(player.fill(frame)).toBe(false);
    expect(done).toBe(0);
    expect(player.toJSON().state).toBe('idle');
  });

  it('plays US ringback with its cadence: 440+480 Hz, 2 s on, 4 s off', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache() });
    await player.play([{ type: 'tone', frequencies: [440, 480], onMs: 2000, offMs: 4000, level: -19 }]);
    const { audio } = playOut(player, 12_000);
    const s = (x: number): number => x * 8000;
    for (const on of [0, 6]) {
      expect(goertzelPower(audio, 8000, 440, s(on + 0.1), s(on + 1.9))).toBeGreaterThan(0.01);
      expect(goertzelPower(audio, 8000, 480, s(on + 0.1), s(on + 1.9))).toBeGreaterThan(0.01);
      expect(rms(audio.subarray(s(on + 2.01), s(on + 5.99)))).toBe(0);
    }
  });

  it('decodes a prompt once for many players, and evicts the least recently used past its byte bound', async () => {
    const loads: string[] = [];
    const cache = new PromptCache({
      maxBytes: 2 * 16000 * 2 + 100, // room for two 1 s prompts at 16 kHz
      load: async (file, rate, limits) => {
        loads.push(path.basename(file));
        const { loadPrompt } = await import('./prompt-loader.js');
        return loadPrompt(file, rate, limits);
      },
    });
    const hold = soxTone('hold.wav', 400, 1, 16000);
    const players = Array.from({ length: 200 }, () => new Player({ sampleRate: 16000, cache }));
    await Promise.all(players.map((p) => p.play([{ type: 'file', path: hold }], { loop: true })));
    expect(loads).toEqual(['hold.wav']);
    expect(cache.toJSON()).toMatchObject({ entries: 1, loads: 1, bytes: 32000 });
    const frame = new Int16Array(320);
    players[199]!.fill(frame);
    expect(goertzelPower(frame, 16000, 400)).toBeGreaterThan(0.2);

    // The same file at another rate is another entry; a third prompt evicts the oldest.
    const other = soxTone('other.wav', 900, 1, 16000);
    await new Player({ sampleRate: 8000, cache }).play([{ type: 'file', path: hold }]);
    await new Player({ sampleRate: 16000, cache }).play([{ type: 'file', path: other }]);
    expect(cache.toJSON()).toMatchObject({ entries: 2, evictions: 1 });
    await new Player({ sampleRate: 16000, cache }).play([{ type: 'file', path: hold }]);
    expect(loads).toEqual(['hold.wav', 'hold.wav', 'other.wav', 'hold.wav']);
    // The evicted prompt still plays for those who had it.
    players[0]!.fill(frame);
    expect(goertzelPower(frame, 16000, 400)).toBeGreaterThan(0.2);
  });

  it('reloads a prompt whose file changed', async () => {
    const cache = new PromptCache();
    const file = soxTone('changing.wav', 500, 0.5, 8000);
    await new Player({ sampleRate: 8000, cache }).play([{ type: 'file', path: file }]);
    soxTone('changing.wav', 1500, 0.6, 8000);
    const player = new Player({ sampleRate: 8000, cache });
    await player.play([{ type: 'file', path: file }]);
    const frame = new Int16Array(800);
    player.fill(frame);
    expect(goertzelPower(frame, 8000, 1500)).toBeGreaterThan(0.2);
    expect(cache.toJSON().loads).toBe(2);
  });

  it('refuses what it cannot play with a typed error, leaving the current queue playing', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache({ maxFileBytes: 100_000 }) });
    await player.play([{ type: 'tone', frequencies: [425] }]);
    const garbage = path.join(dir, 'garbage.wav');
    writeFileSync(garbage, 'this is not audio at all, just some text');
    const cases: [PlayItem[], string][] = [
      [[{ type: 'file', path: path.join(dir, 'missing.wav') }], 'not_found'],
      [[{ type: 'file', path: garbage }], 'unsupported_format'],
      [[{ type: 'file', path: soxTone('24bit.wav', 500, 0.2, 8000, { bits: 24 }) }], 'unsupported_format'],
      [[{ type: 'file', path: soxTone('long.wav', 500, 10, 8000) }], 'too_large'],
      [[{ type: 'tone', frequencies: [5000] }], 'invalid_item'],
      [[{ type: 'silence', durationMs: -1 }], 'invalid_item'],
      [[{ type: 'silence', durationMs: 0 }], 'empty'],
    ];
    for (const [items, code] of cases) {
      const err = await player.play(items, { loop: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, code).toBeInstanceOf(PlayerError);
      expect((err as PlayerError).code).toBe(code);
    }
    const frame = new Int16Array(160);
    expect(player.fill(frame)).toBe(true);
    expect(goertzelPower(frame, 8000, 425)).toBeGreaterThan(0.09);
  });

  it('drops a load that a stop() or a later play() overtook', async () => {
    const player = new Player({ sampleRate: 8000, cache: new PromptCache() });
    const slow = player.play([{ type: 'file', path: wav16k }]);
    player.stop();
    await slow;
    expect(player.toJSON().state).toBe('idle');

    const first = player.play([{ type: 'file', path: wav16k }]);
    const second = player.play([{ type: 'tone', frequencies: [2500], durationMs: 100 }]);
    await Promise.all([first, second]);
    expect(player.toJSON()).toMatchObject({ state: 'playing', itemType: 'tone' });
  });
});
