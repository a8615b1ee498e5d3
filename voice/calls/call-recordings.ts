// Recording rows of calls. The media recorder writes the file; this keeps what the API
// shows about it (status, format, size, duration) and where it is, relative to the data
// directory so that a moved data directory keeps its recordings.
import path from 'node:path';
import type { Store } from '../../store/index.js';
import type { RecordingsTable } from '../../store/schema.js';
import { CallRepository } from './call-repository.js';
import { LiveCalls } from './live-calls.js';

export type RecordingStatus = 'recording' | 'completed' | 'failed';
export type RecordingFormat = 'wav' | 'mp3';

export interface RecordingRecord {
  id: string;
  tenantId: string;
  callId: string;
  status: RecordingStatus;
  format: RecordingFormat;
  channels: number;
  durationSeconds: number | null;
  sizeBytes: number | null;
  /** Relative to the data directory. */
  path: string;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

function toRecording(r: RecordingsTable): RecordingRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    callId: r.call_id,
    status: r.status as RecordingStatus,
    format: r.format as RecordingFormat,
    channels: r.channels,
    durationSeconds: r.duration_seconds,
    sizeBytes: r.size_bytes,
    path: r.path,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  };
}

export const CONTENT_TYPES: Record<RecordingFormat, string> = { wav: 'audio/wav', mp3: 'audio/mpeg' };

export class CallRecordings {
  private readonly calls: CallRepository;

  /** `writer` only for the one that starts recordings (the B2BUA's); readers do without. */
  constructor(private readonly store: Pick<Store, 'db' | 'newId' | 'now' | 'dataDir'> & Partial<Pick<Store, 'writer'>>) {
    this.calls = new CallRepository(store.db);
  }

  /**
   * A new recording of the call, status `recording`, becoming the call's current one.
   * `relativePath` is where the recorder will write (recordings/<tenant>/<rec id>.<format>).
   */
  async start(tenantId: string, callId: string, o: { format: RecordingFormat; channels: 1 | 2 }): Promise<RecordingRecord> {
    const at = this.store.now().toISOString();
    const id = this.store.newId('rec');
    const row: RecordingsTable = {
      id,
      tenant_id: tenantId,
      call_id: callId,
      status: 'recording',
      format: o.format,
      channels: o.channels,
      duration_seconds: null,
      size_bytes: null,
      path: path.posix.join('recordings', tenantId, `${id}.${o.format}`),
      error: null,
      created_at: at,
      updated_at: at,
      completed_at: null,
    };
    await this.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('recordings').values(row).execute();
      await this.calls.update(callId, { recording_id: id, record: 1, updated_at: at }, trx);
      await this.calls.appendEvent(trx, callId, 'recording_started', at, { recording_id: id, channels: o.channels });
    });
    // The call's later events (call.completed) carry the recording, like GET /calls/{id}.
    if (this.store.writer) LiveCalls.of(this.store.writer).patch(callId, { recording_id: id, record: 1, updated_at: at });
    return toRecording(row);
  }

  /** The file is final: its size, duration, and format/path if the recorder changed them (WAV → MP3). */
  async complete(
    id: string,
    r: { durationSeconds: number; sizeBytes: number; format?: RecordingFormat; path?: string },
  ): Promise<RecordingRecord | undefined> {
    const at = this.store.now().toISOString();
    await this.store.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('recordings').select('call_id').where('id', '=', id).executeTakeFirst();
      if (!cur) return;
      await trx
        .updateTable('recordings')
        .set({
          status: 'completed',
          duration_seconds: Math.round(r.durationSeconds),
          size_bytes: r.sizeBytes,
          ...(r.format ? { format: r.format } : {}),
          ...(r.path ? { path: r.path } : {}),
          completed_at: at,
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
      await this.calls.appendEvent(trx, cur.call_id, 'recording_completed', at, { recording_id: id });
    });
    return this.byId(id);
  }

  async fail(id: string, error: string): Promise<void> {
    const at = this.store.now().toISOString();
    await this.store.db.updateTable('recordings').set({ status: 'failed', error, updated_at: at }).where('id', '=', id).execute();
  }

  /** Any tenant's recording: only for the signed download, where the signature is the permission. */
  async byId(id: string): Promise<RecordingRecord | undefined> {
    const r = await this.store.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRecording(r);
  }

  async get(tenantId: string, id: string): Promise<RecordingRecord | undefined> {
    const r = await this.store.db.selectFrom('recordings').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toRecording(r);
  }

  /** Several at once (a page of calls), by id. */
  async many(tenantId: string, ids: string[]): Promise<Map<string, RecordingRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.store.db.selectFrom('recordings').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, toRecording(r)]));
  }

  /** The recording of the call still being written, if any (recording/start is idempotent). */
  async activeFor(callId: string): Promise<RecordingRecord | undefined> {
    const r = await this.store.db
      .selectFrom('recordings')
      .selectAll()
      .where('call_id', '=', callId)
      .where('status', '=', 'recording')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toRecording(r);
  }

  /**
   * The file on disk. The stored path is our own, but it is still resolved and checked
   * to lie inside the data directory, so a bad row can never serve /etc/passwd.
   */
  absolutePath(r: RecordingRecord): string {
    const root = path.resolve(this.store.dataDir);
    const file = path.resolve(root, r.path);
    if (!file.startsWith(root + path.sep)) throw new Error(`recording ${r.id} path leaves the data directory`);
    return file;
  }
}
