// What the header parsers find out about an audio file, and the error they raise
// when a file is not audio they can read. Messages are written for the person who
// uploaded the file: they end up in API responses (e.g. a voice clone's rejection_reason).

export type AudioFormat = 'wav' | 'mp3' | 'flac';

export interface AudioInfo {
  format: AudioFormat;
  /** How the samples are coded: pcm_s16, float32, alaw, mulaw, mpeg1_layer3, flac... */
  encoding: string;
  sampleRate: number;
  channels: number;
  durationSeconds: number;
  /** Bits per sample where the container states it (WAV, FLAC); null for MP3. */
  bitsPerSample: number | null;
}

export class AudioProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioProbeError';
  }
}

export const NEEDED = 'WAV, MP3 or FLAC is needed';

export function unsupported(what?: string): AudioProbeError {
  return new AudioProbeError(`unsupported format${what ? ` (${what})` : ''}; ${NEEDED}`);
}

export const ascii = (b: Uint8Array): string => String.fromCharCode(...b);
