// /api/v1/numbers: the tenant's phone numbers and their inbound routes (spec §8).
import { z } from 'zod';
import { notFound } from '../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../route.js';
import { findReferences } from '../../store/index.js';
import {
  NumberService,
  ROUTE_TYPES,
  TARGET_FIELD,
  type PhoneNumber,
  type RouteType,
  type Target,
  type TargetField,
} from '../../voice/config/numbers.js';
import { e164, httpUrl, inUse, type VoiceRouteContext } from './voice/common.js';

const TARGET_FIELDS = Object.values(TARGET_FIELD);

/** `{number}` in the path: "+14155550100", "%2B14155550100" or "14155550100". */
const numberParams = z.object({
  number: z
    .string()
    .transform((s) => (s.startsWith('+') ? s : `+${s}`))
    .pipe(e164),
});

const idField = z.string().min(1).max(64);
const targetShape = {
  type: z.enum(ROUTE_TYPES),
  ivr_flow_id: idField.optional(),
  ring_group_id: idField.optional(),
  queue_id: idField.optional(),
  extension_id: idField.optional(),
  agent_id: idField.optional(),
  voicemail_id: idField.optional(),
  conference_id: idField.optional(),
};

type TargetBody = { type: RouteType } & { [K in TargetField]?: string };

/** Exactly the id field of the chosen type, and no other. */
function checkTarget(v: TargetBody, ctx: z.RefinementCtx, prefix: string[] = []): void {
  const want = TARGET_FIELD[v.type];
  if (!v[want]) ctx.addIssue({ code: 'custom', path: [...prefix, want], message: `${want} is required for type ${v.type}` });
  for (const f of TARGET_FIELDS) {
    if (f !== want && v[f] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...prefix, f], message: `${f} does not go with type ${v.type}` });
    }
  }
}

const routeBody = z
  .object({
    ...targetShape,
    config: z.record(z.string(), z.unknown()).default({}).describe('Free-form settings kept with the route'),
    calendar_id: idField.nullable().optional().describe('Business-hours calendar; outside its hours the after_hours target answers'),
    after_hours: z.object(targetShape).nullable().optional().describe('Target used outside the calendar\'s hours'),
    webhook_url: httpUrl.nullable().optional().describe('Receives call status events for calls to this number'),
  })
  .superRefine((v, ctx) => {
    checkTarget(v, ctx);
    if (v.after_hours) checkTarget(v.after_hours, ctx, ['after_hours']);
    if (v.calendar_id && !v.after_hours) {
      ctx.addIssue({ code: 'custom', path: ['after_hours'], message: 'after_hours is required with calendar_id' });
    }
    if (v.after_hours && !v.calendar_id) {
      ctx.addIssue({ code: 'custom', path: ['calendar_id'], message: 'calendar_id is required with after_hours' });
    }
  });

const targetJsonSchema = z.object(targetShape);
const routingSchema = z
  .object({
    number: z.string(),
    ...targetShape,
    config: z.record(z.string(), z.unknown()),
    calendar_id: z.string().nullable(),
    after_hours: targetJsonSchema.nullable(),
    webhook_url: z.string().nullable(),
    updated_at: z.string(),
  })
  .describe('The route, with the id field of its type (e.g. ivr_flow_id)');
const numberSchema = z.object({
  number: z.string(),
  routing: routingSchema.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

function targetJson(t: Target): TargetBody {
  return { type: t.type, [TARGET_FIELD[t.type]]: t.id };
}

function toTarget(v: TargetBody): Target {
  return { type: v.type, id: v[TARGET_FIELD[v.type]]! };
}

function routingJson(n: PhoneNumber): z.infer<typeof routingSchema> | null {
  if (!n.route) return null;
  const r = n.route;
  return {
    number: n.number,
    ...targetJson(r.target),
    type: r.target.type,
    config: r.config,
    calendar_id: r.calendarId,
    after_hours: r.afterHours ? targetJson(r.afterHours) : null,
    webhook_url: r.webhookUrl,
    updated_at: r.updatedAt,
  };
}

function numberJson(n: PhoneNumber): z.infer<typeof numberSchema> {
  return { number: n.number, routing: routingJson(n), created_at: n.createdAt, updated_at: n.updatedAt };
}

const TAG = 'Numbers';

export function numberRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const numbers = new NumberService(ctx.store);
  return [
    defineRoute({
      method: 'get',
      path: '/numbers',
      summary: "List the tenant's numbers with their routes",
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: numberSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await numbers.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(numberJson) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/numbers/{number}',
      summary: 'Add a number to the tenant',
      description: 'Idempotent. A number held by another tenant answers 409 NUMBER_UNAVAILABLE.',
      tag: TAG,
      scope: 'voice:write',
      params: numberParams,
      response: numberSchema,
      handler: async ({ params, auth }) => numberJson(await numbers.register(auth.tenant.id, params.number)),
    }),
    defineRoute({
      method: 'get',
      path: '/numbers/{number}',
      summary: 'Get a number and its route',
      tag: TAG,
      scope: 'voice:read',
      params: numberParams,
      response: numberSchema,
      handler: async ({ params, auth }) => {
        const n = await numbers.get(auth.tenant.id, params.number);
        if (!n) throw notFound('Number');
        return numberJson(n);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/numbers/{number}',
      summary: 'Release a number (and its route)',
      description: "Refused (409) while it is the tenant's default outbound number.",
      tag: TAG,
      scope: 'voice:write',
      params: numberParams,
      response: z.object({ number: z.string(), deleted: z.literal(true) }),
      handler: async ({ params, auth }) => {
        if (!(await numbers.get(auth.tenant.id, params.number))) throw notFound('Number');
        const refs = await findReferences(ctx.store.db, auth.tenant.id, 'number', params.number);
        if (refs.length > 0) throw inUse('Number', params.number, refs);
        await numbers.release(auth.tenant.id, params.number);
        return { number: params.number, deleted: true as const };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/numbers/{number}/routing',
      summary: 'Route inbound calls to a number',
      description:
        'Sets the route; adds the number to the tenant if needed. `type` picks the target and its id field ' +
        '(ivr_flow → ivr_flow_id, ring_group → ring_group_id, queue → queue_id, extension → extension_id, ' +
        'agent → agent_id, voicemail → voicemail_id, conference → conference_id). The target must exist.',
      tag: TAG,
      scope: 'voice:write',
      params: numberParams,
      body: routeBody,
      response: routingSchema,
      handler: async ({ params, body, auth }) => {
        const n = await numbers.setRoute(auth.tenant.id, params.number, {
          target: toTarget(body),
          config: body.config,
          calendarId: body.calendar_id ?? null,
          afterHours: body.after_hours ? toTarget(body.after_hours) : null,
          webhookUrl: body.webhook_url ?? null,
        });
        return routingJson(n)!;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/numbers/{number}/routing',
      summary: "Get a number's route",
      tag: TAG,
      scope: 'voice:read',
      params: numberParams,
      response: routingSchema,
      handler: async ({ params, auth }) => {
        const n = await numbers.get(auth.tenant.id, params.number);
        if (!n?.route) throw notFound(n ? 'Route' : 'Number');
        return routingJson(n)!;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/numbers/{number}/routing',
      summary: "Remove a number's route",
      description: 'The number stays with the tenant; inbound calls to it are refused until it is routed again.',
      tag: TAG,
      scope: 'voice:write',
      params: numberParams,
      response: z.object({ number: z.string(), deleted: z.literal(true) }),
      handler: async ({ params, auth }) => {
        const n = await numbers.clearRoute(auth.tenant.id, params.number);
        if (!n) throw notFound('Route');
        return { number: params.number, deleted: true as const };
      },
    }),
  ];
}

