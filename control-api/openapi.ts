// The OpenAPI 3.1 document, generated from the same route declarations (and so the
// same zod schemas) that validate requests. OpenAPI 3.1 schemas are JSON Schema
// 2020-12, which is what zod's toJSONSchema emits.
import { z } from 'zod';
import type { AnyRouteSpec } from './route.js';

export interface MountedGroup {
  basePath: string;
  routes: AnyRouteSpec[];
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const s = jsonSchema(f, 'input');
    const description = typeof s.description === 'string' ? s.description : undefined;
    return {
      name,
      in: where,
      required: where === 'path' || !f.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: s,
    };
  });
}

const errorCodes: Record<string, string> = {
  '400': 'Malformed JSON body',
  '401': 'Missing, invalid or revoked API key',
  '403': 'The API key lacks the scope this endpoint needs',
  '404': 'No such resource in your tenant',
  '409': 'The resource is in a state that does not allow this',
  '422': 'Validation failed: `error.details` names each bad field',
  '429': 'Rate limit exceeded: see the Retry-After header',
};

export function buildOpenApi(groups: MountedGroup[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const g of groups) {
    for (const r of g.routes) {
      const full = g.basePath + r.path;
      const data = jsonSchema(r.response, 'output');
      const envelope = r.list
        ? {
            type: 'object',
            required: ['data', 'meta'],
            properties: { data: { type: 'array', items: data }, meta: { $ref: '#/components/schemas/ListMeta' } },
          }
        : {
            type: 'object',
            required: ['data', 'meta'],
            properties: { data, meta: { $ref: '#/components/schemas/Meta' } },
          };
      const responses: Record<string, unknown> = {
        [String(r.status ?? 200)]: { description: 'Success', content: { 'application/json': { schema: envelope } } },
      };
      const codes = ['401', '403', '404', '429'];
      if (r.body) codes.push('400', '422');
      else if (r.query || r.params) codes.push('422');
      if (r.method === 'post') codes.push('409');
      for (const c of codes.sort()) {
        responses[c] = { $ref: `#/components/responses/E${c}` };
      }
      const op: Record<string, unknown> = {
        operationId: `${r.method}${full.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: [r.tag],
        'x-required-scope': r.scope,
        parameters: [
          ...parameters(r.params, 'path'),
          ...parameters(r.query, 'query'),
          ...(r.method === 'post'
            ? [
                {
                  name: 'Idempotency-Key',
                  in: 'header',
                  required: false,
                  description: 'A retry with the same key and body returns the first response',
                  schema: { type: 'string', maxLength: 255 },
                },
              ]
            : []),
        ],
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }
          : {}),
        responses,
      };
      (paths[full] ??= {})[r.method] = op;
    }
  }

  const metaProps = {
    request_id: { type: 'string', examples: ['req_1b2c3d'] },
    timestamp: { type: 'string', format: 'date-time' },
  };
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Switchboard control plane. Every response is an envelope: `{data, meta}` on success, `{error, meta}` on failure.',
    },
    servers: [{ url: '/' }],
    security: [{ ApiKey: [] }, { Bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        Bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Meta: { type: 'object', required: ['request_id', 'timestamp'], properties: metaProps },
        ListMeta: {
          type: 'object',
          required: ['request_id', 'timestamp', 'cursor', 'has_more'],
          properties: {
            ...metaProps,
            cursor: { type: ['string', 'null'], description: 'Pass as ?cursor= for the next page; null on the last' },
            has_more: { type: 'boolean' },
          },
        },
        Error: {
          type: 'object',
          required: ['error', 'meta'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'details'],
              properties: {
                code: { type: 'string', examples: ['VALIDATION_FAILED'] },
                message: { type: 'string' },
                details: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      field: { type: 'string' },
                      location: { enum: ['body', 'query', 'path', 'header'] },
                      code: { type: 'string' },
                      message: { type: 'string' },
                    },
                  },
                },
              },
            },
            meta: { $ref: '#/components/schemas/Meta' },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(errorCodes).map(([code, description]) => [
          `E${code}`,
          {
            description,
            ...(code === '429'
              ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } }
              : {}),
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
