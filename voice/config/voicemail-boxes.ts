// Voicemail boxes: where unanswered calls leave a message (greeting, tone, recording),
// and who hears about it. Messages themselves arrive with the call engine; a box knows
// how many it holds, and deleting a box deletes its messages and their recordings.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page, PageRequest, Reference, Store } from '../../store/index.js';
import { findReferences } from '../../store/index.js';
import type { VoicemailBoxesTable } from '../../store/schema.js';
import { ConfigError } from './errors.js';

export const DEFAULT_GREETING = 'Please leave a message after the tone.';
export const MAX_GREETING = 2000;
/** Seconds; the seed's example answers 120 for a box created without one. */
export const DEFAULT_MAX_DURATION = 120;
export const MIN_MAX_DURATION = 5;
export const MAX_MAX_DURATION = 3600;

export interface VoicemailBox {
  id: string;
  tenantId: string;
  name: string;
  greeting: string;
  transcribe: boolean;
  maxDuration: number;
  notificationEmail: string | null;
  webhookUrl: string | null;
  messagesCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface VoicemailBoxInput {
  name: string;
  greeting: string;
  transcribe: boolean;
  maxDuration: number;
  notificationEmail: string | null;
  webhookUrl: string | null;
}

export type VoicemailBoxDeleteOutcome =
  | { kind: 'deleted'; messagesDeleted: number; filesDeleted: number; filesFailed: { path: string; error: string }[] }
  | { kind: 'not_found' }
  | { kind: 'in_use'; refs: Reference[] };

function toBox(r: VoicemailBoxesTable, messagesCount: number): VoicemailBox {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    greeting: r.greeting,
    transcribe: r.transcribe === 1,
    maxDuration: r.max_duration,
    notificationEmail: r.notification_email,
    webhookUrl: r.webhook_url,
    messagesCount,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class VoicemailBoxService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.voicemailBoxes;
  }

  /** The API validates each field first; this guards every other way in. */
  private check(input: VoicemailBoxInput): void {
    const errors = new ConfigError();
    if (input.name.trim() === '' || input.name.length > 200) errors.add('name', 'invalid', 'must be 1-200 characters');
    if (input.greeting.trim() === '' || input.greeting.length > MAX_GREETING) {
      errors.add('greeting', 'invalid', `must be 1-${MAX_GREETING} characters`);
    }
    const d = input.maxDuration;
    if (!Number.isInteger(d) || d < MIN_MAX_DURATION || d > MAX_MAX_DURATION) {
      errors.add('max_duration', 'out_of_range', `must be whole seconds, ${MIN_MAX_DURATION}-${MAX_MAX_DURATION}`);
    }
    errors.throwIfAny();
  }

  private values(input: VoicemailBoxInput) {
    return {
      name: input.name,
      greeting: input.greeting,
      transcribe: input.transcribe ? 1 : 0,
      max_duration: input.maxDuration,
      notification_email: input.notificationEmail,
      webhook_url: input.webhookUrl,
    };
  }

  /** Messages per box, for the given boxes of the tenant, in one query. */
  private async counts(tenantId: string, ids: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (ids.length === 0) return out;
    const rows = await this.store.db
      .selectFrom('voicemail_messages')
      .select((eb) => ['voicemail_id', eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('voicemail_id', 'in', ids)
      .groupBy('voicemail_id')
      .execute();
    for (const r of rows) out.set(r.voicemail_id, Number(r.n));
    return out;
  }

  private async withCount(r: VoicemailBoxesTable): Promise<VoicemailBox> {
    return toBox(r, (await this.counts(r.tenant_id, [r.id])).get(r.id) ?? 0);
  }

  async create(tenantId: string, input: VoicemailBoxInput): Promise<VoicemailBox> {
    this.check(input);
    return toBox(await this.repo.insert(tenantId, this.values(input)), 0);
  }

  async get(tenantId: string, id: string): Promise<VoicemailBox | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && this.withCount(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<VoicemailBox>> {
    const p = await this.repo.list(tenantId, page);
    const counts = await this.counts(
      tenantId,
      p.items.map((r) => r.id),
    );
    return { ...p, items: p.items.map((r) => toBox(r, counts.get(r.id) ?? 0)) };
  }

  /** Applies a partial update; fields left out keep their values. */
  async update(
    tenantId: string,
    id: string,
    patch: (current: VoicemailBoxInput) => VoicemailBoxInput,
  ): Promise<VoicemailBox | undefined> {
    const row = await this.repo.get(tenantId, id);
    if (!row) return undefined;
    const b = toBox(row, 0);
    const merged = patch({
      name: b.name,
      greeting: b.greeting,
      transcribe: b.transcribe,
      maxDuration: b.maxDuration,
      notificationEmail: b.notificationEmail,
      webhookUrl: b.webhookUrl,
    });
    this.check(merged);
    return this.withCount((await this.repo.update(tenantId, id, this.values(merged)))!);
  }

  /**
   * Refused while a number, a queue's overflow or an IVR node points at the box. Otherwise
   * the box and its messages go in one transaction, then the messages' recording files.
   * Files go last: a failed transaction leaves every message playable, while a file that
   * cannot be removed only leaves an orphan on disk (reported, for the log).
   */
  async delete(tenantId: string, id: string): Promise<VoicemailBoxDeleteOutcome> {
    const gone = await this.store.db.transaction().execute(async (trx) => {
      if (!(await this.repo.get(tenantId, id, trx))) return { kind: 'not_found' as const };
      const refs = await findReferences(trx, tenantId, 'voicemail_box', id);
      if (refs.length > 0) return { kind: 'in_use' as const, refs };
      const messages = await trx
        .selectFrom('voicemail_messages')
        .select(['recording_path'])
        .where('tenant_id', '=', tenantId)
        .where('voicemail_id', '=', id)
        .execute();
      await trx.deleteFrom('voicemail_messages').where('tenant_id', '=', tenantId).where('voicemail_id', '=', id).execute();
      await this.repo.delete(tenantId, id, trx);
      return { kind: 'deleted' as const, paths: messages.map((m) => m.recording_path) };
    });
    if (gone.kind !== 'deleted') return gone;

    let filesDeleted = 0;
    const filesFailed: { path: string; error: string }[] = [];
    for (const p of gone.paths) {
      const file = this.recordingFile(p);
      if (!file) {
        filesFailed.push({ path: p, error: 'outside the data directory; left in place' });
        continue;
      }
      try {
        await rm(file, { force: true });
        filesDeleted++;
      } catch (err) {
        filesFailed.push({ path: p, error: (err as Error).message });
      }
    }
    return { kind: 'deleted', messagesDeleted: gone.paths.length, filesDeleted, filesFailed };
  }

  /**
   * The recording's file, resolved against the data directory when relative. Only files
   * inside the data directory are ever deleted, whatever a row says.
   */
  private recordingFile(recordingPath: string): string | undefined {
    if (recordingPath === '') return undefined;
    const root = path.resolve(this.store.dataDir);
    const file = path.resolve(root, recordingPath);
    const rel = path.relative(root, file);
    return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel) ? file : undefined;
  }
}
