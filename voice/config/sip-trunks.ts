// SIP trunks: where outbound calls go (termination_uri), who may send us inbound
// calls (origination_uris), how we authenticate to the carrier and what we offer.
import type { Page, PageRequest, Store } from '../../store/index.js';
import type { SipTrunksTable } from '../../store/schema.js';
import { parseSipUri } from '../../sip/uri.js';

export { isSipUri } from '../../sip/uri.js';
import { ConfigError } from './errors.js';

export const KNOWN_CODECS = ['PCMU', 'PCMA', 'G722', 'OPUS'] as const;
export type Codec = (typeof KNOWN_CODECS)[number];
export const DEFAULT_CODECS: Codec[] = ['PCMU', 'PCMA', 'OPUS'];
export const ENCRYPTIONS = ['tls_srtp', 'tls', 'none'] as const;
export type Encryption = (typeof ENCRYPTIONS)[number];

/** Where Switchboard's REGISTER to the carrier stands (docs/trunks.md), for `register: true` trunks. */
export interface TrunkRegistrationState {
  /** registering (first attempt under way), registered, failed (retrying with backoff), unregistered. */
  status: 'registering' | 'registered' | 'failed' | 'unregistered';
  /** When the carrier's binding runs out unless refreshed (registered only). */
  expiresAt: string | null;
  /** The last failure ("403 Forbidden", "408 no response from the registrar"...). */
  lastError: string | null;
}

export interface SipTrunk {
  id: string;
  tenantId: string;
  name: string;
  terminationUri: string;
  originationUris: string[];
  authUsername: string | null;
  hasAuthPassword: boolean;
  codecs: Codec[];
  encryption: Encryption;
  /** "default" (built-in music), "silence", or an http(s) URL of a WAV/MP3 file. */
  holdMusic: string;
  register: boolean;
  /** null unless `register` is on. */
  registration: TrunkRegistrationState | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface SipTrunkInput {
  name: string;
  terminationUri: string;
  originationUris: string[];
  authUsername: string | null;
  /** undefined on update: keep the stored password. null: remove it. */
  authPassword?: string | null;
  codecs: Codec[];
  encryption: Encryption;
  holdMusic: string;
  register: boolean;
}

function toTrunk(r: SipTrunksTable): SipTrunk {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    terminationUri: r.termination_uri,
    originationUris: JSON.parse(r.origination_uris) as string[],
    authUsername: r.auth_username,
    hasAuthPassword: r.auth_password_enc !== null,
    codecs: JSON.parse(r.codecs) as Codec[],
    encryption: r.encryption as Encryption,
    holdMusic: r.hold_music,
    register: r.register === 1,
    registration: r.register === 1 ? registrationOf(r) : null,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function registrationOf(r: SipTrunksTable): TrunkRegistrationState {
  return {
    // Not tried yet: the registration loop picks a trunk up within seconds of its change.
    status: (r.registration_status ?? 'registering') as TrunkRegistrationState['status'],
    expiresAt: r.registration_status === 'registered' ? r.registration_expires_at : null,
    lastError: r.registration_error,
  };
}

export class SipTrunkService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.trunks;
  }

  /** Rules across fields, checked on the merged state of a create or an update. */
  private check(input: SipTrunkInput, passwordStored: boolean): void {
    const errors = new ConfigError();
    const hasPassword = input.authPassword === undefined ? passwordStored : input.authPassword !== null;
    if (input.authUsername && !hasPassword) {
      errors.add('auth_password', 'required', 'auth_password is required with auth_username');
    }
    if (!input.authUsername && hasPassword) {
      errors.add('auth_username', 'required', 'auth_username is required with auth_password');
    }
    if (input.register && !input.authUsername) {
      errors.add('register', 'needs_credentials', 'registering to the carrier needs auth_username and auth_password');
    }
    if (parseSipUri(input.terminationUri).scheme === 'sips' && input.encryption === 'none') {
      errors.add('encryption', 'conflict', 'a sips: termination_uri needs encryption tls or tls_srtp');
    }
    errors.throwIfAny();
  }

  private values(input: SipTrunkInput, sealed: string | null) {
    return {
      name: input.name,
      termination_uri: input.terminationUri,
      origination_uris: JSON.stringify(input.originationUris),
      auth_username: input.authUsername,
      auth_password_enc: sealed,
      codecs: JSON.stringify(input.codecs),
      encryption: input.encryption,
      hold_music: input.holdMusic,
      register: input.register ? 1 : 0,
      status: 'active',
    };
  }

  async create(tenantId: string, input: SipTrunkInput): Promise<SipTrunk> {
    this.check(input, false);
    const sealed = input.authPassword ? this.store.secrets.seal(input.authPassword) : null;
    const noRegistration = { registration_status: null, registration_expires_at: null, registration_error: null };
    return toTrunk(await this.repo.insert(tenantId, { ...this.values(input, sealed), ...noRegistration }));
  }

  async get(tenantId: string, id: string): Promise<SipTrunk | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toTrunk(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<SipTrunk>> {
    const p = await this.repo.list(tenantId, page);
    return { ...p, items: p.items.map(toTrunk) };
  }

  /** Applies a partial update; fields left out keep their values. */
  async update(
    tenantId: string,
    id: string,
    patch: (current: SipTrunkInput) => SipTrunkInput,
  ): Promise<SipTrunk | undefined> {
    const row = await this.repo.get(tenantId, id);
    if (!row) return undefined;
    const t = toTrunk(row);
    const merged = patch({
      name: t.name,
      terminationUri: t.terminationUri,
      originationUris: t.originationUris,
      authUsername: t.authUsername,
      codecs: t.codecs,
      encryption: t.encryption,
      holdMusic: t.holdMusic,
      register: t.register,
    });
    this.check(merged, row.auth_password_enc !== null);
    let sealed = row.auth_password_enc;
    if (merged.authPassword !== undefined) {
      sealed = merged.authPassword === null ? null : this.store.secrets.seal(merged.authPassword);
    }
    // A change of where or how we register starts the registration over (voice/trunks/ re-registers).
    const rebind =
      merged.register !== t.register ||
      merged.terminationUri !== t.terminationUri ||
      merged.authUsername !== t.authUsername ||
      merged.encryption !== t.encryption ||
      sealed !== row.auth_password_enc;
    const reset = rebind ? { registration_status: null, registration_expires_at: null, registration_error: null } : {};
    return toTrunk((await this.repo.update(tenantId, id, { ...this.values(merged, sealed), ...reset }))!);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.repo.delete(tenantId, id);
  }

  /** The carrier credentials, for digest authentication towards the carrier. */
  async credentials(tenantId: string, id: string): Promise<{ username: string; password: string } | undefined> {
    const r = await this.repo.get(tenantId, id);
    if (!r?.auth_username || !r.auth_password_enc) return undefined;
    return { username: r.auth_username, password: this.store.secrets.unseal(r.auth_password_enc) };
  }
}
