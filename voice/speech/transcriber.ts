// One transcriber per server: the engine behind the recognition queue. Voicemail and the
// /transcribe API share it, so together they never run more than one recognition at once.
import { RecognitionQueue, type QueueLimits } from './recognition-queue.js';
import { TranscriptionError, type Transcript, type TranscriptionProvider } from './transcription-provider.js';

export class Transcriber {
  readonly queue: RecognitionQueue;

  constructor(
    readonly provider: TranscriptionProvider,
    limits: Partial<QueueLimits> = {},
  ) {
    this.queue = new RecognitionQueue(limits);
  }

  supports(language: string): boolean {
    return this.provider.supports(language);
  }

  /**
   * The words in `audioFile`, once its turn in the queue has come and gone. `onStart` is
   * told when recognition begins (a job's status turns from queued to processing).
   */
  transcribe(audioFile: string, language: string, onStart?: () => void): Promise<Transcript> {
    if (!this.provider.supports(language)) {
      return Promise.reject(new TranscriptionError('unsupported_language', `no speech model for ${language}`));
    }
    return this.queue.submit((signal) => {
      onStart?.();
      return this.provider.transcribe(audioFile, { language, signal });
    });
  }

  stop(): void {
    this.queue.stop();
  }
}
