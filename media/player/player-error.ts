// Why a prompt could not be played. Messages are written for whoever chose the file: they end
// up in API responses and call logs ("playback failed: …").

export type PlayerErrorCode =
  /** The file does not exist or cannot be read. */
  | 'not_found'
  /** Bigger than the cache's maxFileBytes, or longer than its maxSeconds. */
  | 'too_large'
  /** Not WAV or MP3, or a WAV that is not 16-bit PCM. */
  | 'unsupported_format'
  /** An MP3 that decodes to nothing, or a WAV without samples where the header says. */
  | 'decode_failed'
  /** A queue entry that makes no sense: a tone above the Nyquist frequency, a negative duration. */
  | 'invalid_item'
  /** A queue to loop that holds no audio at all (it would spin forever). */
  | 'empty';

export class PlayerError extends Error {
  override name = 'PlayerError';
  constructor(
    readonly code: PlayerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
