// /api/v1/voice/sip-credentials (spec §8): extensions softphones register with.
import { z } from 'zod';
import { findReferences, type RegistrationRow } from '../../../store/index.js';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import { SipCredentialService, type SipCredential } from '../../../voice/config/sip-credentials.js';
import { e164, idParams, inUse, type VoiceRouteContext } from './common.js';

const username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_", "+" or "-", starting with a letter or digit')
  .describe('SIP username (the user part of the AOR)');
const password = z.string().min(8).max(128).describe('Write-only; stored only as digest HA1 values');
const extension = z.string().regex(/^[0-9]{2,10}$/, 'must be 2-10 digits').describe('Short number dialled on-net');

const createBody = z
  .object({
    username,
    password,
    extension: extension.nullable().optional(),
    display_name: z.string().trim().min(1).max(100).nullable().optional(),
    caller_id: e164.nullable().optional().describe('Number presented on outbound calls from this extension'),
  })
  .refine((b) => b.password !== b.username, { path: ['password'], message: 'password must differ from the username' });

const updateBody = z.object({
  username: username.optional(),
  password: password.optional(),
  extension: extension.nullable().optional(),
  display_name: z.string().trim().min(1).max(100).nullable().optional(),
  caller_id: e164.nullable().optional(),
});

const credentialSchema = z.object({
  id: z.string().describe('ext_...'),
  username: z.string(),
  realm: z.string().describe('Digest realm the password was hashed for'),
  extension: z.string().nullable(),
  display_name: z.string().nullable(),
  caller_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const registrationSchema = z.object({
  contact: z.string().describe('The Contact URI the phone registered'),
  expires_at: z.string(),
  expires_in: z.number().int().describe('Seconds left'),
  user_agent: z.string().nullable(),
  transport: z.string().describe('UDP, TCP, TLS, WS or WSS'),
  source_address: z.string(),
  source_port: z.number().int(),
  updated_at: z.string(),
});

const credentialWithStateSchema = credentialSchema.extend({
  registrations: z.array(registrationSchema).describe('Live registrations (bindings that have not expired)'),
});

function registrationJson(r: RegistrationRow, now: number): z.infer<typeof registrationSchema> {
  return {
    contact: r.contact,
    expires_at: new Date(r.expires_at).toISOString(),
    expires_in: Math.max(0, Math.round((r.expires_at - now) / 1000)),
    user_agent: r.user_agent,
    transport: r.transport,
    source_address: r.source_address,
    source_port: r.source_port,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

function credentialJson(c: SipCredential): z.infer<typeof credentialSchema> {
  return {
    id: c.id,
    username: c.username,
    realm: c.realm,
    extension: c.extension,
    display_name: c.displayName,
    caller_id: c.callerId,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

const params = idParams('ext');
const TAG = 'SIP credentials';

export function sipCredentialRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const creds = new SipCredentialService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/sip-credentials',
      summary: 'Create a SIP credential (extension)',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: credentialSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        credentialJson(
          await creds.create(auth.tenant, {
            username: body.username,
            password: body.password,
            extension: body.extension ?? null,
            displayName: body.display_name ?? null,
            callerId: body.caller_id ?? null,
          }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/sip-credentials',
      summary: 'List SIP credentials',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery.extend({ extension: extension.optional(), username: username.optional() }),
      response: credentialSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await creds.list(auth.tenant.id, query, { extension: query.extension, username: query.username });
        return { ...page, items: page.items.map(credentialJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sip-credentials/{id}',
      summary: 'Get a SIP credential and its live registrations',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: credentialWithStateSchema,
      handler: async ({ params: p, auth }) => {
        const c = await creds.get(auth.tenant.id, p.id);
        if (!c) throw notFound('SIP credential');
        const now = Date.now();
        const regs = await ctx.store.registrations.byCredential(auth.tenant.id, c.id, now);
        return { ...credentialJson(c), registrations: regs.map((r) => registrationJson(r, now)) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/sip-credentials/{id}',
      summary: 'Update a SIP credential',
      description: 'Fields left out keep their values. Changing the username needs the password too.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: credentialSchema,
      handler: async ({ params: p, body, auth }) => {
        const c = await creds.update(auth.tenant, p.id, (cur) => ({
          username: body.username ?? cur.username,
          ...(body.password !== undefined ? { password: body.password } : {}),
          extension: body.extension !== undefined ? body.extension : cur.extension,
          displayName: body.display_name !== undefined ? body.display_name : cur.displayName,
          callerId: body.caller_id !== undefined ? body.caller_id : cur.callerId,
        }));
        if (!c) throw notFound('SIP credential');
        return credentialJson(c);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/sip-credentials/{id}',
      summary: 'Delete a SIP credential',
      description: 'Refused (409) while a number, ring group, agent or IVR flow refers to it.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const c = await creds.get(auth.tenant.id, p.id);
        if (!c) throw notFound('SIP credential');
        const refs = await findReferences(ctx.store.db, auth.tenant.id, 'sip_credential', c.id, c);
        if (refs.length > 0) throw inUse('SIP credential', c.id, refs);
        await creds.delete(auth.tenant.id, c.id);
        return { id: c.id, deleted: true as const };
      },
    }),
  ];
}
