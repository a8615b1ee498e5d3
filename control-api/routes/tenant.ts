// GET and PATCH /api/v1/tenant: the tenant the caller's key belongs to.
import { z } from 'zod';
import type { Store, Tenant } from '../../store/index.js';
import { NumberService } from '../../voice/config/numbers.js';
import { ConfigError, ConflictError } from '../../voice/config/errors.js';
import { defineRoute, type AnyRouteSpec } from '../route.js';
import { e164 } from './voice/common.js';

export const tenantSchema = z.object({
  id: z.string().describe('Tenant id (ten_...)'),
  name: z.string(),
  sip_domain: z.string().nullable().describe('SIP domain whose REGISTER and INVITE requests belong to this tenant'),
  default_number: z.string().nullable().describe("Caller id of outbound calls whose `from` is omitted; one of the tenant's numbers"),
  created_at: z.string(),
  updated_at: z.string(),
});

export function tenantJson(t: Tenant): z.infer<typeof tenantSchema> {
  return {
    id: t.id,
    name: t.name,
    sip_domain: t.sipDomain,
    default_number: t.defaultNumber,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

const hostname = z
  .string()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i, 'must be a DNS name such as sip.example.com')
  .transform((s) => s.toLowerCase());

const patchBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  default_number: e164.nullable().optional(),
  sip_domain: hostname.nullable().optional(),
});

export function tenantRoutes(store: Store): AnyRouteSpec[] {
  const numbers = new NumberService(store);
  return [
    defineRoute({
      method: 'get',
      path: '/tenant',
      summary: "Get the caller's tenant",
      tag: 'Tenant',
      scope: 'voice:read',
      response: tenantSchema,
      handler: async ({ auth }) => tenantJson((await store.tenants.get(auth.tenant.id)) ?? auth.tenant),
    }),
    defineRoute({
      method: 'patch',
      path: '/tenant',
      summary: "Change the caller's tenant",
      description:
        '`default_number` must be one of the tenant\'s numbers (PUT /api/v1/numbers/{number}). `sip_domain` can ' +
        'change only while the tenant has no SIP credentials, because their stored digests bind the realm.',
      tag: 'Tenant',
      scope: 'admin',
      body: patchBody,
      response: tenantSchema,
      handler: async ({ body, auth }) => {
        const tenant = auth.tenant;
        if (body.default_number) {
          if (!(await numbers.get(tenant.id, body.default_number))) {
            throw new ConfigError().add('default_number', 'not_found', `${body.default_number} is not one of your numbers`);
          }
        }
        if (body.sip_domain !== undefined && body.sip_domain !== tenant.sipDomain) {
          if (body.sip_domain !== null) {
            const holder = await store.tenants.getBySipDomain(body.sip_domain);
            if (holder && holder.id !== tenant.id) {
              throw new ConflictError('SIP_DOMAIN_TAKEN', `${body.sip_domain} is not available`, 'sip_domain');
            }
          }
          if ((await store.resources.credentials.count(tenant.id)) > 0) {
            throw new ConflictError(
              'SIP_DOMAIN_LOCKED',
              'The SIP domain is the digest realm of existing SIP credentials; delete them (or set their passwords again after) first',
              'sip_domain',
            );
          }
        }
        const updated = await store.tenants.update(tenant.id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.default_number !== undefined ? { defaultNumber: body.default_number } : {}),
          ...(body.sip_domain !== undefined ? { sipDomain: body.sip_domain } : {}),
        });
        store.changes.emit('tenant', tenant.id);
        return tenantJson(updated!);
      },
    }),
  ];
}
