// Rendered prompts kept on disk under the data directory, keyed by a hash of what makes the
// audio what it is: provider, voice, language, rate and text. A menu heard by a thousand
// callers is synthesized once; a changed prompt is a new key, so nothing goes stale. Files are
// written under a temporary name and renamed, so a crash never leaves half a prompt to play;
// the directory may be emptied at any time (everything in it can be rendered again).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PCM_WAV_HEADER_BYTES } from '../../media/recorder/pcm-wav-header.js';
import type { TtsAudio, TtsProvider, TtsRequest } from './tts-provider.js';

export class TtsCache {
  private readonly inFlight = new Map<string, Promise<TtsAudio>>();
  /** Renders done (not cache hits), for tests and metrics. */
  renders = 0;

  constructor(
    private readonly provider: TtsProvider,
    /** The cache directory, e.g. DATA_DIR/tts-cache. */
    readonly dir: string,
  ) {}

  /** The prompt as a WAV file at the request's rate; rejects when it cannot be rendered. */
  async speak(req: TtsRequest): Promise<TtsAudio> {
    const voice = await this.provider.voiceFor(req.language);
    const key = createHash('sha256')
      .update(JSON.stringify([this.provider.name, voice, req.language, req.sampleRate, req.text]))
      .digest('hex');
    const file = path.join(this.dir, key.slice(0, 2), `${key}.wav`);
    const cached = await this.probe(file, req.sampleRate);
    if (cached) return cached;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.render(req, voice, file).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async render(req: TtsRequest, voice: string, file: string): Promise<TtsAudio> {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const { durationMs } = await this.provider.renderTo(req, voice, tmp);
      await rename(tmp, file);
      this.renders++;
      return { path: file, durationMs };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** A cached file's audio: the files are ours, 16-bit mono after a 44-byte header. */
  private async probe(file: string, rate: number): Promise<TtsAudio | undefined> {
    try {
      const s = await stat(file);
      if (s.size <= PCM_WAV_HEADER_BYTES) return undefined;
      return { path: file, durationMs: Math.round(((s.size - PCM_WAV_HEADER_BYTES) / 2 / rate) * 1000) };
    } catch {
      return undefined;
    }
  }
}
