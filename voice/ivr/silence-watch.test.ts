// The voicemail silence check reads the WAV the engine is writing: it fires once the caller has
// been quiet for the configured time, not while they talk, and not before the file exists.
import { mkdtempSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sine } from '../../media/dsp/tone.js';
import { headerBytes } from '../../media/recorder/pcm-wav-header.js';
import { SilenceWatch } from './silence-watch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bytes = (s: Int16Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength);

describe('SilenceWatch', () => {
  it('fires after the silence that follows speech, not during the speech', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sb-silence-')), 'm.wav');
    let firedAt = -1;
    const w = new SilenceWatch({ path: file, sampleRate: 8000, silenceMs: 600, pollMs: 20, onSilence: () => (firedAt = w.heardMs) });
    w.start();
    await sleep(60); // no file yet: nothing happens
    await writeFile(file, headerBytes({ sampleRate: 8000, channels: 1 }));
    // 1 s of tone in 100 ms writes, then silence in 100 ms writes.
    for (let i = 0; i < 10; i++) {
      await appendFile(file, bytes(sine(440, 8000, 800, -20)));
      await sleep(25);
    }
    expect(firedAt).toBe(-1);
    for (let i = 0; i < 10 && firedAt < 0; i++) {
      await appendFile(file, bytes(new Int16Array(800)));
      await sleep(40);
    }
    await w.stop();
    expect(firedAt).toBeGreaterThanOrEqual(1600);
    expect(firedAt).toBeLessThanOrEqual(1800);
  });
});
