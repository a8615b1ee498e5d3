// The wallboard snapshot (spec §9, GET /monitoring): the tenant's calls that are up
// right now, read from the call rows (every status change commits before it is visible),
// and agent presence from the agents' status.
import type { Store } from '../../store/index.js';
import { CallRepository } from './call-repository.js';
import { durationNow } from './call-view.js';

/** The wallboard lists at most this many calls; `active_calls` still counts them all. */
export const MONITORING_MAX_CALLS = 1000;

export interface MonitoringCall {
  id: string;
  from: string;
  to: string;
  agent_id: string | null;
  duration_seconds: number;
  queue_id: string | null;
  started_at: string;
}

export interface MonitoringSnapshot {
  active_calls: number;
  queued_calls: number;
  available_agents: number;
  busy_agents: number;
  calls: MonitoringCall[];
}

/** Agents counted busy: on a call, or in after-call work (not free to take one either). */
const BUSY_PRESENCE = ['busy', 'wrap_up'];

export async function monitoringSnapshot(store: Pick<Store, 'db' | 'now'>, tenantId: string): Promise<MonitoringSnapshot> {
  const calls = new CallRepository(store.db);
  const now = store.now();
  const [live, activeCalls, presence] = await Promise.all([
    calls.live(tenantId, MONITORING_MAX_CALLS),
    calls.countLive(tenantId),
    store.db
      .selectFrom('agents')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('archived', '=', 0)
      .groupBy('status')
      .execute(),
  ]);
  const count = (statuses: string[]) => presence.filter((p) => statuses.includes(p.status)).reduce((a, p) => a + Number(p.n), 0);
  return {
    active_calls: activeCalls,
    // No queue holds callers until the queue runtime lands; then it counts its waiting callers.
    queued_calls: 0,
    available_agents: count(['available']),
    busy_agents: count(BUSY_PRESENCE),
    calls: live.map((c) => ({
      id: c.id,
      from: c.from,
      to: c.to,
      agent_id: c.agentId,
      duration_seconds: durationNow(c, now),
      queue_id: c.queueId,
      started_at: c.createdAt,
    })),
  };
}
