// Writes described as data, so that they can cross to the writer thread (writer-thread.ts)
// and run there in one transaction with the writes of many other callers (group-committer.ts).
// A unit is what must commit all together or not at all (a call's status change, its
// timeline event and its webhook rows); a batch is many units under one COMMIT, one fsync.
import type BetterSqlite3 from 'better-sqlite3';

export type SqlValue = string | number | bigint | null | Uint8Array;

export type Write =
  /**
   * One row. With `sequence`, the row's `sequence.column` is one past the highest of the rows
   * sharing its `sequence.within` column (0 for the first), computed inside the transaction,
   * so appends from two connections can never take the same number.
   */
  | { op: 'insert'; table: string; row: Record<string, SqlValue>; sequence?: { column: string; within: string } }
  /** The row whose `id` is `id`; a missing row fails the unit. */
  | { op: 'update'; table: string; id: string; set: Record<string, SqlValue> };

export interface WriteUnit {
  writes: Write[];
}

export type UnitOutcome = { ok: true } | { ok: false; error: string };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A failure that is the unit's own (its data), as opposed to the connection's or the disk's. */
function isUnitError(err: unknown): boolean {
  // A missing row, a name that is no identifier, a value SQLite cannot bind.
  if (err instanceof MissingRowError || err instanceof TypeError || err instanceof RangeError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_ERROR' || code === 'SQLITE_TOOBIG' || code === 'SQLITE_RANGE');
}

class MissingRowError extends Error {}

function ident(name: string): string {
  // Table and column names come from our code, never from a request; checked anyway, as they are spliced into SQL.
  if (!IDENTIFIER.test(name)) throw new TypeError(`not an SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Runs batches of units on one connection: one transaction per batch, a savepoint per unit. */
export class BatchWriter {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly begin: BetterSqlite3.Statement;
  private readonly commit: BetterSqlite3.Statement;
  private readonly rollback: BetterSqlite3.Statement;
  private readonly savepoint: BetterSqlite3.Statement;
  private readonly release: BetterSqlite3.Statement;
  private readonly rollbackTo: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database) {
    // IMMEDIATE: the write lock is taken up front, so no statement of the batch can fail
    // half-way for a lock another connection took meanwhile.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT unit');
    this.release = db.prepare('RELEASE unit');
    this.rollbackTo = db.prepare('ROLLBACK TO unit');
  }

  /**
   * One outcome per unit: a unit that fails (a constraint, a missing row) is rolled back alone
   * and the others still commit. Throws, with nothing committed, when the batch as a whole
   * fails (the lock, the disk, the COMMIT).
   */
  run(units: readonly WriteUnit[]): UnitOutcome[] {
    // Units almost never fail, so the batch first runs without a savepoint per unit (two
    // statements fewer per unit); at the first failure it starts over, unit by unit.
    if (this.runAll(units)) return units.map(() => ({ ok: true }));
    return this.runIsolated(units);
  }

  /** True when every unit went in and the batch committed; false (rolled back) at a unit's failure. */
  private runAll(units: readonly WriteUnit[]): boolean {
    this.begin.run();
    try {
      for (const u of units) for (const w of u.writes) this.apply(w);
    } catch (err) {
      const open = this.db.inTransaction;
      if (open) this.rollback.run();
      // An I/O error that ended the transaction is the batch's, not a unit's.
      if (!open || !isUnitError(err)) throw err;
      return false;
    }
    this.commitOrRollback();
    return true;
  }

  private runIsolated(units: readonly WriteUnit[]): UnitOutcome[] {
    const out: UnitOutcome[] = [];
    this.begin.run();
    try {
      for (const u of units) {
        this.savepoint.run();
        try {
          for (const w of u.writes) this.apply(w);
          this.release.run();
          out.push({ ok: true });
        } catch (err) {
          if (!this.db.inTransaction || !isUnitError(err)) throw err;
          this.rollbackTo.run();
          this.release.run();
          out.push({ ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      }
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      throw err;
    }
    this.commitOrRollback();
    return out;
  }

  private commitOrRollback(): void {
    try {
      this.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      throw err;
    }
  }

  private apply(w: Write): void {
    if (w.op === 'insert') {
      const cols = Object.keys(w.row).filter((c) => c !== w.sequence?.column);
      const values = cols.map((c) => w.row[c] ?? null);
      if (w.sequence) {
        const { column, within } = w.sequence;
        const sql =
          `INSERT INTO ${ident(w.table)} (${[...cols, column].map(ident).join(', ')}) ` +
          `SELECT ${cols.map(() => '?').join(', ')}, COALESCE(MAX(${ident(column)}) + 1, 0) FROM ${ident(w.table)} WHERE ${ident(within)} = ?`;
        this.statement(sql).run(...values, w.row[within] ?? null);
      } else {
        this.statement(`INSERT INTO ${ident(w.table)} (${cols.map(ident).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
      }
      return;
    }
    const cols = Object.keys(w.set);
    if (cols.length === 0) return;
    const sql = `UPDATE ${ident(w.table)} SET ${cols.map((c) => `${ident(c)} = ?`).join(', ')} WHERE "id" = ?`;
    const r = this.statement(sql).run(...cols.map((c) => w.set[c] ?? null), w.id);
    if (r.changes !== 1) throw new MissingRowError(`no ${w.table} row ${w.id}`);
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      // The SQL texts are ours and few (one per table and column set); a bound keeps a bug from growing it forever.
      if (this.statements.size >= 500) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/** The pragmas of a connection that writes call records: WAL, and a commit that survives power loss. */
export function configureWriterConnection(db: BetterSqlite3.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Checkpoints run in their own worker (wal-checkpointer.ts), never inside our commits.
  db.pragma('wal_autocheckpoint = 0');
}
