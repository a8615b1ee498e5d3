// The voicemail message contract: what a live call hands over when a caller leaves a
// message, and what the API shows for it. The call flow compiles against these types, so
// they only ever grow optional fields.

/** What the call flow hands over once the caller has finished recording. */
export interface VoicemailDepositInput {
  tenantId: string;
  /** The box (`vmail_...`); null means the tenant's default box (the oldest one). */
  voicemailId: string | null;
  /** Who left the message (E.164 or a SIP user, as the call knew it). */
  caller: string;
  /** The number or extension that was called, when known. */
  callee: string | null;
  direction: 'inbound' | 'outbound';
  callId: string | null;
  /**
   * A finished WAV file on the same filesystem as the data directory. deposit() renames it
   * into the voicemail store: the caller must not touch it afterwards.
   */
  audioPath: string;
  durationSeconds: number;
}

export type TranscriptionStatus = 'none' | 'pending' | 'completed' | 'failed';

/** A stored message as the service returns it (the API renders it in the seed's shape). */
export interface VoicemailMessageView {
  id: string;
  tenantId: string;
  voicemailId: string;
  caller: string;
  callee: string | null;
  direction: 'inbound' | 'outbound';
  callId: string | null;
  durationSeconds: number;
  transcription: string | null;
  transcriptionStatus: TranscriptionStatus;
  listened: boolean;
  createdAt: string;
}

/** The narrow face a call flow needs: deposit one message. */
export interface VoicemailDepositor {
  deposit(input: VoicemailDepositInput): Promise<VoicemailMessageView>;
}

/** Why a deposit was refused (the call flow may play an apology). */
export class VoicemailDepositError extends Error {
  constructor(
    readonly code: 'no_box' | 'bad_audio' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'VoicemailDepositError';
  }
}
