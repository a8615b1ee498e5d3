// /api/v1/voice/agents (spec §7: "the API to create them is ours to add") and the
// seed's presence endpoint POST /agents/{id}/status.
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import { AGENT_KINDS, AGENT_STATUSES, AgentService, MAX_SKILLS, type Agent, type AgentInput } from '../../../voice/config/agents.js';
import { e164, idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

const prefixedId = (prefix: string) =>
  z
    .string()
    .max(64)
    .regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must be a ${prefix}_ id`);

const wsUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a ws:// or wss:// URL');

const skills = z
  .array(z.string().trim().min(1).max(64))
  .max(MAX_SKILLS)
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((s, i) => {
      const first = seen.get(s);
      if (first === undefined) seen.set(s, i);
      else ctx.addIssue({ code: 'custom', path: [i], message: `repeats skills[${first}]` });
    });
  })
  .describe(`Up to ${MAX_SKILLS} distinct skill tags (1-64 characters each) that queues can route on`);

const kind = z.enum(AGENT_KINDS, { error: `must be one of ${AGENT_KINDS.join(', ')}` });
const status = z.enum(AGENT_STATUSES, { error: `must be one of ${AGENT_STATUSES.join(', ')}` });

const fields = {
  name: resourceName(),
  kind: kind.describe('human: reached at extension_id or phone_number; ai: reached through stream_url'),
  extension_id: prefixedId('ext').nullable().describe('SIP extension (ext_ id) a human agent is rung at'),
  phone_number: e164.nullable().describe('E.164 number a human agent is dialled at'),
  stream_url: wsUrl.nullable().describe('ws:// or wss:// URL of an AI agent\'s bidirectional audio stream; required for ai, not allowed for human'),
  skills,
  tts_voice_id: prefixedId('clone').nullable().describe('Voice clone (clone_ id) the agent speaks with'),
  archived: z.boolean().describe('Archived agents keep their history but cannot be set available'),
};

const createBody = z.object({
  name: fields.name,
  kind: fields.kind.default('human'),
  extension_id: fields.extension_id.default(null),
  phone_number: fields.phone_number.default(null),
  stream_url: fields.stream_url.default(null),
  skills: fields.skills.default([]),
  tts_voice_id: fields.tts_voice_id.default(null),
  archived: fields.archived.default(false),
});

/** The API's snake_case fields as the service's input (create: all set; update: some). */
function agentFields(body: z.infer<typeof createBody>): AgentInput;
function agentFields(body: z.infer<typeof updateBody>): Partial<AgentInput>;
function agentFields(body: z.infer<typeof updateBody>): Partial<AgentInput> {
  return {
    name: body.name,
    kind: body.kind,
    extensionId: body.extension_id,
    phoneNumber: body.phone_number,
    streamUrl: body.stream_url,
    skills: body.skills,
    ttsVoiceId: body.tts_voice_id,
    archived: body.archived,
  };
}

const updateBody = z.object({
  name: fields.name.optional(),
  kind: fields.kind.optional(),
  extension_id: fields.extension_id.optional(),
  phone_number: fields.phone_number.optional(),
  stream_url: fields.stream_url.optional(),
  skills: fields.skills.optional(),
  tts_voice_id: fields.tts_voice_id.optional(),
  archived: fields.archived.optional(),
});

const listQuery = pageQuery.extend({
  status: status.optional().describe('Only agents with this presence'),
  kind: kind.optional().describe('Only human or only AI agents'),
  archived: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .describe('Only archived (true) or only active (false) agents; both when absent'),
});

const agentSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(AGENT_KINDS),
  extension_id: z.string().nullable(),
  phone_number: z.string().nullable(),
  stream_url: z.string().nullable(),
  skills: z.array(z.string()),
  tts_voice_id: z.string().nullable(),
  archived: z.boolean(),
  status: z.enum(AGENT_STATUSES).describe('Presence: available agents are offered the next queued call'),
  status_changed_at: z.string().describe('When the agent entered its current status'),
  created_at: z.string(),
  updated_at: z.string(),
});

function agentJson(a: Agent): z.infer<typeof agentSchema> {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    extension_id: a.extensionId,
    phone_number: a.phoneNumber,
    stream_url: a.streamUrl,
    skills: a.skills,
    tts_voice_id: a.ttsVoiceId,
    archived: a.archived,
    status: a.status,
    status_changed_at: a.statusChangedAt,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

const params = idParams('agt');
const TAG = 'Agents';

export function agentRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const agents = new AgentService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/agents',
      summary: 'Create an agent',
      description: 'New agents start offline.',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: agentSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        agentJson(
          await agents.create(auth.tenant.id, agentFields(body)),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/agents',
      summary: 'List agents',
      tag: TAG,
      scope: 'voice:read',
      query: listQuery,
      response: agentSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await agents.list(
          auth.tenant.id,
          { limit: query.limit, cursor: query.cursor },
          {
            status: query.status,
            kind: query.kind,
            archived: query.archived === undefined ? undefined : query.archived === 'true',
          },
        );
        return { ...page, items: page.items.map(agentJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/agents/{id}',
      summary: 'Get an agent',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: agentSchema,
      handler: async ({ params: p, auth }) => {
        const a = await agents.get(auth.tenant.id, p.id);
        if (!a) throw notFound('Agent');
        return agentJson(a);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/agents/{id}',
      summary: 'Update an agent',
      description:
        'Fields left out keep their values. Changing kind to human drops stream_url unless the body sets it. ' +
        'Archiving an available agent takes it offline.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: agentSchema,
      handler: async ({ params: p, body, auth }) => {
        const a = await agents.update(auth.tenant.id, p.id, agentFields(body));
        if (!a) throw notFound('Agent');
        return agentJson(a);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/agents/{id}/status',
      summary: 'Set an agent\'s presence',
      description:
        'available agents are eligible for the next queued call. Re-sending the current status leaves ' +
        'status_changed_at unchanged. An archived agent cannot be set available (409 AGENT_ARCHIVED).',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: z.object({ status }),
      response: agentSchema,
      handler: async ({ params: p, body, auth }) => {
        const a = await agents.setStatus(auth.tenant.id, p.id, body.status);
        if (!a) throw notFound('Agent');
        return agentJson(a);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/agents/{id}',
      summary: 'Delete an agent',
      description: 'Refused (409 RESOURCE_IN_USE) while a number routes to the agent or an IVR flow refers to it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const r = await agents.delete(auth.tenant.id, p.id);
        if (r.kind === 'not_found') throw notFound('Agent');
        if (r.kind === 'in_use') throw inUse('Agent', p.id, r.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
