// GET /api/v1/tenant: the tenant the caller's key belongs to.
import { z } from 'zod';
import type { Tenant } from '../../store/index.js';
import { defineRoute, type AnyRouteSpec } from '../route.js';

export const tenantSchema = z.object({
  id: z.string().describe('Tenant id (ten_...)'),
  name: z.string(),
  sip_domain: z.string().nullable().describe('SIP domain whose REGISTER and INVITE requests belong to this tenant'),
  created_at: z.string(),
  updated_at: z.string(),
});

export function tenantJson(t: Tenant): z.infer<typeof tenantSchema> {
  return { id: t.id, name: t.name, sip_domain: t.sipDomain, created_at: t.createdAt, updated_at: t.updatedAt };
}

export function tenantRoutes(): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/tenant',
      summary: "Get the caller's tenant",
      tag: 'Tenant',
      scope: 'voice:read',
      response: tenantSchema,
      handler: async ({ auth }) => tenantJson(auth.tenant),
    }),
  ];
}
