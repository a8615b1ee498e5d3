// GET and PATCH /api/v1/tenant: the tenant the caller's key belongs to.
import { z } from 'zod';
import type { Store, Tenant } from '../../store/index.js';
import { NumberService } from '../../voice/config/numbers.js';
import { ConfigError, ConflictError } from '../../voice/config/errors.js';
import { defineRoute, type AnyRouteSpec } from '../route.js';
import { CALL_LIMIT_RANGES, CallLimitSettings, type CallLimitValues } from '../../voice/calls/call-limit-settings.js';
import { e164, httpUrl } from './voice/common.js';

export const tenantSchema = z.object({
  id: z.string().describe('Tenant id (ten_...)'),
  name: z.string(),
  sip_domain: z.string().nullable().describe('SIP domain whose REGISTER and INVITE requests belong to this tenant'),
  default_number: z.string().nullable().describe("Caller id of outbound calls whose `from` is omitted; one of the tenant's numbers"),
  webhook_url: z
    .string()
    .nullable()
    .describe("Receives signed call status events (docs/webhooks.md) unless the number's route sets its own webhook_url"),
  created_at: z.string(),
  updated_at: z.string(),
});

export function tenantJson(t: Tenant): z.infer<typeof tenantSchema> {
  return {
    id: t.id,
    name: t.name,
    sip_domain: t.sipDomain,
    default_number: t.defaultNumber,
    webhook_url: t.webhookUrl,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

const hostname = z
  .string()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i, 'must be a DNS name such as sip.example.com')
  .transform((s) => s.toLowerCase());

// Call limits (voice/calls/call-limits.ts) live in their own table; null on PATCH restores the default.
const callLimitFields = {
  max_concurrent_calls: z
    .number()
    .int()
    .min(CALL_LIMIT_RANGES.maxConcurrentCalls.min)
    .max(CALL_LIMIT_RANGES.maxConcurrentCalls.max)
    .describe('Calls the tenant may have up at once; beyond it new calls get 503 (SIP) or 429 (API) with Retry-After'),
  max_calls_per_second: z
    .number()
    .int()
    .min(CALL_LIMIT_RANGES.maxCallsPerSecond.min)
    .max(CALL_LIMIT_RANGES.maxCallsPerSecond.max)
    .describe('New calls per second (token bucket, bursts up to one second of calls)'),
};
const tenantWithLimitsSchema = tenantSchema.extend(callLimitFields);
const withLimits = (t: z.infer<typeof tenantSchema>, l: CallLimitValues): z.infer<typeof tenantWithLimitsSchema> => ({
  ...t,
  max_concurrent_calls: l.maxConcurrentCalls,
  max_calls_per_second: l.maxCallsPerSecond,
});

const patchBody = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  default_number: e164.nullable().optional(),
  sip_domain: hostname.nullable().optional(),
  webhook_url: httpUrl.nullable().optional(),
  max_concurrent_calls: callLimitFields.max_concurrent_calls.nullable().optional(),
  max_calls_per_second: callLimitFields.max_calls_per_second.nullable().optional(),
});

export function tenantRoutes(store: Store): AnyRouteSpec[] {
  const numbers = new NumberService(store);
  const callLimits = new CallLimitSettings(store);
  return [
    defineRoute({
      method: 'get',
      path: '/tenant',
      summary: "Get the caller's tenant",
      tag: 'Tenant',
      scope: 'voice:read',
      response: tenantWithLimitsSchema,
      handler: async ({ auth }) =>
        withLimits(tenantJson((await store.tenants.get(auth.tenant.id)) ?? auth.tenant), await callLimits.get(auth.tenant.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/tenant',
      summary: "Change the caller's tenant",
      description:
        '`default_number` must be one of the tenant\'s numbers (PUT /api/v1/numbers/{number}). `sip_domain` can ' +
        'change only while the tenant has no SIP credentials, because their stored digests bind the realm. ' +
        '`webhook_url` (http or https, or null) receives call status events (docs/webhooks.md).',
      tag: 'Tenant',
      scope: 'admin',
      body: patchBody,
      response: tenantWithLimitsSchema,
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
          ...(body.webhook_url !== undefined ? { webhookUrl: body.webhook_url } : {}),
        });
        const limits = await callLimits.set(tenant.id, {
          maxConcurrentCalls: body.max_concurrent_calls,
          maxCallsPerSecond: body.max_calls_per_second,
        });
        store.changes.emit('tenant', tenant.id);
        return withLimits(tenantJson(updated!), limits);
      },
    }),
  ];
}
