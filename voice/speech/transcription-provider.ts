// Speech to text behind one interface, so the engine (pocketsphinx today) can be swapped
// for another without touching voicemail or the /transcribe API.

export interface TranscribeOptions {
  /** BCP 47, e.g. "en-US"; callers check supports() first. */
  language: string;
  /** Aborted when the job's time is up or the server stops: the engine must stop. */
  signal: AbortSignal;
}

export interface Transcript {
  /** The words heard, lower case as the engine gives them; "" for silence. */
  text: string;
  /** Length of the audio that was recognised. */
  durationSeconds: number;
}

export interface TranscriptionProvider {
  readonly name: string;
  /** Whether the engine has a model for this language. */
  supports(language: string): boolean;
  /** Recognises the audio file (any format sox reads). */
  transcribe(audioFile: string, opts: TranscribeOptions): Promise<Transcript>;
}

/** Why a transcription failed, in words a user of the API can act on. */
export class TranscriptionError extends Error {
  constructor(
    readonly kind: 'unsupported_language' | 'bad_audio' | 'too_long' | 'timeout' | 'engine' | 'queue_full' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'TranscriptionError';
  }
}
