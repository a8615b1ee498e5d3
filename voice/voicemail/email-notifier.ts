// Tells a box's notification_email about a new message: the caller, the length, the
// transcription when there is one, and the recording attached. Sending is retried with
// backoff on transient failures (4xx replies, lost connections), a bounded number of
// times; a failure is logged and never touches the message itself.
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { buildMimeMessage } from './mime-message.js';
import { SmtpError, sendMail, type SendOptions } from './smtp-client.js';
import type { SmtpSettings } from './smtp-settings.js';
import type { VoicemailMessageView } from './types.js';

export interface EmailRetry {
  /** Sends in all, the first included. */
  attempts: number;
  /** Wait before the first retry; each next wait is three times longer. */
  baseMs: number;
}

export const DEFAULT_EMAIL_RETRY: EmailRetry = { attempts: 5, baseMs: 5_000 };

/** Recordings above this are not attached (most mail servers refuse ~25 MB messages). */
export const MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;

export interface NotifierOptions {
  /** Unset: e-mail is off (said once in the log). */
  settings: SmtpSettings | undefined;
  logger: Logger;
  retry?: Partial<EmailRetry>;
  send?: typeof sendMail;
  sendOptions?: SendOptions;
}

export type NotifyOutcome = 'sent' | 'not_configured' | 'failed' | 'cancelled';

export interface NotifyInput {
  message: VoicemailMessageView;
  boxName: string;
  to: string;
  audioFile: string;
  /** Whether the box transcribes (so the body can say why there is no text). */
  transcribes: boolean;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function notificationText(i: NotifyInput): string {
  const m = i.message;
  const lines = [
    `New voicemail in "${i.boxName}"`,
    '',
    `From: ${m.caller}`,
    ...(m.callee ? [`To: ${m.callee}`] : []),
    `Received: ${m.createdAt}`,
    `Duration: ${clock(m.durationSeconds)}`,
    `Message: ${m.id}`,
    '',
  ];
  if (m.transcription) lines.push('Transcription:', m.transcription);
  else if (i.transcribes) lines.push(m.transcriptionStatus === 'failed' ? 'Transcription: not available (it failed).' : 'Transcription: none (no words recognised).');
  lines.push('', 'The recording is attached.');
  return lines.join('\n');
}

export class EmailNotifier {
  private warned = false;
  private readonly retry: EmailRetry;
  private readonly stopping = new AbortController();

  constructor(private readonly opts: NotifierOptions) {
    this.retry = { ...DEFAULT_EMAIL_RETRY, ...opts.retry };
  }

  get configured(): boolean {
    return this.opts.settings !== undefined;
  }

  async notify(i: NotifyInput): Promise<NotifyOutcome> {
    const settings = this.opts.settings;
    const log = this.opts.logger.child({ voicemail: i.message.id, tenant: i.message.tenantId });
    if (!settings) {
      if (!this.warned) {
        this.warned = true;
        log.info('voicemail e-mail notifications are off: SWITCHBOARD_SMTP_URL is not set');
      }
      return 'not_configured';
    }
    let attachment: { filename: string; contentType: string; data: Buffer } | undefined;
    let text = notificationText(i);
    try {
      const size = (await stat(i.audioFile)).size;
      if (size <= MAX_ATTACHMENT_BYTES) {
        attachment = { filename: `${i.message.id}.wav`, contentType: 'audio/wav', data: await readFile(i.audioFile) };
      } else {
        text = text.replace('The recording is attached.', 'The recording is too large to attach; fetch it with GET /voicemails/{id}.');
      }
    } catch {
      // Deleted before the mail went out: nobody needs to hear about it any more.
      return 'cancelled';
    }
    const mime = buildMimeMessage({
      from: settings.from,
      to: i.to,
      subject: `New voicemail from ${i.message.caller} (${clock(i.message.durationSeconds)})`,
      text,
      date: new Date(i.message.createdAt),
      messageId: `${i.message.id}@switchboard`,
      attachment,
    });
    const send = this.opts.send ?? sendMail;
    for (let attempt = 1; ; attempt++) {
      try {
        await send(settings, [i.to], mime, this.opts.sendOptions);
        log.info({ to: i.to, attempt }, 'voicemail e-mail sent');
        return 'sent';
      } catch (err) {
        const permanent = err instanceof SmtpError && err.permanent;
        const last = permanent || attempt >= this.retry.attempts;
        log.warn({ to: i.to, attempt, err: (err as Error).message, final: last }, 'voicemail e-mail not sent');
        if (last) return 'failed';
        if (!(await this.wait(this.retry.baseMs * 3 ** (attempt - 1)))) return 'cancelled';
      }
    }
  }

  /** Cancels the waits between retries (server stop). */
  stop(): void {
    this.stopping.abort();
  }

  private wait(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
