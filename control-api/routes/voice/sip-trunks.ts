// /api/v1/voice/sip-trunks (spec §3).
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import {
  DEFAULT_CODECS,
  ENCRYPTIONS,
  isSipUri,
  KNOWN_CODECS,
  SipTrunkService,
  type Codec,
  type SipTrunk,
} from '../../../voice/config/sip-trunks.js';
import { httpUrl, idParams, resourceName, type VoiceRouteContext } from './common.js';

const sipUri = z.string().max(512).refine(isSipUri, 'must be a sip: or sips: URI, e.g. sip:trunk.carrier.com:5060');

const codecs = z
  .array(
    z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(KNOWN_CODECS, { error: `must be one of ${KNOWN_CODECS.join(', ')}` })),
  )
  .min(1)
  .max(KNOWN_CODECS.length)
  .refine((a) => new Set(a).size === a.length, 'must not repeat a codec')
  .describe('Audio codecs in priority order');

const holdMusic = z
  .union([z.enum(['default', 'silence']), httpUrl])
  .describe('"default" (built-in music), "silence", or an http(s) URL of a WAV or MP3 file');

const fields = {
  name: resourceName(),
  termination_uri: sipUri.describe('Where outbound calls go, e.g. sip:trunk.carrier.com:5060'),
  origination_uris: z.array(sipUri).max(50).describe('SIP URIs whose hosts may send inbound calls on this trunk'),
  auth_username: z.string().min(1).max(128).nullable().describe('Digest username towards the carrier'),
  auth_password: z.string().min(1).max(256).nullable().describe('Digest password towards the carrier; never returned'),
  codecs,
  encryption: z.enum(ENCRYPTIONS).describe('tls_srtp: SIP over TLS and SRTP media; tls: signalling only; none'),
  hold_music: holdMusic,
  register: z.boolean().describe('REGISTER to the carrier with the credentials'),
};

const createBody = z.object({
  name: fields.name,
  termination_uri: fields.termination_uri,
  origination_uris: fields.origination_uris.default([]),
  auth_username: fields.auth_username.optional(),
  auth_password: fields.auth_password.optional(),
  codecs: fields.codecs.default([...DEFAULT_CODECS]),
  encryption: fields.encryption.default('none'),
  hold_music: fields.hold_music.default('default'),
  register: fields.register.default(false),
});

const updateBody = z.object({
  name: fields.name.optional(),
  termination_uri: fields.termination_uri.optional(),
  origination_uris: fields.origination_uris.optional(),
  auth_username: fields.auth_username.optional(),
  auth_password: fields.auth_password.optional(),
  codecs: fields.codecs.optional(),
  encryption: fields.encryption.optional(),
  hold_music: fields.hold_music.optional(),
  register: fields.register.optional(),
});

const trunkSchema = z.object({
  id: z.string(),
  name: z.string(),
  termination_uri: z.string(),
  origination_uris: z.array(z.string()),
  auth_username: z.string().nullable(),
  auth_password_set: z.boolean().describe('Whether a password is stored (it is never returned)'),
  status: z.string().describe('active'),
  codecs: z.array(z.enum(KNOWN_CODECS)),
  encryption: z.enum(ENCRYPTIONS),
  hold_music: z.string(),
  register: z.boolean(),
  registration: z
    .object({
      status: z.enum(['registering', 'registered', 'failed', 'unregistered']),
      expires_at: z.string().nullable(),
      last_error: z.string().nullable(),
    })
    .nullable()
    .describe('Where the REGISTER to the carrier stands; null unless register is true (docs/trunks.md)'),
  created_at: z.string(),
  updated_at: z.string(),
});

function trunkJson(t: SipTrunk): z.infer<typeof trunkSchema> {
  return {
    id: t.id,
    name: t.name,
    termination_uri: t.terminationUri,
    origination_uris: t.originationUris,
    auth_username: t.authUsername,
    auth_password_set: t.hasAuthPassword,
    status: t.status,
    codecs: t.codecs,
    encryption: t.encryption,
    hold_music: t.holdMusic,
    register: t.register,
    registration: t.registration && {
      status: t.registration.status,
      expires_at: t.registration.expiresAt,
      last_error: t.registration.lastError,
    },
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

const params = idParams('trunk');
const TAG = 'SIP trunks';

export function sipTrunkRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const trunks = new SipTrunkService(ctx.store);
  return [
    defineRoute({
      method: 'post',
      path: '/sip-trunks',
      summary: 'Create a SIP trunk',
      tag: TAG,
      scope: 'voice:write',
      body: createBody,
      response: trunkSchema,
      status: 201,
      handler: async ({ body, auth }) =>
        trunkJson(
          await trunks.create(auth.tenant.id, {
            name: body.name,
            terminationUri: body.termination_uri,
            originationUris: body.origination_uris,
            authUsername: body.auth_username ?? null,
            authPassword: body.auth_password ?? null,
            codecs: body.codecs as Codec[],
            encryption: body.encryption,
            holdMusic: body.hold_music,
            register: body.register,
          }),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/sip-trunks',
      summary: 'List SIP trunks',
      tag: TAG,
      scope: 'voice:read',
      query: pageQuery,
      response: trunkSchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await trunks.list(auth.tenant.id, query);
        return { ...page, items: page.items.map(trunkJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sip-trunks/{id}',
      summary: 'Get a SIP trunk',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: trunkSchema,
      handler: async ({ params: p, auth }) => {
        const t = await trunks.get(auth.tenant.id, p.id);
        if (!t) throw notFound('SIP trunk');
        return trunkJson(t);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/sip-trunks/{id}',
      summary: 'Update a SIP trunk',
      description: 'Fields left out keep their values. `auth_password: null` removes the stored password.',
      tag: TAG,
      scope: 'voice:write',
      params,
      body: updateBody,
      response: trunkSchema,
      handler: async ({ params: p, body, auth }) => {
        const t = await trunks.update(auth.tenant.id, p.id, (cur) => ({
          name: body.name ?? cur.name,
          terminationUri: body.termination_uri ?? cur.terminationUri,
          originationUris: body.origination_uris ?? cur.originationUris,
          authUsername: body.auth_username !== undefined ? body.auth_username : cur.authUsername,
          ...(body.auth_password !== undefined ? { authPassword: body.auth_password } : {}),
          codecs: (body.codecs as Codec[] | undefined) ?? cur.codecs,
          encryption: body.encryption ?? cur.encryption,
          holdMusic: body.hold_music ?? cur.holdMusic,
          register: body.register ?? cur.register,
        }));
        if (!t) throw notFound('SIP trunk');
        return trunkJson(t);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/sip-trunks/{id}',
      summary: 'Delete a SIP trunk',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        if (!(await trunks.delete(auth.tenant.id, p.id))) throw notFound('SIP trunk');
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}
