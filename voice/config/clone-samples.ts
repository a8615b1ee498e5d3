// The background half of voice clones: fetch the sample, read its headers, keep it
// under DATA_DIR/clones/<tenant>/<id>.<ext> and mark the clone ready, or rejected with
// the reason. Jobs run outside the request, a few at a time; whatever goes wrong is
// recorded on the clone and logged, never thrown into the server. A clone whose job was
// cut short by a stop or a crash is still `processing` in the store, and
// resumeProcessingClones() picks it up at the next start.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AudioProbeError, probeAudioFile, type AudioInfo } from '../../media/audio-probe.js';
import type { Store } from '../../store/index.js';
import { DEFAULT_FETCH_LIMITS, fetchUrlToFile, UrlFetchError, type FetchLimits, type Resolver } from './url-fetch.js';

/** What a clone sample must be (spec §12). */
export const SAMPLE_RULES = { minSeconds: 30, minSampleRate: 16000, channels: 1 } as const;

export interface CloneSampleDeps {
  store: Store;
  logger: Logger;
  /** SWITCHBOARD_FETCH_ALLOW_PRIVATE */
  fetchAllowPrivate: boolean;
  fetchLimits?: Partial<FetchLimits>;
  resolve?: Resolver;
  /** Samples fetched at once; more wait their turn. */
  concurrency?: number;
}

/** Where a clone's sample lives, relative to the data directory. */
export function samplePath(tenantId: string, id: string, ext: string): string {
  return path.join('clones', tenantId, `${id}.${ext}`);
}

/** The problems that keep a decodable sample from being used, worded for the user. */
export function sampleProblems(info: AudioInfo): string[] {
  const problems: string[] = [];
  if (info.sampleRate < SAMPLE_RULES.minSampleRate) {
    problems.push(`sample is ${info.sampleRate} Hz; at least ${SAMPLE_RULES.minSampleRate / 1000} kHz is needed`);
  }
  if (info.channels !== SAMPLE_RULES.channels) {
    problems.push(`sample has ${info.channels} channels; mono is needed`);
  }
  if (info.durationSeconds < SAMPLE_RULES.minSeconds) {
    // Rounded down, so a 29.97 s sample does not read as "30.0 s; at least 30 s".
    const shown = (Math.floor(info.durationSeconds * 10) / 10).toFixed(1);
    problems.push(`sample is ${shown} s long; at least ${SAMPLE_RULES.minSeconds} s is needed`);
  }
  return problems;
}

function fetchReason(err: UrlFetchError, limits: FetchLimits): string {
  switch (err.kind) {
    case 'private_address':
      return `sample_url ${err.redirected ? 'redirects' : 'resolves'} to a private address`;
    case 'too_large':
      return `sample exceeds ${limits.maxBytes / (1024 * 1024)} MB`;
    case 'timeout':
      return `fetch timed out after ${limits.timeoutMs / 1000} s`;
    case 'http_status':
      return `fetching sample_url answered HTTP ${err.status}`;
    case 'too_many_redirects':
      return `sample_url redirected more than ${limits.maxRedirects} times`;
    case 'unsupported_url':
      return `sample_url redirected to a URL that is not http or https`;
    case 'dns':
      return `sample_url could not be resolved: ${err.message}`;
    case 'network':
      return `sample_url could not be fetched: ${err.message}`;
  }
}

type Outcome =
  | { status: 'ready'; info: AudioInfo; sizeBytes: number; path: string }
  | { status: 'rejected'; reason: string };

export class CloneSampleProcessor {
  private readonly queue: { tenantId: string; id: string }[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly queued = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private readonly limits: FetchLimits;
  private readonly log: Logger;

  constructor(private readonly deps: CloneSampleDeps) {
    this.limits = { ...DEFAULT_FETCH_LIMITS, ...deps.fetchLimits };
    this.log = deps.logger.child({ component: 'voice-clones' });
  }

  /** Schedules the sample of a `processing` clone. */
  enqueue(tenantId: string, id: string): void {
    if (this.queued.has(id) || this.running.has(id)) return;
    this.queued.add(id);
    this.queue.push({ tenantId, id });
    this.pump();
  }

  /** Stops the job of a clone being deleted; the job then records nothing. */
  cancel(id: string): void {
    this.running.get(id)?.abort();
    const i = this.queue.findIndex((j) => j.id === id);
    if (i >= 0) this.queue.splice(i, 1);
    this.queued.delete(id);
    this.settle();
  }

  /** Queues every clone of every tenant still `processing` (after a restart). */
  async resumePending(): Promise<number> {
    const rows = await this.deps.store.db
      .selectFrom('voice_clones')
      .select(['tenant_id', 'id'])
      .where('status', '=', 'processing')
      .orderBy('created_at', 'asc')
      .execute();
    for (const r of rows) this.enqueue(r.tenant_id, r.id);
    return rows.length;
  }

  /** Resolves when no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels everything (the server is stopping); the clones stay `processing` for the next start. */
  stop(): void {
    this.queue.length = 0;
    this.queued.clear();
    for (const ac of this.running.values()) ac.abort();
  }

  private pump(): void {
    const max = this.deps.concurrency ?? 2;
    while (this.running.size < max && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.queued.delete(job.id);
      const ac = new AbortController();
      this.running.set(job.id, ac);
      this.run(job.tenantId, job.id, ac.signal)
        .catch((err: unknown) => this.log.error({ err, tenant: job.tenantId, clone: job.id }, 'voice clone job failed'))
        .finally(() => {
          this.running.delete(job.id);
          this.pump();
          this.settle();
        });
    }
  }

  private settle(): void {
    if (this.queue.length > 0 || this.running.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async run(tenantId: string, id: string, signal: AbortSignal): Promise<void> {
    const { store } = this.deps;
    const row = await store.resources.clones.get(tenantId, id);
    if (!row || row.status !== 'processing') return;
    const dir = path.join(store.dataDir, 'clones', tenantId);
    await mkdir(dir, { recursive: true });
    const part = path.join(dir, `${id}.part`);

    let outcome: Outcome;
    try {
      outcome = await this.fetchAndProbe(tenantId, id, row.sample_url, part, signal);
    } catch (err) {
      await rm(part, { force: true });
      if (signal.aborted) return; // deleted or stopping: nothing to record
      this.log.error({ err, tenant: tenantId, clone: id }, 'voice clone sample could not be processed');
      outcome = { status: 'rejected', reason: 'the sample could not be processed (internal error)' };
    }
    if (signal.aborted) {
      await rm(outcome.status === 'ready' ? path.join(store.dataDir, outcome.path) : part, { force: true });
      return;
    }

    const values =
      outcome.status === 'ready'
        ? {
            status: 'ready',
            rejection_reason: null,
            format: outcome.info.format,
            sample_rate: outcome.info.sampleRate,
            channels: outcome.info.channels,
            duration_seconds: Math.round(outcome.info.durationSeconds * 1000) / 1000,
            size_bytes: outcome.sizeBytes,
            sample_path: outcome.path,
          }
        : { status: 'rejected', rejection_reason: outcome.reason };
    // Only a clone still processing is updated: one deleted meanwhile stays deleted.
    const r = await store.db
      .updateTable('voice_clones')
      .set({ ...values, updated_at: store.now().toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    const updated = Number(r.numUpdatedRows) > 0;
    if (outcome.status === 'ready' && !updated) await rm(path.join(store.dataDir, outcome.path), { force: true });
    if (updated) {
      this.log.info(
        { tenant: tenantId, clone: id, status: outcome.status, reason: outcome.status === 'rejected' ? outcome.reason : undefined },
        'voice clone sample processed',
      );
    }
  }

  private async fetchAndProbe(tenantId: string, id: string, url: string, part: string, signal: AbortSignal): Promise<Outcome> {
    let sizeBytes: number;
    try {
      ({ sizeBytes } = await fetchUrlToFile(url, part, {
        allowPrivate: this.deps.fetchAllowPrivate,
        limits: this.limits,
        resolve: this.deps.resolve,
        signal,
      }));
    } catch (err) {
      if (err instanceof UrlFetchError && !signal.aborted) return { status: 'rejected', reason: fetchReason(err, this.limits) };
      throw err;
    }
    let info: AudioInfo;
    try {
      info = probeAudioFile(part);
    } catch (err) {
      await rm(part, { force: true });
      if (err instanceof AudioProbeError) return { status: 'rejected', reason: err.message };
      throw err;
    }
    const problems = sampleProblems(info);
    if (problems.length > 0) {
      await rm(part, { force: true });
      return { status: 'rejected', reason: problems.join('. ') };
    }
    const rel = samplePath(tenantId, id, info.format);
    await rename(part, path.join(this.deps.store.dataDir, rel));
    return { status: 'ready', info, sizeBytes, path: rel };
  }
}

/**
 * Resumes the samples of clones left `processing` by a stop or crash; call once at
 * start, after the store is open. Resolves with how many were queued; the processor
 * returned with it can be stopped at shutdown.
 */
export async function resumeProcessingClones(deps: CloneSampleDeps): Promise<{ resumed: number; processor: CloneSampleProcessor }> {
  const processor = new CloneSampleProcessor(deps);
  return { resumed: await processor.resumePending(), processor };
}
