// The store: every repository behind one object, opened from a data directory.
import type { Kysely } from 'kysely';
import { openSqliteStore } from './db.js';
import type { GroupCommitter } from './group-committer.js';
import type { Database, ResourceTable } from './schema.js';
import { ResourceRepository } from './resource-repository.js';
import { SecretBox } from './secret-box.js';
import { SqliteRegistrationRepository, type RegistrationRepository } from './registration-repository.js';
import { randomId, type IdGenerator } from './ids.js';
import { SqlTenantRepository, type TenantRepository } from './tenant-repository.js';
import { SqlApiKeyRepository, type ApiKeyRepository } from './api-key-repository.js';
import { SqlIdempotencyRepository, type IdempotencyRepository } from './idempotency-repository.js';

/** Repositories of the Voice API's configuration resources. */
export interface Resources {
  trunks: ResourceRepository<'sip_trunks'>;
  credentials: ResourceRepository<'sip_credentials'>;
  ivrFlows: ResourceRepository<'ivr_flows'>;
  ringGroups: ResourceRepository<'ring_groups'>;
  queues: ResourceRepository<'queues'>;
  agents: ResourceRepository<'agents'>;
  calendars: ResourceRepository<'calendars'>;
  voicemailBoxes: ResourceRepository<'voicemail_boxes'>;
  voicemailMessages: ResourceRepository<'voicemail_messages'>;
  clones: ResourceRepository<'voice_clones'>;
  numbers: ResourceRepository<'numbers'>;
}

export interface Store {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyRepository;
  resources: Resources;
  registrations: RegistrationRepository;
  /** The query builder, for domain queries the repositories do not cover and transactions. */
  db: Kysely<Database>;
  /**
   * Group commit of call records (store/group-committer.ts): units of writes from many calls
   * committed together on the writer thread's own synchronous=FULL connection. A submitted
   * unit is durable, and visible to `db`, once its promise resolves.
   */
  writer: GroupCommitter;
  /** Seals secrets at rest and derives purpose keys (store/secret-box.ts). */
  secrets: SecretBox;
  /** Where recordings, voicemail and other files live. */
  dataDir: string;
  newId: IdGenerator;
  now: () => Date;
  /**
   * Changes that caches elsewhere in this process must hear about at once (the SIP
   * directory caches credentials): `emit` after the change is committed.
   */
  changes: ChangeFeed;
  /** Cheap liveness probe of the database connection. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type ChangeKind = 'sip_credential' | 'tenant';

/** A minimal in-process change feed: listeners are called synchronously, errors contained. */
export class ChangeFeed {
  private readonly listeners: ((kind: ChangeKind, tenantId: string) => void)[] = [];

  on(listener: (kind: ChangeKind, tenantId: string) => void): void {
    this.listeners.push(listener);
  }

  emit(kind: ChangeKind, tenantId: string): void {
    for (const l of this.listeners) {
      try {
        l(kind, tenantId);
      } catch {
        // A cache that fails to invalidate must not fail the write that changed the data.
      }
    }
  }
}

export interface StoreOptions {
  newId?: IdGenerator;
  now?: () => Date;
  /** Where group commits run: the writer thread (default when compiled) or inline. */
  writer?: 'thread' | 'inline' | 'auto';
}

export function createStore(
  db: Kysely<Database>,
  close: () => Promise<void>,
  dataDir: string,
  secrets: SecretBox,
  registrations: RegistrationRepository,
  writer: GroupCommitter,
  opts: StoreOptions = {},
): Store {
  const newId = opts.newId ?? randomId;
  const now = opts.now ?? (() => new Date());
  const repo = <T extends ResourceTable>(table: T, prefix: string): ResourceRepository<T> =>
    new ResourceRepository(db, table, prefix, newId, now);
  return {
    resources: {
      trunks: repo('sip_trunks', 'trunk'),
      credentials: repo('sip_credentials', 'ext'),
      ivrFlows: repo('ivr_flows', 'ivr'),
      ringGroups: repo('ring_groups', 'rg'),
      queues: repo('queues', 'queue'),
      agents: repo('agents', 'agt'),
      calendars: repo('calendars', 'cal'),
      voicemailBoxes: repo('voicemail_boxes', 'vmail'),
      voicemailMessages: repo('voicemail_messages', 'vmsg'),
      clones: repo('voice_clones', 'clone'),
      numbers: repo('numbers', 'num'),
    },
    registrations,
    changes: new ChangeFeed(),
    db,
    writer,
    secrets,
    dataDir,
    newId,
    now,
    tenants: new SqlTenantRepository(db, newId, now),
    apiKeys: new SqlApiKeyRepository(db, newId, now),
    idempotency: new SqlIdempotencyRepository(db, now),
    ping: async () => {
      await db.selectFrom('meta').select('key').limit(1).execute();
    },
    close: async () => {
      registrations.close();
      await close();
    },
  };
}

export async function openStore(dataDir: string, opts: StoreOptions = {}): Promise<Store> {
  const opened = await openSqliteStore(dataDir, opts.writer ? { writer: opts.writer } : {});
  return createStore(opened.db, opened.close, dataDir, SecretBox.open(dataDir), new SqliteRegistrationRepository(dataDir), opened.writer, opts);
}

export type { Tenant, TenantRepository } from './tenant-repository.js';
export type { ApiKey, ApiKeyRepository, CreatedApiKey, Scope } from './api-key-repository.js';
export { SCOPES, hashSecret } from './api-key-repository.js';
export type { Page, PageRequest } from './pagination.js';
export { InvalidCursorError } from './pagination.js';
export type { IdGenerator } from './ids.js';
export { randomId } from './ids.js';
export type { Database } from './schema.js';
export { ResourceRepository, type Executor, type Values } from './resource-repository.js';
export { findReferences, type Reference, type ReferencedKind } from './references.js';
export { SecretBox } from './secret-box.js';
export { GroupCommitter, GroupCommitError, type BatchRunner, type GroupCommitStats } from './group-committer.js';
export type { SqlValue, Write, WriteUnit, UnitOutcome } from './write-unit.js';
export type { RegistrationRow, RegistrationRepository } from './registration-repository.js';
