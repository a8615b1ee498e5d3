// The transition hook that turns every call status change into a `call.<status>` webhook
// event, queued in the change's own unit of the group commit (spec §13): the outbox row
// commits with the change or not at all, and the dispatcher is woken once it has. The
// receiver is the URL of the tenant's number the call belongs to (the dialled number of an
// inbound call, the caller id of an outbound one) when that number's route has one, else the
// tenant's, as they are at the moment of the change.
import { CompiledQuery } from 'kysely';
import type { Executor } from '../../store/index.js';
import type { WebhookPublisher } from '../webhooks/index.js';
import type { TransitionHook } from './call-records.js';
import type { CallRecord } from './call-repository.js';
import { callView } from './call-view.js';

// Every change of every call runs this: one statement written once, rather than two built
// by the query builder each time.
const RECEIVER = `select coalesce(
  (select webhook_url from numbers where tenant_id = ? and e164 = ?),
  (select webhook_url from tenants where id = ?)) as url`;

async function receiverOf(db: Executor, call: CallRecord): Promise<string | null> {
  const number = call.direction === 'inbound' ? call.to : call.from;
  const r = await db.executeQuery<{ url: string | null }>(CompiledQuery.raw(RECEIVER, [call.tenantId, number, call.tenantId]));
  return r.rows[0]?.url ?? null;
}

/**
 * `data` is the call as GET /calls/{id} shows it, except `recording_url`: a signed URL
 * needs the host the client reached us at, so the event carries `recording_id` and the
 * receiver fetches the URL through the API.
 */
export function callWebhookHook(publisher: Pick<WebhookPublisher, 'prepare' | 'queued'>): TransitionHook {
  return async ({ call, to, at }, tx) => {
    const url = await receiverOf(tx.db, call);
    if (url === null) return;
    const row = await publisher.prepare(call.tenantId, { type: `call.${to}`, data: callView(call, new Date(at)), url }, tx.db);
    if (!row) return;
    tx.insert('webhook_outbox', row);
    tx.afterCommit(() => publisher.queued());
  };
}
