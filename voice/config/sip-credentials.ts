// SIP credentials (extensions): the username/password pairs softphones register with.
// The password is kept only as digest HA1 values for the tenant's realm (RFC 7616
// §3.4.2: H(username ":" realm ":" password)), in MD5 and SHA-256, so the registrar can
// answer either algorithm and nobody can read the password back.
import { createHash } from 'node:crypto';
import type { Page, PageRequest, Store, Tenant } from '../../store/index.js';
import type { SipCredentialsTable } from '../../store/schema.js';
import { ConfigError, ConflictError } from './errors.js';
import { findReferences } from '../../store/index.js';

/** Realm of tenants that have no SIP domain of their own. */
export const DEFAULT_REALM = 'switchboard';

export interface SipCredential {
  id: string;
  tenantId: string;
  username: string;
  realm: string;
  extension: string | null;
  displayName: string | null;
  callerId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SipCredentialInput {
  username: string;
  /** Required on create and whenever the username changes. */
  password?: string;
  extension: string | null;
  displayName: string | null;
  callerId: string | null;
}

export function realmOf(tenant: Pick<Tenant, 'sipDomain'>): string {
  return tenant.sipDomain ?? DEFAULT_REALM;
}

export function ha1(algorithm: 'MD5' | 'SHA-256', username: string, realm: string, password: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(`${username}:${realm}:${password}`, 'utf8')
    .digest('hex');
}

function toCredential(r: SipCredentialsTable): SipCredential {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    username: r.username,
    realm: r.realm,
    extension: r.extension,
    displayName: r.display_name,
    callerId: r.caller_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SipCredentialService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.credentials;
  }

  private async checkUnique(tenantId: string, input: SipCredentialInput, selfId?: string): Promise<void> {
    const errors = new ConfigError();
    const byUser = await this.store.db
      .selectFrom('sip_credentials')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('username', '=', input.username)
      .executeTakeFirst();
    if (byUser && byUser.id !== selfId) errors.add('username', 'taken', `username ${input.username} is already in use`);
    if (input.extension !== null) {
      const byExt = await this.store.db
        .selectFrom('sip_credentials')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('extension', '=', input.extension)
        .executeTakeFirst();
      if (byExt && byExt.id !== selfId) errors.add('extension', 'taken', `extension ${input.extension} is already in use`);
    }
    errors.throwIfAny();
  }

  private hashes(username: string, realm: string, password: string) {
    return { ha1_md5: ha1('MD5', username, realm, password), ha1_sha256: ha1('SHA-256', username, realm, password) };
  }

  async create(tenant: Tenant, input: SipCredentialInput): Promise<SipCredential> {
    if (input.password === undefined) throw new ConfigError().add('password', 'required', 'password is required');
    await this.checkUnique(tenant.id, input);
    const realm = realmOf(tenant);
    const row = await this.repo.insert(tenant.id, {
      username: input.username,
      realm,
      ...this.hashes(input.username, realm, input.password),
      extension: input.extension,
      display_name: input.displayName,
      caller_id: input.callerId,
    });
    this.store.changes.emit('sip_credential', tenant.id);
    return toCredential(row);
  }

  async get(tenantId: string, id: string): Promise<SipCredential | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toCredential(r);
  }

  async list(tenantId: string, page: PageRequest, filter: { extension?: string; username?: string }): Promise<Page<SipCredential>> {
    const p = await this.repo.list(tenantId, page, { extension: filter.extension, username: filter.username });
    return { ...p, items: p.items.map(toCredential) };
  }

  async update(
    tenant: Tenant,
    id: string,
    patch: (current: SipCredentialInput) => SipCredentialInput,
  ): Promise<SipCredential | undefined> {
    const row = await this.repo.get(tenant.id, id);
    if (!row) return undefined;
    const cur = toCredential(row);
    const merged = patch({ username: cur.username, extension: cur.extension, displayName: cur.displayName, callerId: cur.callerId });
    if (merged.username !== cur.username && merged.password === undefined) {
      // The HA1 values bind the username; without the password they cannot be redone.
      throw new ConfigError().add('password', 'required', 'password is required when the username changes');
    }
    await this.checkUnique(tenant.id, merged, id);
    if (cur.extension !== null && merged.extension !== cur.extension) {
      // IVR transfer nodes dial extensions by number: moving one would strand them.
      const refs = (await findReferences(this.store.db, tenant.id, 'sip_credential', id, { username: '', extension: cur.extension }))
        .filter((r) => r.kind === 'ivr_flow');
      if (refs.length > 0) {
        throw new ConflictError(
          'RESOURCE_IN_USE',
          `extension ${cur.extension} is dialled by IVR flow ${refs.map((r) => `"${r.label}" (${r.id})`).join(', ')}`,
          'extension',
        );
      }
    }
    const realm = realmOf(tenant);
    const updated = await this.repo.update(tenant.id, id, {
      username: merged.username,
      extension: merged.extension,
      display_name: merged.displayName,
      caller_id: merged.callerId,
      ...(merged.password !== undefined ? { realm, ...this.hashes(merged.username, realm, merged.password) } : {}),
    });
    this.store.changes.emit('sip_credential', tenant.id);
    return updated && toCredential(updated);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const deleted = await this.repo.delete(tenantId, id);
    this.store.changes.emit('sip_credential', tenantId);
    return deleted;
  }

  async count(tenantId: string): Promise<number> {
    return this.repo.count(tenantId);
  }
}
