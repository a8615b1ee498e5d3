// /api/v1/voice/voicemail-boxes (spec §6).
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  DEFAULT_GREETING,
  DEFAULT_MAX_DURATION,
  MAX_GREETING,
  MAX_MAX_DURATION,
  MIN_MAX_DURATION,
  VoicemailBoxService,
  type VoicemailBox,
} from '../../../voice/config/voicemail-boxes.js';
import { httpUrl, idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

const fields = {
  name: resourceName(),
  greeting: z
    .string()
    .trim()
    .min(1)
    .max(MAX_GREETING)
    .describe(`Spoken (text to speech) before the tone; default "${DEFAULT_GREETING}"`),
  transcribe: z.boolean().describe('Transcribe messages with speech to text'),
  max_duration: z
    .number()
    .int()
    .min(MIN_MAX_DURATION)
    .max(MAX_MAX_DURATION)
    .describe(`Longest message in seconds (${MIN_MAX_DURATION}-${MAX_MAX_DURATION}); default ${DEFAULT_MAX_DURATION}`),
  notification_email: z.email('must be an email address').max(254).nullable().describe('Who is emailed about new messages'),
  webhook_url: httpUrl.nullable().describe('http(s) URL that receives voicemail events'),
};

const createBody = z.object({
  name: fields.name,
  greeting: fields.greeting.default(DEFAULT_GREETING),
  transcribe: fields.transcribe.default(false),
  max_duration: fields.max_duration.default(DEFAULT_MAX_DURATION),
  notification_email: fields.notification_email.default(null),
  webhook_url: fields.webhook_url.default(null),
});

const updateBody = z.object({
  name: fields.name.optional(),
  greeting: fields.greeting.optional(),
  transcribe: fields.transcribe.optional(),
  max_duration: fields.max_duration.optional(),
  notification_email: fields.notification_email.optional(),
  webhook_url: fields.webhook_url.optional(),
});

const boxSchema = z.object({
  id: z.string(),
  name: z.string(),
  greeting: z.string(),
  transcribe: z.boolean(),
  max_duration: z.number().int(),
  notification_email: z.string().nullable(),
  webhook_url: z.string().nullable(),
  messages_count: z.number().int().describe('Messages in the box'),
  created_at: z.string(),
  updated_at: z.string(),
});

function boxJson(b: VoicemailBox): z.infer<typeof boxSchema> {
  return {
    id: b.id,
    name: b.name,
    greeting: b.greeting,
    transcribe: b.transcribe,
    max_duration: b.maxDuration,
    notification_email: b.notificationEmail,
    webhook_url: b.webhookUrl,
    messages_count: b.messagesCount,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

const params = idParams('vmail');
const TAG = 'Voicemail';

export function voicemailBoxRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const boxes = new VoicemailBoxService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/voicemail-boxes',
      summary: 'Create a voicemail box',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: boxSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        boxJson(
          await boxes.create(auth.tenant.id, {
            name: body.name,
            greeting: body.greeting,
            transcribe: body.transcribe,
            maxDuration: body.max_duration,
            notificationEmail: body.notification_email,
            webhookUrl: body.webhook_url,
          }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/voicemail-boxes',
      summary: 'List voicemail boxes',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: boxSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await boxes.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(boxJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/voicemail-boxes/{id}',
      summary: 'Get a voicemail box',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: boxSchema,
      handler: async ({ params: p, auth }) => {
        const b = await boxes.get(auth.tenant.id, p.id);
        if (!b) throw notFound('Voicemail box');
        return boxJson(b);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/voicemail-boxes/{id}',
      summary: 'Update a voicemail box',
      description: 'Fields left out keep their values; `null` clears notification_email or webhook_url.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: boxSchema,
      handler: async ({ params: p, body, auth }) => {
        const b = await boxes.update(auth.tenant.id, p.id, (cur) => ({
          name: body.name ?? cur.name,
          greeting: body.greeting ?? cur.greeting,
          transcribe: body.transcribe ?? cur.transcribe,
          maxDuration: body.max_duration ?? cur.maxDuration,
          notificationEmail: body.notification_email !== undefined ? body.notification_email : cur.notificationEmail,
          webhookUrl: body.webhook_url !== undefined ? body.webhook_url : cur.webhookUrl,
        }));
        if (!b) throw notFound('Voicemail box');
        return boxJson(b);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/voicemail-boxes/{id}',
      summary: 'Delete a voicemail box',
      description:
        'Refused with 409 RESOURCE_IN_USE while a number, a queue\'s overflow or an IVR node uses the box. ' +
        'Deletes the box\'s messages and their recordings with it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({
        id: z.string(),
        deleted: z.literal(true),
        messages_deleted: z.number().int().describe('Messages deleted with the box, recordings included'),
      }),
      handler: async ({ params: p, auth }) => {
        const out = await boxes.delete(auth.tenant.id, p.id);
        if (out.kind === 'not_found') throw notFound('Voicemail box');
        if (out.kind === 'in_use') throw inUse('Voicemail box', p.id, out.refs);
        if (out.filesFailed.length > 0) {
          ctx.logger.warn(
            { tenant: auth.tenant.id, voicemailBox: p.id, files: out.filesFailed },
            'voicemail box deleted; some recording files could not be removed',
          );
        }
        return { id: p.id, deleted: true as const, messages_deleted: out.messagesDeleted };
      },
    }),
  ];
}
