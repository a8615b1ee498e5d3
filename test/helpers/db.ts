// Direct access to a test server's SQLite file, for arranging rows that another API
// would create and for checking what is stored at rest.
import path from 'node:path';
import Database from 'better-sqlite3';

export function withDb<T>(dataDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'switchboard.db'));
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Inserts a row with the common columns (id, tenant_id, created_at, updated_at) filled in. */
export function insertRow(dataDir: string, table: string, row: Record<string, unknown>): void {
  const now = new Date().toISOString();
  const full: Record<string, unknown> = { created_at: now, updated_at: now, ...row };
  const cols = Object.keys(full);
  withDb(dataDir, (db) =>
    db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`).run(full),
  );
}
