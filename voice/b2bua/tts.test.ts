// The whisper message's speech: espeak-ng (a Debian package of the setup script) really
// speaks the text into a 16 kHz mono WAV the media engine can play, and a missing or failing
// synthesizer is an error the warm transfer can report, not a hang.
import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../media/player/wav-pcm.js';
import { levelDbfs } from '../../test/helpers/tone-analysis.js';
import { SPEECH_RATE, Synthesizer } from './tts.js';

describe('Synthesizer', () => {
  it('speaks the text into a 16 kHz mono WAV as long as it says, and deletes it on dispose', async () => {
    const tts = new Synthesizer();
    const short = await tts.synthesize('Hello.');
    const long = await tts.synthesize('Customer Jane Doe, escalation tier two, calling about an invoice.');
    try {
      const pcm = decodeWav(await readFile(long.path), long.path, 60);
      expect(pcm.sampleRate).toBe(SPEECH_RATE);
      expect(Math.abs((pcm.samples.length * 1000) / SPEECH_RATE - long.durationMs)).toBeLessThan(2);
      expect(long.durationMs).toBeGreaterThan(short.durationMs + 1000);
      expect(levelDbfs(pcm.samples), 'it is speech, not silence').toBeGreaterThan(-35);
    } finally {
      await short.dispose();
      await long.dispose();
    }
    await expect(stat(long.path)).rejects.toThrow();
  });

  it('text that looks like an option is spoken, not obeyed', async () => {
    const s = await new Synthesizer().synthesize('--help -w /tmp/x');
    expect(s.durationMs).toBeGreaterThan(500);
    await s.dispose();
  });

  it('rejects when the synthesizer is missing or fails', async () => {
    await expect(new Synthesizer({ command: 'espeak-ng-not-installed' }).synthesize('hi')).rejects.toThrow(/could not be started/);
    await expect(new Synthesizer({ command: 'false' }).synthesize('hi')).rejects.toThrow(/exited with 1/);
  });
});
