// /api/v1/voice/queues (spec §7): queue configuration. Enqueue and stats are runtime
// features and arrive with the call engine.
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  DEFAULT_MAX_WAIT_SECONDS,
  OVERFLOW_ACTIONS,
  QUEUE_STRATEGIES,
  QueueService,
  type Queue,
  type QueueInput,
} from '../../../voice/config/queues.js';
import { e164, httpUrl, idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

const fields = {
  name: resourceName().describe('Shown to supervisors on the wallboard, 1-200 characters'),
  strategy: z
    .enum(QUEUE_STRATEGIES, { error: `must be one of ${QUEUE_STRATEGIES.join(', ')}` })
    .describe('How the next caller picks among available agents'),
  max_wait_seconds: z
    .number()
    .int()
    .min(10)
    .max(7200)
    .describe('Longest a caller waits before the overflow action runs (10-7200 s)'),
  overflow_action: z
    .enum(OVERFLOW_ACTIONS, { error: `must be one of ${OVERFLOW_ACTIONS.join(', ')}` })
    .describe('What happens when max_wait_seconds passes'),
  overflow_number: e164
    .nullable()
    .describe('E.164 number the caller is transferred to; required with, and only allowed with, transfer_number'),
  overflow_voicemail_id: z
    .string()
    .max(64)
    .regex(/^vmail_[0-9a-z]+$/, 'must be a vmail_ id')
    .nullable()
    .describe('Voicemail box for the voicemail action; when absent, the account\'s oldest voicemail box is used'),
  hold_music_url: httpUrl.nullable().describe('http(s) URL of an MP3 or WAV file played while waiting; null for the default music'),
};

const createBody = z.object({
  name: fields.name,
  strategy: fields.strategy.default('longest_idle'),
  max_wait_seconds: fields.max_wait_seconds.default(DEFAULT_MAX_WAIT_SECONDS),
  overflow_action: fields.overflow_action.default('voicemail'),
  overflow_number: fields.overflow_number.default(null),
  overflow_voicemail_id: fields.overflow_voicemail_id.default(null),
  hold_music_url: fields.hold_music_url.default(null),
});

/** The API's snake_case fields as the service's input (create: all set; update: some). */
function queueFields(body: z.infer<typeof createBody>): QueueInput;
function queueFields(body: z.infer<typeof updateBody>): Partial<QueueInput>;
function queueFields(body: z.infer<typeof updateBody>): Partial<QueueInput> {
  return {
    name: body.name,
    strategy: body.strategy,
    maxWaitSeconds: body.max_wait_seconds,
    overflowAction: body.overflow_action,
    overflowNumber: body.overflow_number,
    overflowVoicemailId: body.overflow_voicemail_id,
    holdMusicUrl: body.hold_music_url,
  };
}

const updateBody = z.object({
  name: fields.name.optional(),
  strategy: fields.strategy.optional(),
  max_wait_seconds: fields.max_wait_seconds.optional(),
  overflow_action: fields.overflow_action.optional(),
  overflow_number: fields.overflow_number.optional(),
  overflow_voicemail_id: fields.overflow_voicemail_id.optional(),
  hold_music_url: fields.hold_music_url.optional(),
});

const queueSchema = z.object({
  id: z.string(),
  name: z.string(),
  strategy: z.enum(QUEUE_STRATEGIES),
  max_wait_seconds: z.number().int(),
  overflow_action: z.enum(OVERFLOW_ACTIONS),
  overflow_number: z.string().nullable(),
  overflow_voicemail_id: z.string().nullable(),
  hold_music_url: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

function queueJson(q: Queue): z.infer<typeof queueSchema> {
  return {
    id: q.id,
    name: q.name,
    strategy: q.strategy,
    max_wait_seconds: q.maxWaitSeconds,
    overflow_action: q.overflowAction,
    overflow_number: q.overflowNumber,
    overflow_voicemail_id: q.overflowVoicemailId,
    hold_music_url: q.holdMusicUrl,
    created_at: q.createdAt,
    updated_at: q.updatedAt,
  };
}

const params = idParams('queue');
const TAG = 'Queues';

export function queueRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const queues = new QueueService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/queues',
      summary: 'Create a queue',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: queueSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        queueJson(
          await queues.create(auth.tenant.id, queueFields(body)),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/queues',
      summary: 'List queues',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: queueSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await queues.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(queueJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/queues/{id}',
      summary: 'Get a queue',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: queueSchema,
      handler: async ({ params: p, auth }) => {
        const q = await queues.get(auth.tenant.id, p.id);
        if (!q) throw notFound('Queue');
        return queueJson(q);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/queues/{id}',
      summary: 'Update a queue',
      description:
        'Fields left out keep their values. Changing overflow_action drops the old action\'s target ' +
        '(overflow_number or overflow_voicemail_id) unless the body sets it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: queueSchema,
      handler: async ({ params: p, body, auth }) => {
        const q = await queues.update(auth.tenant.id, p.id, queueFields(body));
        if (!q) throw notFound('Queue');
        return queueJson(q);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/queues/{id}',
      summary: 'Delete a queue',
      description: 'Refused (409 RESOURCE_IN_USE) while a number or an IVR flow sends callers to it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const r = await queues.delete(auth.tenant.id, p.id);
        if (r.kind === 'not_found') throw notFound('Queue');
        if (r.kind === 'in_use') throw inUse('Queue', p.id, r.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
