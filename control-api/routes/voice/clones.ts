// /api/v1/voice/clones (spec §12): create (the sample is checked in the background),
// list, get, delete. No update: a different sample is a different voice.
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  CLONE_STATUSES,
  isLanguageTag,
  normalizeLanguageTag,
  SAMPLE_FORMATS,
  VoiceCloneService,
  type VoiceClone,
} from '../../../voice/config/clones.js';
import { httpUrl, idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

const createBody = z.object({
  name: resourceName().describe('Display name, 1-200 characters'),
  language: z
    .string()
    .trim()
    .max(35)
    .refine(isLanguageTag, 'must be a language tag such as en-US, es-419 or zh-Hans-CN')
    .transform(normalizeLanguageTag)
    .describe('BCP 47 language of the speaker, e.g. en-US'),
  sample_url: httpUrl.describe(
    'http(s) URL of the sample: at least 30 s of one speaker, 16 kHz or more, mono, WAV, MP3 or FLAC, at most 50 MB',
  ),
});

const cloneSchema = z.object({
  id: z.string().describe('clone_ id; agents refer to it as tts_voice_id'),
  name: z.string(),
  language: z.string(),
  sample_url: z.string(),
  status: z.enum(CLONE_STATUSES).describe('processing until the sample is fetched and checked, then ready or rejected'),
  rejection_reason: z.string().nullable().describe('Why the sample was refused, when rejected'),
  format: z.enum(SAMPLE_FORMATS).nullable().describe('Container of the sample, once ready'),
  sample_rate: z.number().int().nullable().describe('Hz, once ready'),
  channels: z.number().int().nullable().describe('Once ready: always 1'),
  duration_seconds: z.number().nullable().describe('Length of the sample, once ready'),
  size_bytes: z.number().int().nullable().describe('Size of the sample file, once ready'),
  created_at: z.string(),
  updated_at: z.string(),
});

function cloneJson(c: VoiceClone): z.infer<typeof cloneSchema> {
  return {
    id: c.id,
    name: c.name,
    language: c.language,
    sample_url: c.sampleUrl,
    status: c.status,
    rejection_reason: c.rejectionReason,
    format: c.format as (typeof SAMPLE_FORMATS)[number] | null,
    sample_rate: c.sampleRate,
    channels: c.channels,
    duration_seconds: c.durationSeconds,
    size_bytes: c.sizeBytes,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

const listQuery = pageQuery.extend({
  status: z.enum(CLONE_STATUSES).optional().describe('Only clones in this status'),
});

const params = idParams('clone');
const TAG = 'Voice clones';

export function cloneRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const clones = new VoiceCloneService({ store: ctx.store, logger: ctx.logger, fetchAllowPrivate: ctx.fetchAllowPrivate });
  return [
    defineRoute({
      method: 'post',
      path: '/clones',
      summary: 'Create a voice clone',
      description:
        'Answers at once with status "processing"; the sample is then fetched and checked in the background. ' +
        'Poll GET /clones/{id} until the status is "ready" or "rejected" (rejection_reason says why).',
      tag: TAG,
      scope: 'voice:write',
      // Each clone costs a download of up to 50 MB.
      rateLimit: { bucket: 'voice-clones-create', perMinute: 60 },
      body: createBody,
      response: cloneSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        cloneJson(await clones.create(auth.tenant.id, { name: body.name, language: body.language, sampleUrl: body.sample_url })),
    }),
    defineRoute({
      method: 'get',
      path: '/clones',
      summary: 'List voice clones',
      tag: TAG,
      scope: 'voice:read',
      query: listQuery,
      response: cloneSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await clones.list(auth.tenant.id, query, query.status);
        return { ...page, items: page.items.map(cloneJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/clones/{id}',
      summary: 'Get a voice clone',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: cloneSchema,
      handler: async ({ params: p, auth }) => {
        const c = await clones.get(auth.tenant.id, p.id);
        if (!c) throw notFound('Voice clone');
        return cloneJson(c);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/clones/{id}',
      summary: 'Delete a voice clone',
      description: 'Refused with 409 RESOURCE_IN_USE while an agent speaks with it (tts_voice_id). Deletes the stored sample.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const outcome = await clones.delete(auth.tenant.id, p.id);
        if (outcome.kind === 'not_found') throw notFound('Voice clone');
        if (outcome.kind === 'in_use') throw inUse('Voice clone', p.id, outcome.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
