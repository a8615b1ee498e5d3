// /api/v1/voice/ring-groups (spec §8). Field names follow the seed, including its
// camelCase `ringTimeoutSec`.
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  DEFAULT_RING_TIMEOUT_SEC,
  MAX_MEMBERS,
  MEMBER_KINDS,
  PSTN_MEMBER,
  RING_STRATEGIES,
  RingGroupService,
  type RingGroup,
} from '../../../voice/config/ring-groups.js';
import { idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

const strategy = z
  .enum(RING_STRATEGIES, {
    // The seed removed fewest_calls (it silently rang everyone); say so rather than "invalid option".
    error: (issue) =>
      issue.input === 'fewest_calls'
        ? 'fewest_calls was removed: it was never implemented and fell back to simultaneous ring; use one of ' +
          RING_STRATEGIES.join(', ')
        : `must be one of ${RING_STRATEGIES.join(', ')}`,
  })
  .describe(
    'simultaneous: ring every leaf at once, first answer wins. sequential: SIP usernames in order, then PSTN numbers. ' +
      'round_robin: one member per call, rotating. longest_idle: the member picked least recently (never-picked first).',
  );

const member = z
  .object({
    kind: z.enum(MEMBER_KINDS, { error: `must be one of ${MEMBER_KINDS.join(', ')}` }),
    value: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .describe('sip_username: a SIP credential username of this account; pstn: digits with an optional "+"; ring_group: an rg_ id'),
  })
  .superRefine((m, ctx) => {
    if (m.kind === 'pstn' && !PSTN_MEMBER.test(m.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a pstn member must be 7-20 digits with an optional leading +' });
    }
  });

const members = z
  .array(member)
  .min(1)
  .max(MAX_MEMBERS)
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((m, i) => {
      const key = `${m.kind}\u0000${m.value}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.addIssue({ code: 'custom', path: [i, 'value'], message: `repeats members[${first}]` });
    });
  })
  .describe(`1-${MAX_MEMBERS} members, in ring order`);

const fields = {
  name: resourceName(100).describe('Unique within the account, 1-100 characters'),
  strategy,
  ringTimeoutSec: z
    .number()
    .int()
    .min(5)
    .max(300)
    .describe('Seconds: how long simultaneous ringing lasts; for sequential, how long each username rings'),
  members,
};

const createBody = z.object({
  name: fields.name,
  strategy: fields.strategy.default('simultaneous'),
  ringTimeoutSec: fields.ringTimeoutSec.default(DEFAULT_RING_TIMEOUT_SEC),
  members: fields.members,
});

const updateBody = z.object({
  name: fields.name.optional(),
  strategy: fields.strategy.optional(),
  ringTimeoutSec: fields.ringTimeoutSec.optional(),
  members: fields.members.optional().describe('Replaces the whole member list'),
});

const ringGroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  strategy: z.enum(RING_STRATEGIES),
  ringTimeoutSec: z.number().int(),
  members: z.array(z.object({ kind: z.enum(MEMBER_KINDS), value: z.string() })),
  created_at: z.string(),
  updated_at: z.string(),
});

function ringGroupJson(g: RingGroup): z.infer<typeof ringGroupSchema> {
  return {
    id: g.id,
    name: g.name,
    strategy: g.strategy,
    ringTimeoutSec: g.ringTimeoutSec,
    members: g.members.map((m) => ({ kind: m.kind, value: m.value })),
    created_at: g.createdAt,
    updated_at: g.updatedAt,
  };
}

const params = idParams('rg');
const TAG = 'Ring groups';

export function ringGroupRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const groups = new RingGroupService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/ring-groups',
      summary: 'Create a ring group',
      description:
        'Members must exist: SIP usernames in this account\'s SIP credentials, ring groups in this account. ' +
        'Nested groups may not form a loop.',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: ringGroupSchema,
      status: 201,
      handler: async ({ body, auth }) => ringGroupJson(await groups.create(auth.tenant.id, body)),
    }),
    defineRoute({
      method: 'get',
      path: '/ring-groups',
      summary: 'List ring groups',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: ringGroupSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await groups.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(ringGroupJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ring-groups/{id}',
      summary: 'Get a ring group',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: ringGroupSchema,
      handler: async ({ params: p, auth }) => {
        const g = await groups.get(auth.tenant.id, p.id);
        if (!g) throw notFound('Ring group');
        return ringGroupJson(g);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/ring-groups/{id}',
      summary: 'Update a ring group',
      description: 'Fields left out keep their values; `members`, when sent, replaces the whole list.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: ringGroupSchema,
      handler: async ({ params: p, body, auth }) => {
        const g = await groups.update(auth.tenant.id, p.id, (cur) => ({
          name: body.name ?? cur.name,
          strategy: body.strategy ?? cur.strategy,
          ringTimeoutSec: body.ringTimeoutSec ?? cur.ringTimeoutSec,
          members: body.members ?? cur.members,
        }));
        if (!g) throw notFound('Ring group');
        return ringGroupJson(g);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/ring-groups/{id}',
      summary: 'Delete a ring group',
      description: 'Refused (409 RESOURCE_IN_USE) while a number, another ring group or an IVR flow refers to it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const r = await groups.delete(auth.tenant.id, p.id);
        if (r.kind === 'not_found') throw notFound('Ring group');
        if (r.kind === 'in_use') throw inUse('Ring group', p.id, r.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
