// A message as the API and webhooks show it: the seed's fields first, in its order, then
// what this server adds (who was called, the direction the list filters on, the call, and
// where transcription stands).
import type { VoicemailMessageView } from './types.js';

export interface VoicemailMessageJson {
  id: string;
  voicemail_id: string;
  caller: string;
  duration_seconds: number;
  transcription: string | null;
  recording_url: string | null;
  listened: boolean;
  created_at: string;
  callee: string | null;
  direction: 'inbound' | 'outbound';
  call_id: string | null;
  transcription_status: VoicemailMessageView['transcriptionStatus'];
}

/** Seconds to a tenth: what was recorded, without float noise. */
export function roundDuration(s: number): number {
  return Math.round(s * 10) / 10;
}

export function messageJson(m: VoicemailMessageView, recordingUrl: string | null): VoicemailMessageJson {
  return {
    id: m.id,
    voicemail_id: m.voicemailId,
    caller: m.caller,
    duration_seconds: roundDuration(m.durationSeconds),
    transcription: m.transcription,
    recording_url: recordingUrl,
    listened: m.listened,
    created_at: m.createdAt,
    callee: m.callee,
    direction: m.direction,
    call_id: m.callId,
    transcription_status: m.transcriptionStatus,
  };
}
