// Each tenant's call limits: how many calls it may have up at once and how many it may
// start per second. A tenant that never chose takes the server's defaults (a null
// column), so raising a default reaches every such tenant without a migration.
import type { Store } from '../../store/index.js';

export interface CallLimitValues {
  maxConcurrentCalls: number;
  maxCallsPerSecond: number;
}

/**
 * Generous enough for a small contact centre, low enough that a runaway dialler or a
 * toll-fraud burst is stopped; raise them per tenant with PATCH /api/v1/tenant.
 */
export const DEFAULT_CALL_LIMITS: Readonly<CallLimitValues> = { maxConcurrentCalls: 500, maxCallsPerSecond: 50 };

/** Accepted values (inclusive). */
export const CALL_LIMIT_RANGES = {
  maxConcurrentCalls: { min: 1, max: 100_000 },
  maxCallsPerSecond: { min: 1, max: 10_000 },
} as const;

/** null resets a limit to the default; undefined leaves it. */
export type CallLimitPatch = Partial<{ maxConcurrentCalls: number | null; maxCallsPerSecond: number | null }>;

export class CallLimitSettings {
  constructor(
    private readonly store: Pick<Store, 'db' | 'now'>,
    private readonly defaults: Readonly<CallLimitValues> = DEFAULT_CALL_LIMITS,
  ) {}

  async get(tenantId: string): Promise<CallLimitValues> {
    const r = await this.store.db.selectFrom('tenant_call_limits').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return {
      maxConcurrentCalls: r?.max_concurrent_calls ?? this.defaults.maxConcurrentCalls,
      maxCallsPerSecond: r?.max_calls_per_second ?? this.defaults.maxCallsPerSecond,
    };
  }

  async set(tenantId: string, p: CallLimitPatch): Promise<CallLimitValues> {
    const set: { max_concurrent_calls?: number | null; max_calls_per_second?: number | null } = {};
    if (p.maxConcurrentCalls !== undefined) set.max_concurrent_calls = p.maxConcurrentCalls;
    if (p.maxCallsPerSecond !== undefined) set.max_calls_per_second = p.maxCallsPerSecond;
    if (Object.keys(set).length > 0) {
      const at = this.store.now().toISOString();
      await this.store.db
        .insertInto('tenant_call_limits')
        .values({ tenant_id: tenantId, max_concurrent_calls: null, max_calls_per_second: null, ...set, updated_at: at })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...set, updated_at: at }))
        .execute();
    }
    return this.get(tenantId);
  }
}
