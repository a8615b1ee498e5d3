// Voicemail messages at rest: the rows, their WAV files under the data directory, and the
// queries the API needs (filters, keyset pages with a total, read, delete). Every query is
// filtered by tenant first, so another tenant's message simply does not exist.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Executor, Page, Store } from '../../store/index.js';
import { afterCursor, toPage } from '../../store/pagination.js';
import type { VoicemailMessagesTable } from '../../store/schema.js';
import type { TranscriptionStatus, VoicemailMessageView } from './types.js';

export interface MessageFilter {
  voicemailId?: string | undefined;
  /** true: not yet listened to; false: listened to. */
  unread?: boolean | undefined;
  direction?: 'inbound' | 'outbound' | undefined;
}

export interface MessagePage extends Page<VoicemailMessageView> {
  /** Messages matching the filter, on every page. */
  total: number;
}

/** `voicemail/<tenant>/<vmsg>.wav`, relative to the data directory (what a row stores). */
export function messageRelativePath(tenantId: string, messageId: string): string {
  return path.join('voicemail', tenantId, `${messageId}.wav`);
}

export function toView(r: VoicemailMessagesTable): VoicemailMessageView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    voicemailId: r.voicemail_id,
    caller: r.caller,
    callee: r.callee,
    direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
    callId: r.call_id,
    durationSeconds: r.duration_seconds,
    transcription: r.transcription,
    transcriptionStatus: r.transcription_status as TranscriptionStatus,
    listened: r.listened === 1,
    createdAt: r.created_at,
  };
}

export class VoicemailMessages {
  constructor(private readonly store: Pick<Store, 'db' | 'dataDir' | 'now'>) {}

  /**
   * The box a deposit without one goes to: the tenant's oldest box. Boxes have no
   * "default" flag, and the first box a tenant makes is the one it set up for this.
   */
  async defaultBoxId(tenantId: string, trx?: Executor): Promise<string | undefined> {
    const r = await (trx ?? this.store.db)
      .selectFrom('voicemail_boxes')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .executeTakeFirst();
    return r?.id;
  }

  async row(tenantId: string, id: string, trx?: Executor): Promise<VoicemailMessagesTable | undefined> {
    return (trx ?? this.store.db)
      .selectFrom('voicemail_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async get(tenantId: string, id: string): Promise<VoicemailMessageView | undefined> {
    const r = await this.row(tenantId, id);
    return r && toView(r);
  }

  async list(tenantId: string, filter: MessageFilter, page: { limit: number; cursor?: string | undefined }): Promise<MessagePage> {
    let q = this.store.db.selectFrom('voicemail_messages').where('tenant_id', '=', tenantId);
    if (filter.voicemailId !== undefined) q = q.where('voicemail_id', '=', filter.voicemailId);
    if (filter.unread !== undefined) q = q.where('listened', '=', filter.unread ? 0 : 1);
    if (filter.direction !== undefined) q = q.where('direction', '=', filter.direction);
    // The total ignores the cursor: it counts the whole filtered list, as the seed's
    // meta.pagination.total does, so a client can show "3 of 41".
    const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const after = afterCursor(page.cursor);
    const rows = await (after ? q.where(after) : q)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const p = toPage(rows, page.limit);
    return { ...p, items: p.items.map(toView), total: Number(count?.n ?? 0) };
  }

  /** Marks a message listened to; undefined when there is no such message. */
  async markRead(tenantId: string, id: string): Promise<VoicemailMessageView | undefined> {
    const at = this.store.now().toISOString();
    const res = await this.store.db
      .updateTable('voicemail_messages')
      .set({ listened: 1, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    return this.get(tenantId, id);
  }

  /**
   * Deletes the row, then the file. The row goes first: a file that cannot be removed
   * leaves an orphan on disk (reported), never a message whose audio is gone.
   */
  async delete(tenantId: string, id: string): Promise<{ deleted: boolean; fileError?: string }> {
    const row = await this.row(tenantId, id);
    if (!row) return { deleted: false };
    const res = await this.store.db
      .deleteFrom('voicemail_messages')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return { deleted: false };
    const file = this.audioFile(row.recording_path);
    if (!file) return { deleted: true, fileError: 'outside the data directory; left in place' };
    try {
      await rm(file, { force: true });
      return { deleted: true };
    } catch (err) {
      return { deleted: true, fileError: (err as Error).message };
    }
  }

  async setTranscription(
    tenantId: string,
    id: string,
    status: TranscriptionStatus,
    text: string | null,
  ): Promise<VoicemailMessageView | undefined> {
    await this.store.db
      .updateTable('voicemail_messages')
      .set({ transcription_status: status, transcription: text, updated_at: this.store.now().toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id);
  }

  /** Messages whose transcription a stop or crash cut short, across tenants. */
  async pendingTranscriptions(): Promise<VoicemailMessagesTable[]> {
    return this.store.db.selectFrom('voicemail_messages').selectAll().where('transcription_status', '=', 'pending').execute();
  }

  /**
   * A row's recording, resolved against the data directory. Only files inside it are
   * ever read or deleted, whatever a row says.
   */
  audioFile(recordingPath: string): string | undefined {
    if (recordingPath === '') return undefined;
    const root = path.resolve(this.store.dataDir);
    const file = path.resolve(root, recordingPath);
    const rel = path.relative(root, file);
    return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel) ? file : undefined;
  }
}
