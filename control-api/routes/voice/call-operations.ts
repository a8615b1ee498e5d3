// POST /calls and the per-call operations of spec §2. Each handler maps the parsed body onto
// one CallControl method (voice/calls/call-control.ts, carried out by voice/b2bua/) and
// answers with the call (or recording) as GET shows it. Monitoring (listen, unlisten,
// whisper, barge) needs the voice:monitor scope; everything else voice:write.
import { notFound } from '../../errors.js';
import { defineRoute, rateLimited, type AnyRouteSpec } from '../../route.js';
import { CallLimitReached } from '../../../voice/b2bua/call-limit-reached.js';
import type { CallRecord } from '../../../voice/calls/call-repository.js';
import type { RecordingRecord } from '../../../voice/calls/call-recordings.js';
import { callSchema, CallPresenter, recordingSchema } from './calls.js';
import { dtmfBody, emptyBody, placeCallBody, recordingStartBody, supervisorBody, transferBody, warmTransferBody } from './call-operations-schemas.js';
import { idParams, type VoiceRouteContext } from './common.js';

const TAG = 'Calls';
const params = idParams('call');

type SimpleOp = 'hangup' | 'accept' | 'decline' | 'mute' | 'unmute' | 'hold' | 'unhold' | 'warmTransferComplete' | 'warmTransferCancel' | 'unlisten';

const SIMPLE: { op: SimpleOp; path: string; summary: string; description: string; scope: 'voice:write' | 'voice:monitor' }[] = [
  { op: 'hangup', path: 'hangup', summary: 'Hang up a call', description: 'BYE an answered call; CANCEL one still ringing.', scope: 'voice:write' },
  { op: 'accept', path: 'accept', summary: 'Accept a ringing inbound call', description: 'Answers the caller now; the callee keeps ringing and joins when it answers. 409 unless the call is inbound and still ringing.', scope: 'voice:write' },
  { op: 'decline', path: 'decline', summary: 'Decline a ringing inbound call', description: 'Rejects the caller with SIP 486 Busy Here. 409 unless the call is inbound and still ringing.', scope: 'voice:write' },
  { op: 'mute', path: 'mute', summary: 'Mute the operator side', description: 'The operator (the extension or agent leg) is no longer heard; the other party still is, and is still recorded.', scope: 'voice:write' },
  { op: 'unmute', path: 'unmute', summary: 'Unmute the operator side', description: 'The operator is heard again.', scope: 'voice:write' },
  { op: 'hold', path: 'hold', summary: 'Put the remote party on hold', description: 'Re-INVITE with a=sendonly (RFC 3264 §8.4); the held party hears the trunk hold music (or silence). 409 unless in_progress.', scope: 'voice:write' },
  { op: 'unhold', path: 'unhold', summary: 'Take the remote party off hold', description: 'Re-INVITE with a=sendrecv: both directions again.', scope: 'voice:write' },
  {
    op: 'warmTransferComplete',
    path: 'warm-transfer/complete',
    summary: 'Complete a warm transfer',
    description: 'The consult party takes the operator\'s place: the remote party comes off hold and talks with it; the operator leg gets BYE. 409 NO_WARM_TRANSFER without a warm transfer, CONSULT_NOT_ANSWERED while the consult leg rings.',
    scope: 'voice:write',
  },
  {
    op: 'warmTransferCancel',
    path: 'warm-transfer/cancel',
    summary: 'Cancel a warm transfer',
    description: 'The consult leg is hung up (CANCEL or BYE); the remote party comes off hold, back with the operator. 409 NO_WARM_TRANSFER without a warm transfer.',
    scope: 'voice:write',
  },
  { op: 'unlisten', path: 'unlisten', summary: 'Remove the supervisor', description: 'Hangs up the supervisor leg. 409 NOT_MONITORED when there is none.', scope: 'voice:monitor' },
];

type MonitorOp = 'listen' | 'whisper' | 'barge';

const MONITOR: { op: MonitorOp; summary: string; description: string }[] = [
  { op: 'listen', summary: 'Listen to a call', description: 'The supervisor hears everyone and nobody hears the supervisor.' },
  { op: 'whisper', summary: 'Whisper to the operator', description: 'The supervisor hears everyone and only the operator (extension or agent) hears the supervisor. 409 NO_OPERATOR_SIDE on a call without one.' },
  { op: 'barge', summary: 'Barge into a call', description: 'Everyone hears everyone.' },
];

const MONITOR_COMMON =
  ' Without a supervisor on the call, `to` (E.164, agt_ or ext_) is dialled and joins in this mode once it answers (422 `to` when missing); with one (ringing or talking), its mode changes and `to` is ignored.';

export function callOperationRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const control = ctx.calls;
  if (!control) return [];
  const present = new CallPresenter(ctx.store);
  const found = (c: CallRecord | undefined): CallRecord => {
    if (!c) throw notFound('Call');
    return c;
  };
  const foundRecording = (r: RecordingRecord | undefined): RecordingRecord => {
    if (!r) throw notFound('Call');
    return r;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/calls',
      summary: 'Place a call',
      description:
        "Dials `to` through the tenant's trunk (or rings a registered extension). With `agent_id` whose agent has an extension, the agent is rung first and the callee once the agent answers. Answers at once with status `initiating`; follow the call with GET /calls/{id} or webhooks. Beyond the tenant's call limits: 429 with Retry-After.",
      tag: TAG,
      scope: 'voice:write',
      body: placeCallBody,
      response: callSchema,
      status: 201,
      handler: async ({ body, auth, req }) => {
        const record = await control
          .place({
            tenantId: auth.tenant.id,
            to: body.to,
            ...(body.from ? { from: body.from } : {}),
            direction: 'outbound',
            ...(body.agent_id ? { agentId: body.agent_id } : {}),
            record: body.record,
            amd: body.amd,
            ...(body.campaign_id ? { campaignId: body.campaign_id } : {}),
            ...(body.timezone ? { timezone: body.timezone } : {}),
            metadata: body.metadata,
          })
          .catch((err: unknown) => {
            // A call limit is a rate limit to the client: 429 with Retry-After, as SIP gets 503.
            if (err instanceof CallLimitReached) throw rateLimited(err.retryAfterSeconds);
            throw err;
          });
        return present.call(record, req);
      },
    }),
    ...SIMPLE.map((s) =>
      defineRoute({
        method: 'post',
        path: `/calls/{id}/${s.path}`,
        summary: s.summary,
        description: s.description,
        tag: TAG,
        scope: s.scope,
        params,
        body: emptyBody,
        response: callSchema,
        handler: async ({ params: p, auth, req }) => present.call(found(await control[s.op](auth.tenant.id, p.id)), req),
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/calls/{id}/dtmf',
      summary: 'Send DTMF digits',
      description: 'RFC 4733 events toward the remote party (in-band tones when it negotiated no telephone-event), 100 ms tone and 100 ms gap.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: dtmfBody,
      response: callSchema,
      handler: async ({ params: p, body, auth, req }) => present.call(found(await control.dtmf(auth.tenant.id, p.id, { digits: body.digits })), req),
    }),
    defineRoute({
      method: 'post',
      path: '/calls/{id}/transfer',
      summary: 'Blind transfer',
      description:
        "The operator side is replaced by `to` (E.164 through the trunk, an agent's extension or phone, an extension): it is dialled at once, and the moment it answers it joins the remote party and the old operator leg gets BYE. If it does not answer, the call goes on as before. `caller_id` is what the destination sees (default: the remote party's number). 409 TRANSFER_IN_PROGRESS while another transfer is under way.",
      tag: TAG,
      scope: 'voice:write',
      params,
      body: transferBody,
      response: callSchema,
      handler: async ({ params: p, body, auth, req }) =>
        present.call(found(await control.transfer(auth.tenant.id, p.id, { to: body.to, ...(body.caller_id ? { callerId: body.caller_id } : {}) })), req),
    }),
    defineRoute({
      method: 'post',
      path: '/calls/{id}/warm-transfer',
      summary: 'Start a warm transfer',
      description:
        'The remote party hears hold music while a consult leg to `to` is dialled; when it answers it hears `whisper_message` (speech), then talks privately with the operator. Finish with /warm-transfer/complete or /cancel. 409 NO_OPERATOR_SIDE on a call without an extension or agent leg, TRANSFER_IN_PROGRESS while another transfer is under way.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: warmTransferBody,
      response: callSchema,
      handler: async ({ params: p, body, auth, req }) =>
        present.call(found(await control.warmTransfer(auth.tenant.id, p.id, { to: body.to, ...(body.whisper_message ? { whisperMessage: body.whisper_message } : {}) })), req),
    }),
    ...MONITOR.map((m) =>
      defineRoute({
        method: 'post',
        path: `/calls/{id}/${m.op}`,
        summary: m.summary,
        description: m.description + MONITOR_COMMON,
        tag: TAG,
        scope: 'voice:monitor',
        params,
        body: supervisorBody,
        response: callSchema,
        handler: async ({ params: p, body, auth, req }) => present.call(found(await control[m.op](auth.tenant.id, p.id, body.to ? { to: body.to } : {})), req),
      }),
    ),
    defineRoute({
      method: 'post',
      path: '/calls/{id}/recording/start',
      summary: 'Start recording a call',
      description: 'Idempotent: while a recording runs, the same recording is returned. dual_channel puts the caller left and the other party right.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: recordingStartBody,
      response: recordingSchema,
      handler: async ({ params: p, body, auth, req }) =>
        present.recording(foundRecording(await control.recordingStart(auth.tenant.id, p.id, { dualChannel: body.dual_channel, trim: body.trim })), req),
    }),
    defineRoute({
      method: 'post',
      path: '/calls/{id}/recording/stop',
      summary: 'Stop recording a call',
      description: 'Finalises the file; GET /calls/{id}/recording then has its signed URL.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: emptyBody,
      response: recordingSchema,
      handler: async ({ params: p, auth, req }) => present.recording(foundRecording(await control.recordingStop(auth.tenant.id, p.id)), req),
    }),
  ];
}
