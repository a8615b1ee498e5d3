// A deposit moves a file and inserts a row: two steps a crash can split. Before the file
// moves, a small journal file next to it records what the row will say; it is removed once
// the row is committed. At start, a journal still on disk is finished: the file is moved
// if it had not been, the row inserted if it is missing. So a message that reached
// deposit() is never lost, and never stored twice.
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface JournalEntry {
  id: string;
  tenantId: string;
  /** The box asked for, already resolved (never null here). */
  voicemailId: string;
  caller: string;
  callee: string | null;
  direction: 'inbound' | 'outbound';
  callId: string | null;
  durationSeconds: number;
  createdAt: string;
  /** Where the call flow left the recording (moved away from there by the deposit). */
  source: string;
}

const SUFFIX = '.deposit.json';

export function tenantDir(dataDir: string, tenantId: string): string {
  return path.join(dataDir, 'voicemail', tenantId);
}

export function journalPath(dataDir: string, tenantId: string, id: string): string {
  return path.join(tenantDir(dataDir, tenantId), `${id}${SUFFIX}`);
}

/** Written whole or not at all (temporary file, then rename). */
export async function writeJournal(dataDir: string, e: JournalEntry): Promise<void> {
  const file = journalPath(dataDir, e.tenantId, e.id);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(e));
  await rename(tmp, file);
}

export async function removeJournal(dataDir: string, tenantId: string, id: string): Promise<void> {
  await rm(journalPath(dataDir, tenantId, id), { force: true });
}

/**
 * rename(2) when source and store share a filesystem (the normal case: both under the
 * data directory or the same disk); otherwise copy, then remove the source.
 */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

function isEntry(v: unknown): v is JournalEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    /^vmsg_[0-9a-z]+$/.test(e.id) &&
    typeof e.tenantId === 'string' &&
    typeof e.voicemailId === 'string' &&
    typeof e.caller === 'string' &&
    (e.direction === 'inbound' || e.direction === 'outbound') &&
    typeof e.durationSeconds === 'number' &&
    typeof e.createdAt === 'string' &&
    typeof e.source === 'string'
  );
}

/** Every journal left on disk, with the unreadable ones named apart. */
export async function readJournals(dataDir: string): Promise<{ entries: JournalEntry[]; unreadable: string[] }> {
  const root = path.join(dataDir, 'voicemail');
  const entries: JournalEntry[] = [];
  const unreadable: string[] = [];
  let tenants: string[];
  try {
    tenants = await readdir(root);
  } catch {
    return { entries, unreadable };
  }
  for (const t of tenants) {
    let names: string[];
    try {
      names = await readdir(path.join(root, t));
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith(SUFFIX)) continue;
      const file = path.join(root, t, n);
      try {
        const v: unknown = JSON.parse(await readFile(file, 'utf8'));
        if (isEntry(v) && v.tenantId === t) entries.push(v);
        else unreadable.push(file);
      } catch {
        unreadable.push(file);
      }
    }
  }
  return { entries, unreadable };
}
