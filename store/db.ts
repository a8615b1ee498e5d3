// Opens the embedded store: SQLite through better-sqlite3 in WAL mode, behind Kysely
// so that the cluster store (PostgreSQL) is another dialect rather than a rewrite.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { GroupCommitter } from './group-committer.js';
import { openBatchRunner } from './writer-thread.js';

export interface OpenedStore {
  db: Kysely<Database>;
  checkpointer: WalCheckpointer;
  /** Group commit of call records on the writer thread's own synchronous=FULL connection. */
  writer: GroupCommitter;
  /** Names of the migrations applied by this open (empty when already current). */
  applied: string[];
  close(): Promise<void>;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Under load, a group commit starts at most this often. Each commit rewrites every page it
 * touched into the WAL (the calls table has six indexes); at 300 calls per second, batches
 * formed at once were ~7 units and wrote ~14 MB/s of WAL, batches 20-25 ms apart ~17-40
 * units, 60% less WAL and 15% less CPU per call. The first write after a quiet spell goes at
 * once; a busy one waits at most this long more for its commit.
 */
const GROUP_COMMIT_INTERVAL_MS = 20;

export interface SqliteStoreOptions {
  /** Where group commits run: the writer thread (default when compiled) or inline. */
  writer?: 'thread' | 'inline' | 'auto';
}

export async function openSqliteStore(dataDir: string, o: SqliteStoreOptions = {}): Promise<OpenedStore> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'switchboard.db');
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed row survives power loss, not only a process crash. Call records
  // and recordings metadata are billing-grade; the cost is one fsync per commit.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // The CLI may write while the server runs; wait for the other writer instead of failing.
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoints happen in a worker (wal-checkpointer.ts), never inside a commit here.
  sqlite.pragma('wal_autocheckpoint = 0');

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`store migration failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const checkpointer = new WalCheckpointer(dataDir);
  // Opened after the migrations: its connection finds the schema current.
  const writer = new GroupCommitter(openBatchRunner(file, o.writer), { minIntervalMs: GROUP_COMMIT_INTERVAL_MS });
  return {
    db,
    checkpointer,
    writer,
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    close: async () => {
      // What is queued commits before the connections go.
      await writer.close();
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/** Distinct SQL texts kept prepared; past it the cache starts over (SQL is ours, so it is small). */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * Kysely's SQLite driver prepares every query it runs; a call makes dozens of the same
 * queries, and preparing is most of their cost. The database handed to Kysely keeps each
 * SQL text's statement and reuses it (a statement still busy iterating is not shared).
 *
 * Kysely opens its transactions with a plain (deferred) BEGIN; here they are IMMEDIATE. The
 * writer thread commits on its own connection at any moment, and a deferred transaction that
 * read before that commit could not write after it (SQLITE_BUSY_SNAPSHOT, with no waiting).
 * IMMEDIATE takes the write lock first, waiting for the writer's commit if need be.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; close(): void } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text: string): BetterSqlite3.Statement {
      const sql = text === 'begin' ? 'begin immediate' : text;
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close(): void {
      cache.clear();
      sqlite.close();
    },
  };
}
