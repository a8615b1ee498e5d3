// The per-call operations of the Calls API on one call's legs and room (docs/b2bua.md "The
// operations"): hangup, accept, decline, mute, hold, DTMF, recording. Transfers and
// monitoring have their own files.
import type { RecordingRecord } from '../calls/call-recordings.js';
import type { CallRecord } from '../calls/call-repository.js';
import type { RecordingStartRequest } from '../calls/call-control.js';
import { ConflictError } from '../config/errors.js';
import type { B2buaContext } from './b2bua-context.js';
import type { BridgedCall } from './bridged-call.js';
import { isInbound } from './leg.js';

type Result = Promise<CallRecord | undefined>;

/** An inbound caller still ringing (not answered by anyone yet): what accept and decline act on. */
function ringingCaller(c: BridgedCall, what: string) {
  const caller = c.legs.caller;
  if (!caller || !isInbound(caller.sip) || c.isAnswered || (caller.sip.state !== 'pending' && caller.sip.state !== 'early')) {
    throw new ConflictError('CALL_NOT_RINGING', `only an inbound call still ringing can be ${what}`);
  }
  return { leg: caller, sip: caller.sip };
}

/** The operator stops being heard; the far end hears silence. */
async function mute(c: BridgedCall, on: boolean): Promise<void> {
  c.requireAnswered();
  const op = c.operatorLeg();
  if (!op) throw new ConflictError('NO_OPERATOR_SIDE', 'the call has no extension or agent leg to mute (placed without agent_id)');
  c.muted = on;
  await c.applyModes();
  await c.note(on ? 'muted' : 'unmuted', { leg: op.role });
}

/**
 * Hold (RFC 3264 §8.4): the remote party gets a re-INVITE with a=sendonly (we keep sending,
 * music) and hears the hold music; unhold offers sendrecv again. Answers once the re-INVITE is.
 */
export function hold(c: BridgedCall, on: boolean): Promise<void> {
  return c.serial(async () => {
    c.requireAnswered();
    const remote = c.remoteLeg();
    if (!remote || c.held === on) return;
    const { localSdp } = await c.media.offer(remote.endpointId, { direction: on ? 'sendonly' : 'sendrecv' });
    const result = await remote.sip.reInvite(localSdp);
    if (!result.ok) throw new ConflictError('HOLD_REFUSED', `the held party answered ${result.status}`);
    if (result.sdp === undefined) throw new ConflictError('HOLD_REFUSED', 'the held party answered without SDP');
    await c.media.applyAnswer(remote.endpointId, result.sdp);
    c.held = on;
    await c.applyModes();
    await c.note(on ? 'held' : 'unheld', { leg: remote.role });
  });
}

/** RFC 4733 events (or tones, where the peer took no telephone-event) toward the remote party. */
async function dtmf(c: BridgedCall, digits: string): Promise<void> {
  c.requireAnswered();
  const remote = c.remoteLeg();
  if (!remote) return;
  const { method } = await c.media.sendDtmf(remote.endpointId, digits, { toneMs: 100, gapMs: 100 });
  await c.note('dtmf_sent', { digits, method });
}

/** Starts recording (dual: the caller's endpoint, left its voice, right what it hears; mono: the room). */
export function recordingStart(c: BridgedCall, o: RecordingStartRequest): Promise<RecordingRecord> {
  c.requireAnswered();
  const target = o.dualChannel ? (c.legs.caller ?? c.legs.callee)!.endpointId : c.room.id!;
  return c.recorder.start(target, o);
}

export class CallOperations {
  constructor(private readonly ctx: B2buaContext) {}

  hangup(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, (c) => c.hangup('api'));
  }

  /** An inbound call still ringing is answered now; the callee keeps ringing and joins when it answers. */
  accept(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      const { leg, sip } = ringingCaller(c, 'accepted');
      // The answer its endpoint made for the INVITE (not a new offer: that would leave the
      // endpoint waiting for an answer the caller never sends).
      sip.answer(leg.localSdp!);
      await c.connect();
    });
  }

  /** An inbound call still ringing is refused with 486 Busy Here. */
  decline(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      ringingCaller(c, 'declined').sip.reject(486);
      await c.transition('reject', { sipStatus: 486, cause: 'declined' });
      await c.abandon();
    });
  }

  mute(tenantId: string, callId: string, on: boolean): Result {
    return this.ctx.op(tenantId, callId, (c) => mute(c, on));
  }

  hold(tenantId: string, callId: string, on: boolean): Result {
    return this.ctx.op(tenantId, callId, (c) => hold(c, on));
  }

  dtmf(tenantId: string, callId: string, digits: string): Result {
    return this.ctx.op(tenantId, callId, (c) => dtmf(c, digits));
  }

  /** Idempotent: while a recording runs, it is the answer. */
  async recordingStart(tenantId: string, callId: string, body: RecordingStartRequest): Promise<RecordingRecord | undefined> {
    let rec: RecordingRecord | undefined;
    const found = await this.ctx.op(tenantId, callId, async (c) => {
      rec = await recordingStart(c, body);
    });
    return found ? rec : undefined;
  }

  async recordingStop(tenantId: string, callId: string): Promise<RecordingRecord | undefined> {
    const record = await this.ctx.o.records.get(tenantId, callId);
    if (!record) return undefined;
    const c = this.ctx.calls.get(callId);
    const stopped = c && c.tenantId === tenantId ? await c.recorder.stop() : undefined;
    if (stopped) return stopped;
    if (!record.recordingId) throw new ConflictError('NOT_RECORDING', 'the call has no recording');
    return this.ctx.o.recordings.get(tenantId, record.recordingId);
  }
}
