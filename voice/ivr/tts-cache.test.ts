// Prompts through espeak-ng (the Debian package the setup script installs) at the call's rate,
// kept on disk: the second caller hears the file the first one caused, a changed text or rate
// is a new file, and a synthesizer that fails is an error the caller of speak() handles.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../media/player/wav-pcm.js';
import { levelDbfs } from '../../test/helpers/tone-analysis.js';
import { EspeakTts } from './espeak-tts.js';
import { TtsCache } from './tts-cache.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'sb-tts-cache-'));

describe('TtsCache over espeak-ng', () => {
  it('renders at 8 kHz for G.711 and 16 kHz for wideband, and renders each prompt once', async () => {
    const cache = new TtsCache(new EspeakTts(), dir());
    const text = 'Press 1 for sales.';
    const narrow = await cache.speak({ text, language: 'en-US', sampleRate: 8000 });
    const wide = await cache.speak({ text, language: 'en-US', sampleRate: 16000 });
    const pcm8 = decodeWav(await readFile(narrow.path), 'narrow', 60);
    const pcm16 = decodeWav(await readFile(wide.path), 'wide', 60);
    expect(pcm8.sampleRate).toBe(8000);
    expect(pcm16.sampleRate).toBe(16000);
    expect(levelDbfs(pcm8.samples), 'speech, not silence').toBeGreaterThan(-35);
    expect(Math.abs(narrow.durationMs - wide.durationMs)).toBeLessThan(5);
    expect(Math.abs((pcm8.samples.length * 1000) / 8000 - narrow.durationMs)).toBeLessThan(2);
    expect(cache.renders).toBe(2);

    // The same prompt again (and twice at once): the file on disk, no new synthesis.
    const [again, twice] = await Promise.all([cache.speak({ text, language: 'en-US', sampleRate: 8000 }), cache.speak({ text, language: 'en-US', sampleRate: 8000 })]);
    expect(again).toEqual(narrow);
    expect(twice).toEqual(narrow);
    expect(cache.renders).toBe(2);
    // Another text, another file.
    const other = await cache.speak({ text: 'Press 2 for support.', language: 'en-US', sampleRate: 8000 });
    expect(other.path).not.toBe(narrow.path);
    expect(cache.renders).toBe(3);
  });

  it('a fresh cache over the same directory finds what an earlier process rendered', async () => {
    const d = dir();
    const first = await new TtsCache(new EspeakTts(), d).speak({ text: 'Goodbye.', language: 'en-US', sampleRate: 8000 });
    const later = new TtsCache(new EspeakTts(), d);
    expect(await later.speak({ text: 'Goodbye.', language: 'en-US', sampleRate: 8000 })).toEqual(first);
    expect(later.renders).toBe(0);
  });

  it('picks the closest espeak-ng voice for a BCP-47 tag', async () => {
    const tts = new EspeakTts();
    expect(await tts.voiceFor('en-US')).toBe('en-us');
    expect(await tts.voiceFor('de-AT')).toBe('de');
    expect(await tts.voiceFor('fr-CA')).toMatch(/^fr-/);
    expect(await tts.voiceFor('es-419')).toBe('es-419');
    expect(await tts.voiceFor('xx-YY')).toBe('en-us');
  });

  it('rejects when the synthesizer is missing, and leaves nothing half-written in the cache', async () => {
    const d = dir();
    const cache = new TtsCache(new EspeakTts({ command: 'espeak-ng-not-installed' }), d);
    await expect(cache.speak({ text: 'hi', language: 'en-US', sampleRate: 8000 })).rejects.toThrow(/could not be started/);
    const again = new TtsCache(new EspeakTts(), d);
    await again.speak({ text: 'hi', language: 'en-US', sampleRate: 8000 });
    expect(again.renders).toBe(1);
  });
});
