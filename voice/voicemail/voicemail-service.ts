// The voicemail service of one server: a call flow deposits a recorded message; the
// message is stored (file + row + voicemail.received event, crash-safe through the
// deposit journal), then transcribed and announced by e-mail in the background. Nothing
// that happens after the row is committed can lose the message.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Executor, Store } from '../../store/index.js';
import type { VoicemailBoxesTable, VoicemailMessagesTable } from '../../store/schema.js';
import type { WebhookPublisher } from '../webhooks/publisher.js';
import type { Transcriber } from '../speech/transcriber.js';
import { TranscriptionError } from '../speech/transcription-provider.js';
import {
  journalPath,
  moveFile,
  readJournals,
  removeJournal,
  tenantDir,
  writeJournal,
  type JournalEntry,
} from './deposit-journal.js';
import type { EmailNotifier } from './email-notifier.js';
import { messageJson } from './message-json.js';
import { messageRelativePath, toView, VoicemailMessages } from './messages.js';
import {
  VoicemailDepositError,
  type VoicemailDepositInput,
  type VoicemailDepositor,
  type VoicemailMessageView,
} from './types.js';

export const VOICEMAIL_EVENT_TYPES = ['voicemail.received', 'voicemail.transcribed'] as const;

/** Boxes have no language; the installed model is US English. */
const TRANSCRIPTION_LANGUAGE = 'en-US';

export interface VoicemailServiceOptions {
  store: Store;
  logger: Logger;
  /** voicemail.* events to the box's webhook_url; absent, none are queued. */
  publisher?: WebhookPublisher;
  /** Absent: messages of transcribing boxes end with transcription_status failed. */
  transcriber?: Transcriber;
  /** Absent or unconfigured: no e-mail. */
  notifier?: EmailNotifier;
}

export class VoicemailService implements VoicemailDepositor {
  readonly messages: VoicemailMessages;
  private readonly log: Logger;
  private readonly background = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: VoicemailServiceOptions) {
    this.messages = new VoicemailMessages(opts.store);
    this.log = opts.logger.child({ part: 'voicemail' });
  }

  /**
   * Stores a message the caller has finished recording. Throws VoicemailDepositError when
   * there is no such box (or the tenant has none) or the file is not there; then the file
   * is left where it was.
   */
  async deposit(input: VoicemailDepositInput): Promise<VoicemailMessageView> {
    const { store } = this.opts;
    if (input.caller.trim() === '') throw new VoicemailDepositError('invalid', 'caller is empty');
    if (!Number.isFinite(input.durationSeconds) || input.durationSeconds < 0) {
      throw new VoicemailDepositError('invalid', `durationSeconds must be a non-negative number, not ${input.durationSeconds}`);
    }
    if (input.direction !== 'inbound' && input.direction !== 'outbound') {
      throw new VoicemailDepositError('invalid', `direction must be inbound or outbound`);
    }
    try {
      if (!(await stat(input.audioPath)).isFile()) throw new Error('not a file');
    } catch {
      throw new VoicemailDepositError('bad_audio', `no recording at ${input.audioPath}`);
    }
    const box = await this.resolveBox(input.tenantId, input.voicemailId);
    const entry: JournalEntry = {
      id: store.newId('vmsg'),
      tenantId: input.tenantId,
      voicemailId: box.id,
      caller: input.caller,
      callee: input.callee,
      direction: input.direction,
      callId: input.callId,
      durationSeconds: input.durationSeconds,
      createdAt: store.now().toISOString(),
      source: path.resolve(input.audioPath),
    };
    await writeJournal(store.dataDir, entry);
    try {
      await moveFile(entry.source, this.finalFile(entry));
    } catch (err) {
      // Nothing moved: the journal would only confuse the next start.
      await removeJournal(store.dataDir, entry.tenantId, entry.id);
      throw new VoicemailDepositError('bad_audio', `the recording could not be stored: ${(err as Error).message}`);
    }
    const row = await this.commit(entry);
    await removeJournal(store.dataDir, entry.tenantId, entry.id);
    if (!row) throw new VoicemailDepositError('no_box', `voicemail box ${box.id} was deleted during the deposit`);
    this.log.info({ tenant: entry.tenantId, voicemail: entry.id, box: box.id, seconds: entry.durationSeconds }, 'voicemail stored');
    this.after(row);
    return toView(row);
  }

  /**
   * Finishes what a stop or crash cut short: deposits still journaled, transcriptions
   * still pending. Called once at start, before calls are taken.
   */
  async recover(): Promise<{ adopted: number; dropped: number; resumed: number }> {
    const { store } = this.opts;
    const { entries, unreadable } = await readJournals(store.dataDir);
    for (const f of unreadable) this.log.warn({ file: f }, 'unreadable voicemail deposit journal left in place');
    let adopted = 0;
    let dropped = 0;
    for (const e of entries) {
      const existing = await this.messages.row(e.tenantId, e.id);
      if (existing) {
        await removeJournal(store.dataDir, e.tenantId, e.id);
        continue;
      }
      const file = this.finalFile(e);
      const have = await isFile(file);
      if (!have && !(await isFile(e.source))) {
        this.log.error({ tenant: e.tenantId, voicemail: e.id, source: e.source }, 'voicemail lost before it was stored: no recording');
        await removeJournal(store.dataDir, e.tenantId, e.id);
        dropped++;
        continue;
      }
      try {
        if (!have) await moveFile(e.source, file);
        // The box may have gone meanwhile: then the tenant's default box takes the message.
        const box = (await this.box(e.tenantId, e.voicemailId)) ?? (await this.defaultBox(e.tenantId));
        const row = box && (await this.commit({ ...e, voicemailId: box.id }));
        if (!row) {
          this.log.error({ tenant: e.tenantId, voicemail: e.id, file: journalPath(store.dataDir, e.tenantId, e.id) }, 'voicemail recovered on disk but the tenant has no box; journal kept');
          continue;
        }
        await removeJournal(store.dataDir, e.tenantId, e.id);
        this.log.warn({ tenant: e.tenantId, voicemail: e.id }, 'voicemail deposit interrupted by a stop was completed');
        adopted++;
        this.after(row);
      } catch (err) {
        this.log.error({ err, tenant: e.tenantId, voicemail: e.id }, 'voicemail deposit could not be recovered; journal kept');
      }
    }
    const pending = await this.messages.pendingTranscriptions();
    for (const r of pending) this.after(r);
    return { adopted, dropped, resumed: pending.length };
  }

  /** Lets background work settle (transcriptions are aborted by the transcriber's stop). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.notifier?.stop();
    await Promise.allSettled([...this.background]);
  }

  private finalFile(e: { tenantId: string; id: string }): string {
    return path.join(tenantDir(this.opts.store.dataDir, e.tenantId), `${e.id}.wav`);
  }

  private async box(tenantId: string, id: string, trx?: Executor): Promise<VoicemailBoxesTable | undefined> {
    return this.opts.store.resources.voicemailBoxes.get(tenantId, id, trx);
  }

  private async defaultBox(tenantId: string, trx?: Executor): Promise<VoicemailBoxesTable | undefined> {
    const id = await this.messages.defaultBoxId(tenantId, trx);
    return id ? this.box(tenantId, id, trx) : undefined;
  }

  private async resolveBox(tenantId: string, id: string | null): Promise<VoicemailBoxesTable> {
    const box = id === null ? await this.defaultBox(tenantId) : await this.box(tenantId, id);
    if (!box) {
      throw new VoicemailDepositError('no_box', id === null ? `tenant ${tenantId} has no voicemail box` : `no voicemail box ${id}`);
    }
    return box;
  }

  /** The row and its voicemail.received event, together; undefined when the box is gone. */
  private async commit(e: JournalEntry): Promise<VoicemailMessagesTable | undefined> {
    return this.opts.store.db.transaction().execute(async (trx) => {
      const box = await this.box(e.tenantId, e.voicemailId, trx);
      if (!box) return undefined;
      const row: VoicemailMessagesTable = {
        id: e.id,
        tenant_id: e.tenantId,
        voicemail_id: box.id,
        caller: e.caller,
        callee: e.callee,
        direction: e.direction,
        call_id: e.callId,
        duration_seconds: e.durationSeconds,
        recording_path: messageRelativePath(e.tenantId, e.id),
        transcription: null,
        transcription_status: box.transcribe === 1 ? 'pending' : 'none',
        listened: 0,
        created_at: e.createdAt,
        updated_at: e.createdAt,
      };
      await trx.insertInto('voicemail_messages').values(row).execute();
      if (box.webhook_url && this.opts.publisher) {
        await this.opts.publisher.publish(
          e.tenantId,
          { type: 'voicemail.received', data: messageJson(toView(row), null), url: box.webhook_url },
          trx,
        );
      }
      return row;
    });
  }

  /** Transcription, then e-mail (so the mail carries the words), off the caller's path. */
  private after(row: VoicemailMessagesTable): void {
    if (this.stopped) return;
    const p = this.followUp(row)
      .catch((err: unknown) => this.log.error({ err, voicemail: row.id }, 'voicemail follow-up failed'))
      .finally(() => this.background.delete(p));
    this.background.add(p);
  }

  private async followUp(row: VoicemailMessagesTable): Promise<void> {
    let view: VoicemailMessageView | undefined = toView(row);
    if (view.transcriptionStatus === 'pending') {
      view = await this.transcribe(row);
      if (!view) return; // deleted meanwhile, or the server is stopping
    }
    const box = await this.box(row.tenant_id, row.voicemail_id);
    const file = this.messages.audioFile(row.recording_path);
    if (box?.notification_email && file && this.opts.notifier) {
      await this.opts.notifier.notify({
        message: view,
        boxName: box.name,
        to: box.notification_email,
        audioFile: file,
        transcribes: box.transcribe === 1,
      });
    }
  }

  private async transcribe(row: VoicemailMessagesTable): Promise<VoicemailMessageView | undefined> {
    const file = this.messages.audioFile(row.recording_path);
    const log = this.log.child({ tenant: row.tenant_id, voicemail: row.id });
    let view: VoicemailMessageView | undefined;
    try {
      if (!this.opts.transcriber) throw new TranscriptionError('engine', 'no transcription engine is configured');
      if (!file) throw new TranscriptionError('bad_audio', 'the recording is outside the data directory');
      const t = await this.opts.transcriber.transcribe(file, TRANSCRIPTION_LANGUAGE);
      view = await this.messages.setTranscription(row.tenant_id, row.id, 'completed', t.text);
      log.info({ words: t.text === '' ? 0 : t.text.split(' ').length }, 'voicemail transcribed');
    } catch (err) {
      // Stopping: the row stays pending and is transcribed at the next start.
      if (this.stopped || (err instanceof TranscriptionError && err.kind === 'cancelled')) return undefined;
      if (!(await this.messages.row(row.tenant_id, row.id))) return undefined;
      log.warn({ err: (err as Error).message }, 'voicemail transcription failed; the message is kept without text');
      view = await this.messages.setTranscription(row.tenant_id, row.id, 'failed', null);
    }
    if (!view) return undefined;
    const box = await this.box(row.tenant_id, row.voicemail_id);
    if (box?.webhook_url && this.opts.publisher) {
      await this.opts.publisher.publish(row.tenant_id, {
        type: 'voicemail.transcribed',
        data: messageJson(view, null),
        url: box.webhook_url,
      });
    }
    return view;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
