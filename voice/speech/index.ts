// Speech in: the transcription provider interface, the pocketsphinx engine, the queue
// that bounds recognition, and the /transcribe jobs.
export type { TranscriptionProvider, TranscribeOptions, Transcript } from './transcription-provider.js';
export { TranscriptionError } from './transcription-provider.js';
export { PocketsphinxProvider, DEFAULT_MODEL_DIR } from './pocketsphinx.js';
export { RecognitionQueue, DEFAULT_QUEUE_LIMITS, type QueueLimits } from './recognition-queue.js';
export { Transcriber } from './transcriber.js';
export { TranscriptJobs, type TranscriptView, type TranscriptStatus } from './transcript-jobs.js';
