// Speech out for IVR prompts: a TtsProvider turns text into a WAV file at the rate the call
// sends (8 kHz for G.711, 16 kHz for wideband codecs), so the media player plays it as it is.
// espeak-ng (espeak-tts.ts) is the embedded provider; tts-cache.ts keeps what it rendered.

/** The rates the media plane sends at: narrowband G.711 and wideband G.722/Opus. */
export type TtsRate = 8000 | 16000;

export interface TtsRequest {
  text: string;
  /** BCP-47 tag ("en-US"); the provider picks its closest voice. */
  language: string;
  sampleRate: TtsRate;
}

export interface TtsAudio {
  /** Absolute path of a mono 16-bit PCM WAV at the requested rate. */
  path: string;
  durationMs: number;
}

export interface TtsProvider {
  /** Part of the cache key: two providers never share a rendering. */
  readonly name: string;
  /** The provider's own voice id for a language (part of the cache key too). */
  voiceFor(language: string): Promise<string>;
  /** Renders into `outPath` (the caller chooses it: the cache writes to a temporary name and renames). */
  renderTo(req: TtsRequest, voice: string, outPath: string): Promise<{ durationMs: number }>;
}
