// First start: the data directory has no tenant yet, so one is created with an API
// key. The key is returned to the caller to print once; it is never logged.
import type { Store } from '../store/index.js';

export interface FirstStart {
  tenantId: string;
  /** The generated key, or undefined when SWITCHBOARD_API_KEY was adopted. */
  generatedKey: string | undefined;
}

export async function ensureFirstTenant(store: Store, adoptKey: string | undefined): Promise<FirstStart | undefined> {
  const first = await store.tenants.first();
  if (first) {
    // An operator may set SWITCHBOARD_API_KEY after the first start: it is added to
    // the first tenant, unless that key was stored before (and perhaps revoked).
    if (adoptKey && !(await store.apiKeys.exists(adoptKey))) {
      await store.apiKeys.create({ tenantId: first.id, name: 'SWITCHBOARD_API_KEY', secret: adoptKey });
    }
    return undefined;
  }
  const tenant = await store.tenants.create({ name: 'default' });
  const created = await store.apiKeys.create({
    tenantId: tenant.id,
    name: adoptKey ? 'SWITCHBOARD_API_KEY' : 'first-start',
    ...(adoptKey ? { secret: adoptKey } : {}),
  });
  return { tenantId: tenant.id, generatedKey: adoptKey ? undefined : created.secret };
}
