// The group committer against a real SQLite file: what a caller of submit() may rely on.
// Units commit in submission order, batched; a unit's promise resolves only once another
// connection can read its rows (and a fresh connection still finds them: they are on disk);
// a unit that fails fails alone, and a batch that fails takes only its own units with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitter, type BatchRunner } from './group-committer.js';
import { InlineBatchRunner } from './writer-thread.js';
import type { UnitOutcome, WriteUnit } from './write-unit.js';

let dir: string;
let file: string;
let reader: BetterSqlite3.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-group-commit-'));
  file = path.join(dir, 'test.db');
  reader = new BetterSqlite3(file);
  reader.pragma('journal_mode = WAL');
  reader.pragma('foreign_keys = ON');
  reader.exec(`
    CREATE TABLE calls (id TEXT PRIMARY KEY, status TEXT NOT NULL);
    CREATE TABLE call_events (call_id TEXT NOT NULL REFERENCES calls(id), seq INTEGER NOT NULL, type TEXT NOT NULL, PRIMARY KEY (call_id, seq));
  `);
});

afterEach(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

const newCall = (id: string): WriteUnit => ({
  writes: [
    { op: 'insert', table: 'calls', row: { id, status: 'initiating' } },
    { op: 'insert', table: 'call_events', row: { call_id: id, type: 'initiating' }, sequence: { column: 'seq', within: 'call_id' } },
  ],
});
const change = (id: string, status: string): WriteUnit => ({
  writes: [
    { op: 'update', table: 'calls', id, set: { status } },
    { op: 'insert', table: 'call_events', row: { call_id: id, type: status }, sequence: { column: 'seq', within: 'call_id' } },
  ],
});
const events = (id: string) => reader.prepare('SELECT seq, type FROM call_events WHERE call_id = ? ORDER BY seq').all(id) as { seq: number; type: string }[];
const status = (id: string) => (reader.prepare('SELECT status FROM calls WHERE id = ?').get(id) as { status: string } | undefined)?.status;

/** Records the batches it is given and runs them on the real writer. */
class CountingRunner implements BatchRunner {
  readonly batches: number[] = [];
  constructor(private readonly inner: BatchRunner) {}
  run(units: WriteUnit[]): Promise<UnitOutcome[]> {
    this.batches.push(units.length);
    return this.inner.run(units);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Holds each batch until released: the commit that "takes a while". */
class HeldRunner implements BatchRunner {
  private held: { units: WriteUnit[]; go: () => void }[] = [];
  constructor(private readonly inner: BatchRunner) {}
  run(units: WriteUnit[]): Promise<UnitOutcome[]> {
    return new Promise<void>((go) => this.held.push({ units, go })).then(() => this.inner.run(units));
  }
  get waiting(): number {
    return this.held.length;
  }
  release(): void {
    for (const h of this.held.splice(0)) h.go();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommitter', () => {
  it('commits the units of one turn of the event loop as one batch, and keeps each call\'s order across batches', async () => {
    const runner = new CountingRunner(new InlineBatchRunner(file));
    const gc = new GroupCommitter(runner);
    const ids = Array.from({ length: 50 }, (_, i) => `call_${i}`);
    await Promise.all(ids.map((id) => gc.submit(newCall(id))));
    expect(runner.batches).toEqual([50]);
    // Each call's changes submitted one after the other, without waiting: many batches, each call in order.
    const all: Promise<void>[] = [];
    for (const status of ['ringing', 'in_progress', 'completed']) {
      for (const id of ids) all.push(gc.submit(change(id, status)));
      await tick();
    }
    await Promise.all(all);
    for (const id of ids) {
      expect(status(id)).toBe('completed');
      expect(events(id)).toEqual([
        { seq: 0, type: 'initiating' },
        { seq: 1, type: 'ringing' },
        { seq: 2, type: 'in_progress' },
        { seq: 3, type: 'completed' },
      ]);
    }
    expect(gc.stats).toMatchObject({ units: 200, failedUnits: 0, failedBatches: 0 });
    await gc.close();
  });

  it('resolves a unit only after its commit: until then no other connection sees it, right after every one does', async () => {
    const runner = new HeldRunner(new InlineBatchRunner(file));
    const gc = new GroupCommitter(runner);
    let done = false;
    const p = gc.submit(newCall('call_a')).then(() => (done = true));
    await tick();
    await tick();
    expect(runner.waiting).toBe(1);
    expect(done).toBe(false);
    expect(status('call_a')).toBeUndefined();
    // Submitted while the first batch commits: waits for it, then goes as the next batch.
    const second = gc.submit(change('call_a', 'ringing'));
    runner.release();
    await p;
    expect(status('call_a')).toBe('initiating');
    // A connection opened now (a restarted process) finds it as well.
    const fresh = new BetterSqlite3(file, { readonly: true });
    expect(fresh.prepare('SELECT status FROM calls WHERE id = ?').get('call_a')).toEqual({ status: 'initiating' });
    fresh.close();
    await tick();
    runner.release();
    await second;
    expect(status('call_a')).toBe('ringing');
    await gc.close();
  });

  it('fails a bad unit alone: the other units of its batch commit', async () => {
    const gc = new GroupCommitter(new InlineBatchRunner(file));
    await gc.submit(newCall('call_a'));
    const results = await Promise.allSettled([
      gc.submit(change('call_a', 'ringing')),
      // An event for a call that does not exist (foreign key), and an update of a missing row.
      gc.submit({ writes: [{ op: 'insert', table: 'call_events', row: { call_id: 'call_nope', type: 'x' }, sequence: { column: 'seq', within: 'call_id' } }] }),
      gc.submit({ writes: [{ op: 'insert', table: 'calls', row: { id: 'call_b', status: 'initiating' } }, { op: 'update', table: 'calls', id: 'call_missing', set: { status: 'x' } }] }),
      gc.submit(change('call_a', 'in_progress')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/no calls row call_missing/);
    // The failed unit's first write (call_b) went with it.
    expect(status('call_b')).toBeUndefined();
    expect(events('call_a').map((e) => e.type)).toEqual(['initiating', 'ringing', 'in_progress']);
    expect(gc.stats.batches).toBe(2);
    expect(gc.stats.failedUnits).toBe(2);
    await gc.close();
  });

  it('rejects every unit of a batch that fails as a whole, commits nothing of it, and goes on with the next', async () => {
    const inner = new InlineBatchRunner(file);
    let failNext = false;
    const runner: BatchRunner = {
      run: (units) => (failNext ? ((failNext = false), Promise.reject(new Error('disk I/O error'))) : inner.run(units)),
      close: () => inner.close(),
    };
    const gc = new GroupCommitter(runner);
    failNext = true;
    const lost = await Promise.allSettled([gc.submit(newCall('call_a')), gc.submit(newCall('call_b'))]);
    expect(lost.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((lost[0] as PromiseRejectedResult).reason)).toMatch(/batch not committed: disk I\/O error/);
    expect(status('call_a')).toBeUndefined();
    await gc.submit(newCall('call_c'));
    expect(status('call_c')).toBe('initiating');
    expect(gc.stats).toMatchObject({ failedBatches: 1, batches: 2 });
    await gc.close();
  });

  it('under load starts a batch at most every minIntervalMs, and what waits meanwhile goes as one', async () => {
    const runner = new CountingRunner(new InlineBatchRunner(file));
    const gc = new GroupCommitter(runner, { minIntervalMs: 60 });
    const t0 = performance.now();
    await gc.submit(newCall('call_a'));
    const later = [gc.submit(change('call_a', 'ringing')), gc.submit(newCall('call_b'))];
    await tick();
    later.push(gc.submit(newCall('call_c')));
    await Promise.all(later);
    // The next three waited for the interval, and went together.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(59);
    expect(runner.batches).toEqual([1, 3]);
    await gc.close();
  });

  it('commits what is queued before it closes, and refuses units after', async () => {
    const gc = new GroupCommitter(new InlineBatchRunner(file));
    const p = gc.submit(newCall('call_a'));
    await gc.close();
    await p;
    expect(status('call_a')).toBe('initiating');
    await expect(gc.submit(newCall('call_b'))).rejects.toThrow(/closed/);
  });
});
