// /api/v1/api-keys: the tenant's API keys. The secret is returned once, on create.
import { z } from 'zod';
import { SCOPES, type ApiKey, type Store } from '../../store/index.js';
import { notFound } from '../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../route.js';

const apiKeySchema = z.object({
  id: z.string().describe('Key id (key_...), used to revoke it'),
  name: z.string(),
  prefix: z.string().describe('First characters of the key, to tell keys apart'),
  scopes: z.array(z.enum(SCOPES)),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable().describe('Updated at most once a minute'),
});

const createdKeySchema = apiKeySchema.extend({
  key: z.string().describe('The secret. Shown only in this response: store it now'),
});

const createBody = z.object({
  name: z.string().trim().min(1).max(100).default('default'),
  scopes: z.array(z.enum(SCOPES)).min(1).default([...SCOPES]).describe('Defaults to every scope'),
});

const idParams = z.object({ id: z.string().min(1).max(64) });

function keyJson(k: ApiKey): z.infer<typeof apiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    created_at: k.createdAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
  };
}

export function apiKeyRoutes(store: Store): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api-keys',
      summary: 'Create an API key',
      tag: 'API keys',
      scope: 'admin',
      body: createBody,
      response: createdKeySchema,
      status: 201,
      handler: async ({ body, auth }) => {
        const { apiKey, secret } = await store.apiKeys.create({
          tenantId: auth.tenant.id,
          name: body.name,
          scopes: [...new Set(body.scopes)],
        });
        return { ...keyJson(apiKey), key: secret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api-keys',
      summary: "List the tenant's API keys, newest first",
      tag: 'API keys',
      scope: 'admin',
      query: pageQuery,
      response: apiKeySchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await store.apiKeys.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(keyJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api-keys/{id}',
      summary: 'Get an API key',
      tag: 'API keys',
      scope: 'admin',
      params: idParams,
      response: apiKeySchema,
      handler: async ({ params, auth }) => {
        const k = await store.apiKeys.get(auth.tenant.id, params.id);
        if (!k) throw notFound('API key');
        return keyJson(k);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      summary: 'Revoke an API key',
      description: 'Requests made with a revoked key get 401 from then on. Revoking twice is harmless.',
      tag: 'API keys',
      scope: 'admin',
      params: idParams,
      response: apiKeySchema,
      handler: async ({ params, auth }) => {
        const k = await store.apiKeys.get(auth.tenant.id, params.id);
        if (!k) throw notFound('API key');
        const revoked = await store.apiKeys.revoke(k.id);
        return keyJson(revoked ?? k);
      },
    }),
  ];
}
