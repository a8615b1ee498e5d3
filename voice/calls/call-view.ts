// A call as the API and the webhooks show it: the seed's field names (id, to, from,
// agent_id, status, record, created_at) and the CDR fields beside them. One mapping,
// so a webhook's `data` and GET /calls/{id} never disagree.
import type { CallQuality, CallRecord } from './call-repository.js';
import type { CallStatus, HangupSide } from './call-status.js';

export interface CallView {
  id: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  status: CallStatus;
  agent_id: string | null;
  queue_id: string | null;
  campaign_id: string | null;
  record: boolean;
  amd: boolean;
  amd_result: string | null;
  metadata: Record<string, unknown>;
  trunk_id: string | null;
  caller_extension_id: string | null;
  callee_extension_id: string | null;
  created_at: string;
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number;
  hangup_cause: string | null;
  hangup_side: HangupSide | null;
  sip_final_status: number | null;
  quality: CallQuality | null;
  recording_id: string | null;
  recording_url: string | null;
  updated_at: string;
}

/**
 * Talk time so far: stored once the call has ended, counted from the answer while it is
 * in progress, 0 before the answer.
 */
export function durationNow(c: CallRecord, now: Date): number {
  if (c.durationSeconds !== null) return c.durationSeconds;
  if (c.status === 'in_progress' && c.answeredAt !== null) {
    return Math.max(0, Math.floor((now.getTime() - Date.parse(c.answeredAt)) / 1000));
  }
  return 0;
}

export function callView(c: CallRecord, now: Date, recordingUrl: string | null = null): CallView {
  return {
    id: c.id,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: c.status,
    agent_id: c.agentId,
    queue_id: c.queueId,
    campaign_id: c.campaignId,
    record: c.record,
    amd: c.amd,
    amd_result: c.amdResult,
    metadata: c.metadata,
    trunk_id: c.trunkId,
    caller_extension_id: c.callerExtensionId,
    callee_extension_id: c.calleeExtensionId,
    created_at: c.createdAt,
    ringing_at: c.ringingAt,
    answered_at: c.answeredAt,
    ended_at: c.endedAt,
    duration_seconds: durationNow(c, now),
    hangup_cause: c.hangupCause,
    hangup_side: c.hangupSide,
    sip_final_status: c.sipFinalStatus,
    quality: c.quality,
    recording_id: c.recordingId,
    recording_url: recordingUrl,
    updated_at: c.updatedAt,
  };
}
