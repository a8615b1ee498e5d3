// The transition hook that turns every call status change into a `call.<status>` webhook
// event, queued in the change's own transaction (spec §13). The receiver is the URL of
// the tenant's number the call belongs to (the dialled number of an inbound call, the
// caller id of an outbound one) when that number's route has one, else the tenant's.
import type { Executor } from '../../store/index.js';
import type { WebhookPublisher } from '../webhooks/index.js';
import type { TransitionHook } from './call-records.js';
import { callView } from './call-view.js';

async function numberWebhookUrl(trx: Executor, tenantId: string, e164: string): Promise<string | null> {
  const r = await trx
    .selectFrom('numbers')
    .select('webhook_url')
    .where('tenant_id', '=', tenantId)
    .where('e164', '=', e164)
    .executeTakeFirst();
  return r?.webhook_url ?? null;
}

/**
 * `data` is the call as GET /calls/{id} shows it, except `recording_url`: a signed URL
 * needs the host the client reached us at, so the event carries `recording_id` and the
 * receiver fetches the URL through the API.
 */
export function callWebhookHook(publisher: Pick<WebhookPublisher, 'publish'>): TransitionHook {
  return async ({ call, to, at }, trx) => {
    const number = call.direction === 'inbound' ? call.to : call.from;
    const url = await numberWebhookUrl(trx, call.tenantId, number);
    await publisher.publish(call.tenantId, { type: `call.${to}`, data: callView(call, new Date(at)), url }, trx);
  };
}
