// Voicemail and speech to text of one server: the pocketsphinx engine behind a one-at-a-time
// queue, shared by voicemail transcription and POST /transcribe; the voicemail service the
// call flow deposits into; notification e-mail through the configured SMTP server.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { VoiceRouteContext } from '../control-api/routes/voice/common.js';
import type { TranscriptionRouteContext } from '../control-api/routes/voice/transcriptions.js';
import { PocketsphinxProvider, Transcriber, TranscriptJobs } from '../voice/speech/index.js';
import { EmailNotifier, VoicemailService, type EmailRetry } from '../voice/voicemail/index.js';
import type { WebhookPublisher } from '../voice/webhooks/index.js';
import type { Config } from './config.js';

export interface VoicemailPart {
  /** What the IVR's voicemail node deposits into. */
  service: VoicemailService;
  transcriber: Transcriber;
  transcripts: TranscriptJobs;
  /** The voice routes' context with the transcription jobs added. */
  routeContext<T extends VoiceRouteContext>(ctx: T): T & TranscriptionRouteContext;
  /** Aborts recognition (unfinished work resumes at the next start) and lets the rest settle. */
  stop(): Promise<void>;
}

export async function startVoicemail(
  config: Pick<Config, 'smtp' | 'fetchAllowPrivate'>,
  logger: Logger,
  store: Store,
  publisher: WebhookPublisher,
  /** Tests shorten the waits between e-mail retries. */
  opts: { emailRetry?: Partial<EmailRetry> } = {},
): Promise<VoicemailPart> {
  const transcriber = new Transcriber(new PocketsphinxProvider({ workDir: path.join(store.dataDir, 'speech', 'work') }));
  const service = new VoicemailService({
    store,
    logger,
    publisher,
    transcriber,
    notifier: new EmailNotifier({ settings: config.smtp, logger: logger.child({ part: 'email' }), retry: opts.emailRetry }),
  });
  const transcripts = new TranscriptJobs({ store, transcriber, logger, allowPrivate: config.fetchAllowPrivate });
  const recovered = await service.recover();
  if (recovered.adopted + recovered.dropped + recovered.resumed > 0) logger.info(recovered, 'voicemail work resumed');
  const resumed = await transcripts.resume();
  if (resumed > 0) logger.info({ transcripts: resumed }, 'transcription jobs resumed');
  return {
    service,
    transcriber,
    transcripts,
    routeContext: (ctx) => ({ ...ctx, transcripts }),
    async stop() {
      transcriber.stop();
      await Promise.all([service.stop(), transcripts.stop()]);
    },
  };
}
