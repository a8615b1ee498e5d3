// A recorded message handed to the voicemail store (voice/voicemail), which moves the WAV in
// and adds the row. A message with no sound at all (the caller hung up at the tone) is not
// kept. A store that refuses or fails is logged and noted on the call: the WAV stays where it
// was recorded, so an operator can still find it.
import { rm } from 'node:fs/promises';
import type { Recorded } from '../../ivr-runtime/index.js';
import type { BridgedCall } from '../b2bua/bridged-call.js';
import type { VoicemailDepositor } from '../voicemail/index.js';

export interface DepositDeps {
  voicemail: VoicemailDepositor | undefined;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export async function depositRecording(
  d: DepositDeps,
  call: BridgedCall,
  m: { voicemailId: string | null; recorded: Recorded; caller: string; callee: string },
): Promise<void> {
  const { file, durationSeconds } = m.recorded;
  if (!file) {
    await call.note('voicemail_not_recorded', { voicemail_id: m.voicemailId });
    return;
  }
  if (durationSeconds <= 0) {
    await rm(file, { force: true });
    await call.note('voicemail_empty', { voicemail_id: m.voicemailId });
    return;
  }
  if (!d.voicemail) {
    d.log.warn({ call: call.id, file }, 'no voicemail store: the message stays where it was recorded');
    await call.note('voicemail_not_stored', { voicemail_id: m.voicemailId, reason: 'no voicemail store' });
    return;
  }
  try {
    const msg = await d.voicemail.deposit({
      tenantId: call.tenantId,
      voicemailId: m.voicemailId,
      caller: m.caller,
      callee: m.callee,
      direction: 'inbound',
      callId: call.id,
      audioPath: file,
      durationSeconds,
    });
    d.log.info({ call: call.id, message: msg.id, seconds: durationSeconds }, 'voicemail deposited');
    await call.note('voicemail_deposited', { voicemail_id: msg.voicemailId, voicemail_message_id: msg.id, duration_seconds: durationSeconds });
  } catch (err) {
    d.log.warn({ call: call.id, file, err: (err as Error).message }, 'voicemail not stored: the message stays where it was recorded');
    await call.note('voicemail_not_stored', { voicemail_id: m.voicemailId, reason: (err as Error).message });
  }
}
