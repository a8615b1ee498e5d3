// The SIP stack's view of tenants and credentials, from the store. Found credentials
// and tenants are cached: at thousands of REGISTERs a second the same phones come
// back, and a query per request would be most of the work. Changes made through this
// process (the API) clear the cache at once through the store's change feed; the TTL
// bounds how long a change made by another process (a cluster peer) takes to show.
// Misses are not cached, so a credential created anywhere works at the next attempt.
import type { Store, Tenant } from '../../store/index.js';
import type { SipCredentialRecord, SipDirectory } from '../../sip/core/sip-stack.js';
import { realmOf } from '../config/sip-credentials.js';

interface Cached<T> {
  value: T;
  until: number;
}

export class StoreSipDirectory implements SipDirectory {
  /** tenant id → username → credential (nested: no key string is built per lookup). */
  private readonly creds = new Map<string, Map<string, Cached<SipCredentialRecord>>>();
  private credCount = 0;
  private readonly tenants = new Map<string, Cached<{ tenantId: string; realm: string } | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    store.changes.on(() => this.invalidate());
  }

  /** The domain asked last and its entry: consecutive requests mostly name the same domain. */
  private lastDomain = '';
  private lastTenant: Cached<{ tenantId: string; realm: string } | undefined> | undefined;

  /** A cached tenant comes back as a value, a miss as a promise (see SipDirectory). */
  tenantFor(domain: string): { tenantId: string; realm: string } | undefined | Promise<{ tenantId: string; realm: string } | undefined> {
    const now = this.now();
    if (domain === this.lastDomain && this.lastTenant && this.lastTenant.until > now) return this.lastTenant.value;
    const key = domain.toLowerCase();
    const hit = this.tenants.get(key);
    if (hit && hit.until > now) {
      this.lastDomain = domain;
      this.lastTenant = hit;
      return hit.value;
    }
    return this.loadTenant(key);
  }

  private async loadTenant(key: string): Promise<{ tenantId: string; realm: string } | undefined> {
    let tenant: Tenant | undefined = key ? await this.store.tenants.getBySipDomain(key) : undefined;
    // A domain no tenant claims (an IP address, the server's host name) is the default tenant's.
    tenant ??= await this.store.tenants.first();
    const value = tenant ? { tenantId: tenant.id, realm: realmOf(tenant) } : undefined;
    if (this.tenants.size > 10_000) this.tenants.clear();
    this.tenants.set(key, { value, until: this.now() + this.ttlMs });
    return value;
  }

  credential(tenantId: string, username: string): SipCredentialRecord | undefined | Promise<SipCredentialRecord | undefined> {
    const hit = this.creds.get(tenantId)?.get(username);
    if (hit && hit.until > this.now()) return hit.value;
    return this.loadCredential(tenantId, username);
  }

  private async loadCredential(tenantId: string, username: string): Promise<SipCredentialRecord | undefined> {
    const row = await this.store.db
      .selectFrom('sip_credentials')
      .select(['id', 'ha1_md5', 'ha1_sha256'])
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) return undefined;
    const value = { id: row.id, ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256 };
    if (this.credCount > 100_000) this.invalidate();
    let forTenant = this.creds.get(tenantId);
    if (!forTenant) this.creds.set(tenantId, (forTenant = new Map()));
    if (!forTenant.has(username)) this.credCount++;
    forTenant.set(username, { value, until: this.now() + this.ttlMs });
    return value;
  }

  /** Forget what is cached (after credentials or tenants change in this process). */
  invalidate(): void {
    this.creds.clear();
    this.credCount = 0;
    this.lastTenant = undefined;
    this.tenants.clear();
  }
}
