// /api/v1/voice/voicemails (spec §6): the messages callers left, across the tenant's
// boxes. Lists carry meta.pagination {cursor, has_more, total} as the seed shows; a
// message's recording_url is a signed 24 h download URL (voice/voicemail/voicemail-urls.ts)
// served by the route below without an API key, like call recordings.
import type { Request, Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../../store/index.js';
import {
  messageJson,
  VoicemailMessages,
  VoicemailUrlSigner,
  type VoicemailMessageView,
} from '../../../voice/voicemail/index.js';
import { notFound, validationFailed } from '../../errors.js';
import { signedDownloadHandler } from '../../signed-download.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../../route.js';
import { idParams, type VoiceRouteContext } from './common.js';

const TAG = 'Voicemail';
const params = idParams('vmsg');

const messageSchema = z.object({
  id: z.string(),
  voicemail_id: z.string(),
  caller: z.string(),
  duration_seconds: z.number().describe('Length of the message in seconds, to a tenth'),
  transcription: z.string().nullable().describe('The words of the message; null until transcribed, or when transcription is off or failed'),
  recording_url: z.string().nullable().describe('Signed download URL of the WAV, valid 24 h, no API key needed'),
  listened: z.boolean(),
  created_at: z.string(),
  callee: z.string().nullable().describe('The number or extension that was called'),
  direction: z.enum(['inbound', 'outbound']),
  call_id: z.string().nullable(),
  transcription_status: z.enum(['none', 'pending', 'completed', 'failed']),
});

const listQuery = pageQuery.extend({
  voicemail_id: z
    .string()
    .regex(/^vmail_[0-9a-z]+$/, 'must be a vmail_ id')
    .optional()
    .describe('Only messages of this box'),
  status: z.enum(['unread', 'read']).optional().describe('unread: not yet listened to; read: listened to'),
  unread: z.enum(['true', 'false']).optional().describe('true: the same as status=unread; false: status=read'),
  direction: z.enum(['inbound', 'outbound']).optional(),
});

/** Where the client reached us: signed URLs point there. */
function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function voicemailRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  const messages = new VoicemailMessages(ctx.store);
  const signer = VoicemailUrlSigner.forStore(ctx.store);
  const json = (m: VoicemailMessageView, req: Request) => messageJson(m, signer.sign(m.id, baseUrlOf(req)).url);

  return [
    defineRoute({
      method: 'get',
      path: '/voicemails',
      summary: 'List voicemail messages',
      description:
        'Newest first, across the tenant\'s boxes. `meta.pagination` carries `cursor`, `has_more` and `total` ' +
        '(messages matching the filters on every page).',
      tag: TAG,
      scope: 'voice:read',
      query: listQuery,
      response: messageSchema,
      list: true,
      handler: async ({ query, auth, req }) => {
        let unread: boolean | undefined = query.status === undefined ? undefined : query.status === 'unread';
        if (query.unread !== undefined) {
          const u = query.unread === 'true';
          if (unread !== undefined && unread !== u) {
            throw validationFailed([
              { field: 'unread', location: 'query', code: 'conflict', message: `unread=${query.unread} contradicts status=${query.status}` },
            ]);
          }
          unread = u;
        }
        const page = await messages.list(
          auth.tenant.id,
          { voicemailId: query.voicemail_id, unread, direction: query.direction },
          query,
        );
        return {
          items: page.items.map((m) => json(m, req)),
          cursor: page.cursor,
          hasMore: page.hasMore,
          // The seed's list meta: { pagination: { cursor, has_more, total } }.
          meta: { pagination: { cursor: page.cursor, has_more: page.hasMore, total: page.total } },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/voicemails/{id}',
      summary: 'Get a voicemail message',
      tag: TAG,
      scope: 'voice:read',
      params,
      response: messageSchema,
      handler: async ({ params: p, auth, req }) => {
        const m = await messages.get(auth.tenant.id, p.id);
        if (!m) throw notFound('Voicemail message');
        return json(m, req);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/voicemails/{id}/read',
      summary: 'Mark a voicemail message as read',
      description: 'Sets `listened` to true; marking a read message again changes nothing.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: messageSchema,
      handler: async ({ params: p, auth, req }) => {
        const m = await messages.markRead(auth.tenant.id, p.id);
        if (!m) throw notFound('Voicemail message');
        return json(m, req);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/voicemails/{id}',
      summary: 'Delete a voicemail message',
      description: 'Deletes the message and its recording file; its signed URLs stop working.',
      tag: TAG,
      scope: 'voice:write',
      params,
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      handler: async ({ params: p, auth }) => {
        const out = await messages.delete(auth.tenant.id, p.id);
        if (!out.deleted) throw notFound('Voicemail message');
        if (out.fileError) {
          ctx.logger.warn({ tenant: auth.tenant.id, voicemail: p.id, error: out.fileError }, 'voicemail deleted; its file could not be removed');
        }
        return { id: p.id, deleted: true as const };
      },
    }),
  ];
}

export const VOICEMAIL_DOWNLOAD_ROUTE = '/api/v1/voice/voicemails/{id}/recording';
const EXPRESS_PATH = '/api/v1/voice/voicemails/:id/recording';

type DownloadStore = Pick<Store, 'db' | 'secrets' | 'now' | 'dataDir'>;

/**
 * GET /api/v1/voice/voicemails/{vmsg_id}/recording?expires=…&signature=… streams the WAV.
 * The signature is the permission (403 when missing, wrong or expired); a genuine URL of
 * a deleted message is 404. Mounted on the app BEFORE the /api router, like recordings.
 */
export function mountVoicemailDownload(router: Pick<Router, 'get'>, store: DownloadStore): void {
  const signer = VoicemailUrlSigner.forStore(store);
  const messages = new VoicemailMessages(store);
  const handler = signedDownloadHandler({
    route: VOICEMAIL_DOWNLOAD_ROUTE,
    what: 'voicemail',
    freshFrom: 'GET /api/v1/voice/voicemails/{id}',
    missing: 'Voicemail message',
    missingFile: 'Voicemail recording',
    verify: (id, expires, signature) => signer.verify(id, expires, signature),
    find: async (id) => {
      // The signature names the message, so the row is found by id alone (any tenant).
      const row = await store.db.selectFrom('voicemail_messages').select(['id', 'recording_path']).where('id', '=', id).executeTakeFirst();
      const file = row && messages.audioFile(row.recording_path);
      return file ? { path: file, contentType: 'audio/wav', filename: `${id}.wav` } : undefined;
    },
    now: () => store.now(),
  });
  router.get(EXPRESS_PATH, handler);
}
