// POST /voice/transcribe (spec §10): an audio URL is fetched through the guarded fetch,
// recognised in the shared queue, and the result stored for polling. The row is the job:
// queued -> processing -> completed | failed. Jobs a stop cut short run again at start
// (the URL is kept), so an accepted job always ends in completed or failed.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import type { TranscriptsTable } from '../../store/schema.js';
import { fetchUrlToFile, UrlFetchError, type FetchLimits, type Resolver } from '../config/url-fetch.js';
import type { Transcriber } from './transcriber.js';
import { TranscriptionError } from './transcription-provider.js';

export type TranscriptStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface TranscriptView {
  id: string;
  tenantId: string;
  audioUrl: string;
  language: string;
  status: TranscriptStatus;
  text: string | null;
  error: string | null;
  durationSeconds: number | null;
  createdAt: string;
  completedAt: string | null;
}

export interface TranscriptJobsOptions {
  store: Store;
  transcriber: Transcriber;
  logger: Logger;
  /** SWITCHBOARD_FETCH_ALLOW_PRIVATE */
  allowPrivate: boolean;
  fetchLimits?: Partial<FetchLimits>;
  resolve?: Resolver;
  /** Downloads at once; more wait their turn (each may hold up to maxBytes on disk). */
  maxFetches?: number;
}

const DEFAULT_FETCH: Partial<FetchLimits> = { timeoutMs: 30_000, maxBytes: 100 * 1024 * 1024 };

function toView(r: TranscriptsTable): TranscriptView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    audioUrl: r.audio_url,
    language: r.language,
    status: r.status as TranscriptStatus,
    text: r.text,
    error: r.error,
    durationSeconds: r.duration_seconds,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  };
}

export class TranscriptJobs {
  private readonly workDir: string;
  private fetching = 0;
  private readonly fetchWaiters: (() => void)[] = [];
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: TranscriptJobsOptions) {
    this.workDir = path.join(opts.store.dataDir, 'speech', 'fetch');
  }

  supports(language: string): boolean {
    return this.opts.transcriber.supports(language);
  }

  /** Stores the job and starts it; the caller answers 202 with the queued view. */
  async submit(tenantId: string, audioUrl: string, language: string): Promise<TranscriptView> {
    const at = this.opts.store.now().toISOString();
    const row: TranscriptsTable = {
      id: this.opts.store.newId('tx'),
      tenant_id: tenantId,
      audio_url: audioUrl,
      language,
      status: 'queued',
      text: null,
      error: null,
      duration_seconds: null,
      completed_at: null,
      created_at: at,
      updated_at: at,
    };
    await this.opts.store.db.insertInto('transcripts').values(row).execute();
    this.start(row);
    return toView(row);
  }

  async get(tenantId: string, id: string): Promise<TranscriptView | undefined> {
    const r = await this.opts.store.db
      .selectFrom('transcripts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toView(r);
  }

  /** Runs again the jobs a stop or crash left queued or processing. */
  async resume(): Promise<number> {
    const rows = await this.opts.store.db
      .selectFrom('transcripts')
      .selectAll()
      .where('status', 'in', ['queued', 'processing'])
      .orderBy('created_at', 'asc')
      .execute();
    for (const r of rows) this.start(r);
    return rows.length;
  }

  /** Cancels downloads and waits for the jobs to settle (they stay queued for the next start). */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const w of this.fetchWaiters.splice(0)) w();
    await Promise.allSettled([...this.inFlight]);
  }

  private start(row: TranscriptsTable): void {
    const p = this.run(row)
      .catch((err: unknown) => this.opts.logger.error({ err, transcript: row.id }, 'transcription job crashed'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async run(row: TranscriptsTable): Promise<void> {
    const file = path.join(this.workDir, `${row.id}.audio`);
    try {
      await this.acquireFetch();
      try {
        if (this.stopping.signal.aborted) return;
        await mkdir(this.workDir, { recursive: true });
        await fetchUrlToFile(row.audio_url, file, {
          allowPrivate: this.opts.allowPrivate,
          limits: { ...DEFAULT_FETCH, ...this.opts.fetchLimits },
          signal: this.stopping.signal,
          ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}),
        });
      } finally {
        this.releaseFetch();
      }
      const result = await this.opts.transcriber.transcribe(file, row.language, () => {
        void this.update(row, { status: 'processing' });
      });
      await this.update(row, {
        status: 'completed',
        text: result.text,
        duration_seconds: result.durationSeconds,
        completed_at: this.opts.store.now().toISOString(),
      });
    } catch (err) {
      // A stop is not the job's failure: it stays queued and runs again at the next start.
      if (this.stopping.signal.aborted || (err instanceof TranscriptionError && err.kind === 'cancelled')) return;
      const message = err instanceof UrlFetchError || err instanceof TranscriptionError ? err.message : 'internal error';
      if (!(err instanceof UrlFetchError || err instanceof TranscriptionError)) {
        this.opts.logger.error({ err, transcript: row.id }, 'transcription failed');
      }
      await this.update(row, { status: 'failed', error: message, completed_at: this.opts.store.now().toISOString() });
    } finally {
      await rm(file, { force: true });
    }
  }

  private async update(row: TranscriptsTable, set: Partial<TranscriptsTable>): Promise<void> {
    await this.opts.store.db
      .updateTable('transcripts')
      .set({ ...set, updated_at: this.opts.store.now().toISOString() })
      .where('id', '=', row.id)
      .execute();
  }

  private acquireFetch(): Promise<void> {
    if (this.fetching < (this.opts.maxFetches ?? 4) || this.stopping.signal.aborted) {
      this.fetching++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.fetchWaiters.push(() => {
        this.fetching++;
        resolve();
      }),
    );
  }

  private releaseFetch(): void {
    this.fetching--;
    this.fetchWaiters.shift()?.();
  }
}
