// Voicemail messages: deposit from a live call, list/read/delete for the API, with
// transcription and e-mail notification running after the message is safely stored.
//
// The call flow's contract (keep it; it only ever grows optional fields):
//   voicemail.deposit({ tenantId, voicemailId /* null: the tenant's oldest box */, caller,
//     callee, direction, callId, audioPath /* a finished WAV, moved away */, durationSeconds })
//     -> Promise<VoicemailMessageView>, or VoicemailDepositError('no_box' | 'bad_audio' | 'invalid')
export type {
  VoicemailDepositInput,
  VoicemailMessageView,
  VoicemailDepositor,
  TranscriptionStatus,
} from './types.js';
export { VoicemailDepositError } from './types.js';
export { VoicemailService, VOICEMAIL_EVENT_TYPES, type VoicemailServiceOptions } from './voicemail-service.js';
export { VoicemailMessages, type MessageFilter, type MessagePage } from './messages.js';
export { messageJson, type VoicemailMessageJson } from './message-json.js';
export { EmailNotifier, DEFAULT_EMAIL_RETRY, type EmailRetry, type NotifyOutcome } from './email-notifier.js';
export { parseSmtpSettings, type SmtpSettings } from './smtp-settings.js';
export { sendMail, SmtpError, dotStuff } from './smtp-client.js';
export { VoicemailUrlSigner, voicemailDownloadPath } from './voicemail-urls.js';
