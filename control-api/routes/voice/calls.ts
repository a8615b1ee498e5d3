// The read side of the Calls API (spec §2, §9): GET /calls, GET /calls/{id},
// GET /calls/{id}/recording and GET /monitoring. POST /calls and the per-call operations
// are the B2BUA's (voice/calls/call-control.ts; bodies in call-operations-schemas.ts);
// they answer with the same schemas and CallPresenter, exported here.
import type { Request } from 'express';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import type { Store } from '../../../store/index.js';
import { CALL_STATUSES, HANGUP_SIDES } from '../../../voice/calls/call-status.js';
import { CallRecords } from '../../../voice/calls/call-records.js';
import { CallRecordings, type RecordingRecord } from '../../../voice/calls/call-recordings.js';
import type { CallRecord } from '../../../voice/calls/call-repository.js';
import { callView } from '../../../voice/calls/call-view.js';
import { RecordingUrlSigner } from '../../../voice/calls/recording-urls.js';
import { monitoringSnapshot } from '../../../voice/calls/monitoring.js';
import { idParams, type VoiceRouteContext } from './common.js';

const TAG = 'Calls';

const qualitySchema = z
  .object({
    mos: z.number().describe('Estimated MOS (ITU-T G.107 E-model), 1-4.5'),
    jitter_ms: z.number(),
    loss_pct: z.number().describe('Packet loss, percent'),
    rtt_ms: z.number().nullable().describe('Round-trip time from RTCP; null when the peer sent no reports'),
    one_way_audio: z.boolean().describe('Audio flowed in one direction only for a sustained time'),
  })
  .describe('RTP quality of the call, worst direction; null until measured');

export const callSchema = z.object({
  id: z.string().describe('call_...'),
  direction: z.enum(['inbound', 'outbound']),
  from: z.string().describe('Caller: E.164, or an extension number between extensions'),
  to: z.string().describe('Destination: E.164, or an extension number'),
  status: z.enum(CALL_STATUSES),
  agent_id: z.string().nullable(),
  queue_id: z.string().nullable(),
  campaign_id: z.string().nullable(),
  record: z.boolean(),
  amd: z.boolean().describe('Answering machine detection was requested'),
  amd_result: z.string().nullable().describe('human, machine or unknown once detected; null otherwise'),
  metadata: z.record(z.string(), z.unknown()),
  trunk_id: z.string().nullable().describe('The SIP trunk the call used, if any'),
  caller_extension_id: z.string().nullable(),
  callee_extension_id: z.string().nullable(),
  created_at: z.string(),
  ringing_at: z.string().nullable(),
  answered_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  duration_seconds: z.number().int().describe('Talk time: from answer to end; counting while in_progress; 0 if never answered'),
  hangup_cause: z.string().nullable().describe('normal_clearing, user_busy, no_answer, ring_timeout, originator_cancel, call_rejected...'),
  hangup_side: z.enum(HANGUP_SIDES).nullable().describe('Who ended the call'),
  sip_final_status: z.number().int().nullable().describe('The final SIP response of the INVITE (200 when answered)'),
  quality: qualitySchema.nullable(),
  recording_id: z.string().nullable().describe('rec_... of the latest recording'),
  recording_url: z.string().nullable().describe('Signed download URL of the latest completed recording, valid 24 h; fetch the call again for a fresh one'),
  updated_at: z.string(),
});

export const recordingSchema = z.object({
  id: z.string().describe('rec_...'),
  call_id: z.string(),
  status: z.enum(['in_progress', 'completed', 'failed']),
  duration_seconds: z.number().int().nullable(),
  format: z.enum(['wav', 'mp3']),
  channels: z.number().int().describe('2: caller left, agent right; 1: mixed'),
  size_bytes: z.number().int().nullable(),
  signed_url: z.string().nullable().describe('null while recording; valid 24 h'),
  signed_url_expires_at: z.string().nullable(),
  created_at: z.string(),
});

const monitoringSchema = z.object({
  active_calls: z.number().int().describe('Calls not ended yet (initiating, ringing, in_progress)'),
  queued_calls: z.number().int().describe('Callers waiting in a queue'),
  available_agents: z.number().int(),
  busy_agents: z.number().int().describe('Agents on a call or in wrap-up'),
  calls: z.array(
    z.object({
      id: z.string(),
      from: z.string(),
      to: z.string(),
      agent_id: z.string().nullable(),
      duration_seconds: z.number().int(),
      queue_id: z.string().nullable(),
      started_at: z.string(),
    }),
  ),
});

/** Where the client reached us: signed URLs point there. */
function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** Turns call and recording rows into the API's JSON, signing recording URLs. */
export class CallPresenter {
  private readonly recordings: CallRecordings;
  private readonly signer: RecordingUrlSigner;

  constructor(private readonly store: Store) {
    this.recordings = new CallRecordings(store);
    this.signer = RecordingUrlSigner.forStore(store);
  }

  private urlOf(r: RecordingRecord | undefined, req: Request): string | null {
    return r && r.status === 'completed' ? this.signer.sign(r.id, baseUrlOf(req)).url : null;
  }

  async calls(tenantId: string, calls: CallRecord[], req: Request): Promise<z.infer<typeof callSchema>[]> {
    const recs = await this.recordings.many(
      tenantId,
      calls.flatMap((c) => (c.recordingId ? [c.recordingId] : [])),
    );
    const now = this.store.now();
    return calls.map((c) => callView(c, now, this.urlOf(c.recordingId ? recs.get(c.recordingId) : undefined, req)));
  }

  async call(c: CallRecord, req: Request): Promise<z.infer<typeof callSchema>> {
    return (await this.calls(c.tenantId, [c], req))[0]!;
  }

  recording(r: RecordingRecord, req: Request): z.infer<typeof recordingSchema> {
    const signed = r.status === 'completed' ? this.signer.sign(r.id, baseUrlOf(req)) : null;
    return {
      id: r.id,
      call_id: r.callId,
      // The seed calls a recording still being written "in_progress".
      status: r.status === 'recording' ? 'in_progress' : r.status,
      duration_seconds: r.durationSeconds,
      format: r.format,
      channels: r.channels,
      size_bytes: r.sizeBytes,
      signed_url: signed?.url ?? null,
      signed_url_expires_at: signed?.expiresAt.toISOString() ?? null,
      created_at: r.createdAt,
    };
  }
}

/** `?to=+1415...` unencoded arrives as " 1415..." (a + in a query is a space): take it as meant. */
const numberFilter = z
  .string()
  .max(64)
  .transform((s) => s.replace(/^ (?=\d)/, '+').trim())
  .pipe(z.string().min(1));

const listQuery = pageQuery.extend({
  status: z.enum(CALL_STATUSES).optional().describe('Only calls in this status'),
  to: numberFilter.optional().describe('Only calls to this number (exact)'),
  from: numberFilter.optional().describe('Only calls from this number (exact)'),
});

const params = idParams('call');

export function callRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const records = new CallRecords(ctx.store);
  const recordings = new CallRecordings(ctx.store);
  const present = new CallPresenter(ctx.store);
  return [
    defineRoute({
      method: 'get',
      path: '/calls',
      summary: 'List calls',
      description: 'Newest first, cursor-paginated. Filters combine (AND).',
      tag: TAG,
      scope: 'voice:read',
      query: listQuery,
      response: callSchema,
      list: true,
      handler: async ({ query, auth, req }) => {
        const page = await records.list(auth.tenant.id, query, { status: query.status, to: query.to, from: query.from });
        return { ...page, items: await present.calls(auth.tenant.id, page.items, req) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/calls/{id}',
      summary: 'Get a call',
      description: 'Status, times, duration, hangup cause and side, SIP final status, quality and a signed recording URL.',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: callSchema,
      handler: async ({ params: p, auth, req }) => {
        const c = await records.get(auth.tenant.id, p.id);
        if (!c) throw notFound('Call');
        return present.call(c, req);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/calls/{id}/recording',
      summary: "Get a call's recording",
      description: 'The latest recording of the call. `signed_url` is null until the recording is completed.',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: recordingSchema,
      handler: async ({ params: p, auth, req }) => {
        const c = await records.get(auth.tenant.id, p.id);
        if (!c) throw notFound('Call');
        const r = c.recordingId ? await recordings.get(auth.tenant.id, c.recordingId) : undefined;
        if (!r) throw notFound('Recording');
        return present.recording(r, req);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/monitoring',
      summary: 'Live monitoring snapshot',
      description: 'Calls up right now, queue and agent presence counts: what a wallboard shows.',
      tag: 'Monitoring',
      scope: 'voice:read',
      response: monitoringSchema,
      handler: async ({ auth }) => monitoringSnapshot(ctx.store, auth.tenant.id),
    }),
  ];
}
