// /api/v1/webhooks: the signing secret, a test event, and the delivery log of the
// tenant's outbox (what was sent where, how often, and why it failed).
import { z } from 'zod';
import { ApiError, notFound } from '../errors.js';
import { defineRoute, pageQuery, type AnyRouteSpec } from '../route.js';
import { DELIVERY_STATUSES, TEST_EVENT_TYPE, type DeliveryRow, type DeliveryStatus, type Webhooks } from '../../voice/webhooks/index.js';
import { idParams } from './voice/common.js';

const deliverySchema = z.object({
  id: z.string().describe('Delivery id (whd_...)'),
  event_id: z.string().describe('The event\'s id (evt_...), also sent as Switchboard-Event-Id; the same on every attempt'),
  event_type: z.string(),
  url: z.string().describe('Where it is sent'),
  status: z.enum(DELIVERY_STATUSES).describe('pending (waiting for its next attempt), delivering, delivered, failed (gave up)'),
  attempts: z.number().int().describe('Attempts made so far'),
  max_attempts: z.number().int(),
  next_attempt_at: z.string().nullable().describe('When the next attempt is due; null unless pending'),
  last_attempt_at: z.string().nullable(),
  last_status_code: z.number().int().nullable().describe("The receiver's HTTP status on the last attempt; null if it did not answer"),
  last_error: z.string().nullable().describe('Why the last attempt failed'),
  give_up_at: z.string().describe('No attempt starts after this'),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
  payload: z.unknown().describe('The event body sent (the exact bytes are its compact JSON)'),
});

const secretSchema = z.object({
  secret: z.string().describe('whsec_... : the HMAC-SHA256 key of Switchboard-Signature, as UTF-8'),
});

const listQuery = pageQuery.extend({
  status: z.enum(DELIVERY_STATUSES).optional().describe('Only deliveries in this status'),
  event_type: z.string().min(1).max(100).optional().describe('Only this event type, e.g. call.completed'),
});

const TAG = 'Webhooks';

function deliveryJson(r: DeliveryRow, maxAttempts: number): z.infer<typeof deliverySchema> {
  return {
    id: r.id,
    event_id: r.event_id,
    event_type: r.event_type,
    url: r.url,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    max_attempts: maxAttempts,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    last_attempt_at: r.last_attempt_at,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    give_up_at: r.give_up_at,
    created_at: r.created_at,
    delivered_at: r.delivered_at,
    payload: JSON.parse(r.payload) as unknown,
  };
}

export function webhookRoutes(webhooks: Webhooks, now: () => Date = () => new Date()): AnyRouteSpec[] {
  const { outbox, secrets, publisher, dispatcher, policy } = webhooks;
  const json = (r: DeliveryRow): z.infer<typeof deliverySchema> => deliveryJson(r, policy.maxAttempts);
  return [
    defineRoute({
      method: 'get',
      path: '/webhooks/secret',
      summary: 'Get the webhook signing secret',
      description: 'The key of the `Switchboard-Signature` HMAC. Made on first use; see docs/webhooks.md for verification.',
      tag: TAG,
      scope: 'admin',
      response: secretSchema,
      handler: async ({ auth }) => ({ secret: (await secrets.get(auth.tenant.id))! }),
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/secret/rotate',
      summary: 'Replace the webhook signing secret',
      description:
        'Returns the new secret. Every request sent from now on, including retries of events queued earlier, ' +
        'is signed with the new secret only; the old one signs nothing more.',
      tag: TAG,
      scope: 'admin',
      response: secretSchema,
      handler: async ({ auth }) => ({ secret: await secrets.rotate(auth.tenant.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/test',
      summary: "Send a webhook.test event to the tenant's webhook_url",
      description: '409 WEBHOOK_URL_NOT_SET when the tenant has no webhook_url (PATCH /api/v1/tenant).',
      tag: TAG,
      scope: 'voice:write',
      status: 202,
      response: deliverySchema,
      handler: async ({ auth }) => {
        const row = await publisher.publish(auth.tenant.id, {
          type: TEST_EVENT_TYPE,
          data: { message: 'Test event from Switchboard: your endpoint is reachable and can verify signatures.' },
        });
        if (!row) {
          throw new ApiError(409, 'WEBHOOK_URL_NOT_SET', 'Set webhook_url on the tenant (PATCH /api/v1/tenant) first', [
            { field: 'webhook_url', code: 'WEBHOOK_URL_NOT_SET', message: 'the tenant has no webhook_url' },
          ]);
        }
        return json(row);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/deliveries',
      summary: 'List webhook deliveries, newest first',
      tag: TAG,
      scope: 'voice:read',
      query: listQuery,
      response: deliverySchema,
      list: true,
      handler: async ({ query, auth }) => {
        const page = await outbox.list(auth.tenant.id, query, { status: query.status, eventType: query.event_type });
        return { ...page, items: page.items.map(json) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/deliveries/{id}',
      summary: 'Get a webhook delivery',
      tag: TAG,
      scope: 'voice:read',
      params: idParams('whd'),
      response: deliverySchema,
      handler: async ({ params, auth }) => {
        const r = await outbox.get(auth.tenant.id, params.id);
        if (!r) throw notFound('Delivery');
        return json(r);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/deliveries/{id}/retry',
      summary: 'Send a failed delivery again',
      description:
        'Only a `failed` delivery: it becomes pending, due now, with its attempts and its 24-hour window started ' +
        'over. Same event id and body. Others answer 409 DELIVERY_NOT_FAILED.',
      tag: TAG,
      scope: 'voice:write',
      params: idParams('whd'),
      response: deliverySchema,
      handler: async ({ params, auth }) => {
        const r = await outbox.get(auth.tenant.id, params.id);
        if (!r) throw notFound('Delivery');
        const at = now();
        const requeued = await outbox.requeue(auth.tenant.id, params.id, at, new Date(at.getTime() + policy.maxAgeMs));
        if (!requeued) {
          throw new ApiError(409, 'DELIVERY_NOT_FAILED', `Delivery ${params.id} is ${r.status}; only a failed delivery can be retried`);
        }
        dispatcher.wake();
        return json(requeued);
      },
    }),
  ];
}
