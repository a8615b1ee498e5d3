// Persistence of SIP registrations. They are soft state (phones register again within
// their expiry) written in bursts of thousands a second, so they get their own SQLite
// connection with synchronous=NORMAL: in WAL mode a commit then costs no fsync, and
// the event loop is never held up by the disk for a registration. (Call records keep
// the main connection's synchronous=FULL.) Statements are prepared once; a flush
// writes a whole batch in one transaction.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { RegistrationsTable } from './schema.js';

export type RegistrationRow = RegistrationsTable;

export interface RegistrationRepository {
  loadLive(nowMs: number): Promise<RegistrationRow[]>;
  /** Upserts and deletes in one transaction. */
  apply(upserts: RegistrationRow[], deletes: string[]): Promise<void>;
  deleteExpired(nowMs: number): Promise<number>;
  /** Live registrations of one credential, for the API. */
  byCredential(tenantId: string, credentialId: string, nowMs: number): Promise<RegistrationRow[]>;
  close(): void;
}

const COLUMNS = [
  'id', 'tenant_id', 'credential_id', 'aor', 'contact', 'params', 'call_id', 'cseq', 'expires_at',
  'transport', 'source_address', 'source_port', 'connection_id', 'user_agent', 'updated_at',
] as const;

export class SqliteRegistrationRepository implements RegistrationRepository {
  private readonly db: BetterSqlite3.Database;
  private readonly upsert: BetterSqlite3.Statement;
  private readonly remove: BetterSqlite3.Statement;
  private readonly writeBatch: (upserts: RegistrationRow[], deletes: string[]) => void;

  /** Opens its own connection to the store's database (the schema is migrated already). */
  constructor(dataDir: string) {
    this.db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.pragma('busy_timeout = 5000');
    const updates = COLUMNS.filter((c) => c !== 'id' && c !== 'tenant_id' && c !== 'credential_id' && c !== 'aor')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.upsert = this.db.prepare(
      `INSERT INTO registrations (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})
       ON CONFLICT(id) DO UPDATE SET ${updates}`,
    );
    this.remove = this.db.prepare('DELETE FROM registrations WHERE id = ?');
    this.writeBatch = this.db.transaction((upserts: RegistrationRow[], deletes: string[]) => {
      for (const r of upserts) this.upsert.run(r);
      for (const id of deletes) this.remove.run(id);
    });
  }

  async loadLive(nowMs: number): Promise<RegistrationRow[]> {
    return this.db.prepare('SELECT * FROM registrations WHERE expires_at > ?').all(nowMs) as RegistrationRow[];
  }

  async apply(upserts: RegistrationRow[], deletes: string[]): Promise<void> {
    if (upserts.length === 0 && deletes.length === 0) return;
    this.writeBatch(upserts, deletes);
  }

  async deleteExpired(nowMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM registrations WHERE expires_at <= ?').run(nowMs).changes;
  }

  async byCredential(tenantId: string, credentialId: string, nowMs: number): Promise<RegistrationRow[]> {
    return this.db
      .prepare(
        'SELECT * FROM registrations WHERE tenant_id = ? AND credential_id = ? AND expires_at > ? ORDER BY updated_at DESC',
      )
      .all(tenantId, credentialId, nowMs) as RegistrationRow[];
  }

  close(): void {
    this.db.close();
  }
}
