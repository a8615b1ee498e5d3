// What the Calls API asks of the B2BUA (spec §2). The HTTP handlers of POST /calls and
// of every per-call operation call exactly one method here; the B2BUA implements it on
// the SIP stack and the media plane.
//
// Contract for implementations:
// - Every method is scoped to `tenantId`; a call of another tenant is "not found".
// - Not found: resolve to undefined (the route answers 404).
// - The call's state does not allow the operation (hold a ringing call, accept an
//   answered one...): throw ConflictError (voice/config/errors.ts) with a code such as
//   CALL_NOT_IN_PROGRESS or CALL_NOT_RINGING; IllegalCallTransition is one. 409.
// - A bad input needing the database (agent_id that does not exist, `to` no trunk can
//   reach): throw ConfigError naming the body field. 422.
// - Resolve once the operation has taken effect on the wire where the spec promises it
//   (hold: the re-INVITE is answered), else once it is under way (place: the INVITE is
//   sent; transfer: the new leg is dialled); never wait for a far end to pick up.
import type { CallRecord } from './call-repository.js';
import type { RecordingRecord } from './call-recordings.js';

export interface PlaceCallRequest {
  tenantId: string;
  /** E.164, an extension number, or an ext_ id. */
  to: string;
  /** E.164; undefined: the tenant's default number. */
  from?: string;
  direction: 'outbound' | 'inbound';
  agentId?: string;
  record: boolean;
  amd: boolean;
  campaignId?: string;
  /** IANA zone for the quiet-hours check (21:00-08:00 local refuse). */
  timezone?: string;
  metadata: Record<string, unknown>;
}

export interface TransferRequest {
  /** E.164, agt_ id or ext_ id. */
  to: string;
  /** From presented to the destination; the original caller's number by default. */
  callerId?: string;
}

export interface WarmTransferRequest {
  to: string;
  /** Spoken (TTS) to the consult party before audio bridges. */
  whisperMessage?: string;
}

export interface RecordingStartRequest {
  /** Caller left, agent right; one mixed channel when false. */
  dualChannel: boolean;
  /** Trim leading and trailing silence of the saved file. */
  trim: boolean;
}

export interface SupervisorRequest {
  /** Where the supervisor is reached: E.164, agt_ id or ext_ id. */
  to?: string;
}

type Op<R = CallRecord> = (tenantId: string, callId: string) => Promise<R | undefined>;
type OpWith<B, R = CallRecord> = (tenantId: string, callId: string, body: B) => Promise<R | undefined>;

export interface CallControl {
  /** Creates the call record (status initiating) and starts dialling. */
  place(req: PlaceCallRequest): Promise<CallRecord>;
  /** BYE an answered call, CANCEL one still ringing. */
  hangup: Op;
  /** Answer an inbound call still ringing. */
  accept: Op;
  /** Reject an inbound call still ringing with 486 Busy Here. */
  decline: Op;
  mute: Op;
  unmute: Op;
  hold: Op;
  unhold: Op;
  /** RFC 4733 events, 100 ms tone / 100 ms gap. */
  dtmf: OpWith<{ digits: string }>;
  transfer: OpWith<TransferRequest>;
  warmTransfer: OpWith<WarmTransferRequest>;
  warmTransferComplete: Op;
  warmTransferCancel: Op;
  /** Idempotent: the recording already running is returned. */
  recordingStart: OpWith<RecordingStartRequest, RecordingRecord>;
  recordingStop: Op<RecordingRecord>;
  listen: OpWith<SupervisorRequest>;
  unlisten: Op;
  whisper: OpWith<SupervisorRequest>;
  barge: OpWith<SupervisorRequest>;
}
