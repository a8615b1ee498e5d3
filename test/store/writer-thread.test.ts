// The writer thread (the server's group commit): batches run on its own connection, off the
// event loop, and what it has committed is on disk for every other connection. Runs the
// compiled thread entry (dist/), like the media worker tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { GroupCommitter } from '../../store/group-committer.js';
import { ThreadBatchRunner } from '../../store/writer-thread.js';

const url = new URL('../../dist/store/writer-thread-main.js', import.meta.url);
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('commits batches on the writer thread; the rows are there for any connection once submit resolves', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-writer-'));
  const file = path.join(dir, 'test.db');
  const reader = new BetterSqlite3(file);
  reader.pragma('journal_mode = WAL');
  reader.exec('CREATE TABLE calls (id TEXT PRIMARY KEY, status TEXT NOT NULL)');
  const gc = new GroupCommitter(new ThreadBatchRunner(file, url));
  const ids = Array.from({ length: 200 }, (_, i) => `call_${i}`);
  await Promise.all(ids.map((id) => gc.submit({ writes: [{ op: 'insert', table: 'calls', row: { id, status: 'initiating' } }] })));
  expect(reader.prepare('SELECT count(*) AS n FROM calls').get()).toEqual({ n: 200 });
  // A unit that fails on the thread comes back as a rejection of that unit alone.
  const r = await Promise.allSettled([
    gc.submit({ writes: [{ op: 'update', table: 'calls', id: 'call_1', set: { status: 'ringing' } }] }),
    gc.submit({ writes: [{ op: 'insert', table: 'calls', row: { id: 'call_1', status: 'duplicate' } }] }),
  ]);
  expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected']);
  expect(reader.prepare('SELECT status FROM calls WHERE id = ?').get('call_1')).toEqual({ status: 'ringing' });
  expect(gc.stats.batches).toBeLessThan(10);
  await gc.close();
  reader.close();
});
