// /api/v1/voice/ivr-flows (spec §4) and the dry run, POST /ivr-flows/{id}/simulate.
import { z } from 'zod';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import { IvrFlowService, type FlowDefinition, type IvrFlow } from '../../../voice/config/ivr-flows.js';
import {
  DIAL_OUTCOMES,
  FlowGraphInvalidError,
  MAX_EDGES,
  MAX_NODES,
  NODE_TYPES,
  SILENCE,
} from '../../../ivr-runtime/index.js';
import { idParams, inUse, resourceName, type VoiceRouteContext } from './common.js';

// Nodes and edges are checked by the flow validator, not here, so that every problem
// in a definition comes back in one IVR_FLOW_GRAPH_INVALID answer. The JSON Schema
// below documents their shape for /openapi.json.
const nodeDoc = z.unknown().meta({
  type: 'object',
  required: ['id', 'type'],
  properties: {
    id: { type: 'string', description: 'Unique node id, referenced by edges' },
    type: { type: 'string', enum: NODE_TYPES },
    data: {
      type: 'object',
      description:
        'Per-type settings (camelCase). menu: ttsText, language (en-US), timeout (5 s), menuOptions [{key, label}], maxRetries (3). ' +
        'transfer: transferTo (E.164 or extension). voicemail: greeting?, voicemailBoxId?. ringGroup: ringGroupId. hangup: message?. ' +
        'dialByName: prompt?. offerCallback: prompt?, confirmKey ("1"). Any node: isEntry (marks the entry instead of an ivrStart node).',
    },
  },
  additionalProperties: true,
  description: 'An XYFlow node; canvas keys (position, width, ...) are kept as sent',
});

const edgeDoc = z.unknown().meta({
  type: 'object',
  required: ['id', 'source', 'target'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string', description: 'Source node id' },
    target: { type: 'string', description: 'Target node id' },
    sourceHandle: {
      type: ['string', 'null'],
      description: 'Leaving a menu: the DTMF key, or "fallback". Leaving transfer, ringGroup, dialByName, offerCallback: "failure".',
    },
  },
  additionalProperties: true,
});

const definition = z
  .looseObject({
    nodes: z.array(nodeDoc).describe(`Flow nodes (at most ${MAX_NODES})`),
    edges: z.array(edgeDoc).describe(`Directed edges (at most ${MAX_EDGES})`),
  })
  .describe('The flow graph, as the XYFlow canvas produces it');

const createBody = z.object({
  name: resourceName(),
  definition,
  active: z.boolean().default(true).describe('Whether the flow is active'),
});

const updateBody = z.object({
  name: resourceName().optional(),
  definition: definition.optional(),
  active: z.boolean().optional(),
});

const summaryFields = {
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'inactive']),
  active: z.boolean(),
  options_count: z.number().int().describe('Menu options over all menu nodes'),
  created_at: z.string(),
  updated_at: z.string(),
};
const summarySchema = z.object(summaryFields);
const flowSchema = z.object({ ...summaryFields, definition });

function summaryJson(f: IvrFlow): z.infer<typeof summarySchema> {
  return {
    id: f.id,
    name: f.name,
    status: f.active ? 'active' : 'inactive',
    active: f.active,
    options_count: f.optionsCount,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
  };
}

function flowJson(f: IvrFlow) {
  return { ...summaryJson(f), definition: f.definition };
}

/** The validator's problems as the API's 422, every one at once. */
async function graphChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof FlowGraphInvalidError)) throw err;
    throw new ApiError(
      422,
      'IVR_FLOW_GRAPH_INVALID',
      err.message,
      err.problems.map((p) => ({ ...p, ...(p.field ? { location: 'body' as const } : {}) })),
    );
  }
}

const simulateBody = z.object({
  digits: z
    .string()
    .max(100)
    .regex(/^[0-9*#-]*$/, `only 0-9, *, # and "${SILENCE}" (silence at that prompt)`)
    .default('')
    .describe(`Keys the caller presses, one per prompt; "${SILENCE}" = no key at that prompt. Past the end the caller is silent.`),
  no_input_after: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(0)
    .describe('The caller presses no more keys after this many (later prompts time out); 0 = no limit'),
  dial_result: z.enum(DIAL_OUTCOMES).default('answered').describe('How every transfer or ring-group attempt ends'),
});

const finalActionSchema = z
  .object({
    type: z.enum(['transfer', 'ring_group', 'dial_by_name', 'voicemail', 'callback', 'hangup']),
    node_id: z.string().nullable(),
    to: z.string().optional().describe('transfer, dial_by_name: the number or extension'),
    name: z.string().optional().describe('dial_by_name: the matched name'),
    ring_group_id: z.string().optional(),
    voicemail_box_id: z.string().nullable().optional().describe('voicemail: null = the tenant default box'),
    reason: z.string().optional().describe('hangup: hangup_node, end_node, menu_no_valid_input, connection_failed, ...'),
  })
  .describe('How the call leaves the flow');

const simulationSchema = z.object({
  flow_id: z.string(),
  active: z.boolean(),
  nodes_visited: z.array(z.string()).describe('Node ids in the order they ran'),
  prompts: z.array(z.object({ node_id: z.string(), text: z.string(), language: z.string() })).describe('What the caller hears, in order'),
  keys_consumed: z.string().describe('The part of `digits` the caller used'),
  keys_unused: z.string().describe('The part of `digits` no prompt asked for'),
  final_action: finalActionSchema,
  trace: z
    .array(z.object({ step: z.number().int(), node_id: z.string(), event: z.string(), message: z.string() }))
    .describe('Everything that happened, with the reasons'),
});

const params = idParams('ivr');
const TAG = 'IVR flows';

export function ivrFlowRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const flows = new IvrFlowService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/ivr-flows',
      summary: 'Create an IVR flow',
      description: 'The definition is validated as a whole: every problem comes back in one 422 IVR_FLOW_GRAPH_INVALID.',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: flowSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        flowJson(
          await graphChecked(() =>
            flows.create(auth.tenant.id, { name: body.name, definition: body.definition as FlowDefinition, active: body.active }),
          ),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/ivr-flows',
      summary: 'List IVR flows',
      description: 'Items leave out `definition` (a flow may have 1000 nodes); GET one flow to load it.',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: summarySchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await flows.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(summaryJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ivr-flows/{id}',
      summary: 'Get an IVR flow',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: flowSchema,
      handler: async ({ params: p, auth }) => {
        const f = await flows.get(auth.tenant.id, p.id);
        if (!f) throw notFound('IVR flow');
        return flowJson(f);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/ivr-flows/{id}',
      summary: 'Update an IVR flow',
      description: 'Fields left out keep their values; the resulting flow is validated again.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: flowSchema,
      handler: async ({ params: p, body, auth }) => {
        const f = await graphChecked(() =>
          flows.update(auth.tenant.id, p.id, (cur) => ({
            name: body.name ?? cur.name,
            definition: (body.definition as FlowDefinition | undefined) ?? cur.definition,
            active: body.active ?? cur.active,
          })),
        );
        if (!f) throw notFound('IVR flow');
        return flowJson(f);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/ivr-flows/{id}',
      summary: 'Delete an IVR flow',
      description: 'Refused with 409 RESOURCE_IN_USE while a number routes to the flow.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const r = await flows.delete(auth.tenant.id, p.id);
        if (r.kind === 'not_found') throw notFound('IVR flow');
        if (r.kind === 'in_use') throw inUse('IVR flow', p.id, r.refs);
        return { id: p.id, deleted: true as const };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/ivr-flows/{id}/simulate',
      summary: 'Dry-run an IVR flow with a scripted caller',
      description:
        'Walks the stored flow (active or not) with the real interpreter; nothing is dialled, spoken or recorded. ' +
        'Returns the nodes visited, the prompts, the keys used and the final action, with a trace of every decision.',
      tag: TAG,
      scope: 'voice:read',
      params,
      body: simulateBody,
      response: simulationSchema,
      handler: async ({ params: p, body, auth }) => {
        const r = await flows.simulate(auth.tenant.id, p.id, {
          digits: body.digits,
          noInputAfter: body.no_input_after,
          dialResult: body.dial_result,
        });
        if (!r) throw notFound('IVR flow');
        return { flow_id: r.flow.id, active: r.flow.active, ...r.report };
      },
    }),
  ];
}
