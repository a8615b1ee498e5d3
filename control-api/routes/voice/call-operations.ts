// POST /calls and the per-call operations of spec §2 that the B2BUA carries out. Each
// handler maps the parsed body onto one CallControl method (voice/b2bua/b2bua.ts) and
// answers with the call (or recording) as GET shows it. Operations the B2BUA does not
// carry out yet are not mounted (404), rather than answered with something they did not do.
import { notFound } from '../../errors.js';
import { defineRoute, rateLimited, type AnyRouteSpec } from '../../route.js';
import { CallLimitReached } from '../../../voice/b2bua/call-limit-reached.js';
import type { CallRecord } from '../../../voice/calls/call-repository.js';
import type { RecordingRecord } from '../../../voice/calls/call-recordings.js';
import { callSchema, CallPresenter, recordingSchema } from './calls.js';
import { dtmfBody, emptyBody, placeCallBody, recordingStartBody } from './call-operations-schemas.js';
import { idParams, type VoiceRouteContext } from './common.js';

const TAG = 'Calls';
const params = idParams('call');

type SimpleOp = 'hangup' | 'accept' | 'decline' | 'mute' | 'unmute' | 'hold' | 'unhold';

const SIMPLE: { op: SimpleOp; path: string; summary: string; description: string; scope: 'voice:write' }[] = [
  { op: 'hangup', path: 'hangup', summary: 'Hang up a call', description: 'BYE an answered call; CANCEL one still ringing.', scope: 'voice:write' },
  { op: 'accept', path: 'accept', summary: 'Accept a ringing inbound call', description: 'Answers the caller now; the callee keeps ringing and joins when it answers. 409 unless the call is inbound and still ringing.', scope: 'voice:write' },
  { op: 'decline', path: 'decline', summary: 'Decline a ringing inbound call', description: 'Rejects the caller with SIP 486 Busy Here. 409 unless the call is inbound and still ringing.', scope: 'voice:write' },
  { op: 'mute', path: 'mute', summary: 'Mute the operator side', description: 'The operator (the extension or agent leg) is no longer heard; the other party still is, and is still recorded.', scope: 'voice:write' },
  { op: 'unmute', path: 'unmute', summary: 'Unmute the operator side', description: 'The operator is heard again.', scope: 'voice:write' },
  { op: 'hold', path: 'hold', summary: 'Put the remote party on hold', description: 'Re-INVITE with a=sendonly (RFC 3264 §8.4); the held party hears the trunk hold music (or silence). 409 unless in_progress.', scope: 'voice:write' },
  { op: 'unhold', path: 'unhold', summary: 'Take the remote party off hold', description: 'Re-INVITE with a=sendrecv: both directions again.', scope: 'voice:write' },
];

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
