// Voice clones (spec §12): a named voice made from a sample of one speaker, which
// agents speak with (agents.tts_voice_id). Creating one only records it as
// `processing`; clone-samples.ts fetches and checks the sample in the background.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { findReferences, type Page, type PageRequest, type Reference, type Store } from '../../store/index.js';
import type { VoiceClonesTable } from '../../store/schema.js';
import { CloneSampleProcessor, type CloneSampleDeps } from './clone-samples.js';

export { resumeProcessingClones, SAMPLE_RULES } from './clone-samples.js';

export const CLONE_STATUSES = ['processing', 'ready', 'rejected'] as const;
export type CloneStatus = (typeof CLONE_STATUSES)[number];
export const SAMPLE_FORMATS = ['wav', 'mp3', 'flac'] as const;

export interface VoiceClone {
  id: string;
  tenantId: string;
  name: string;
  language: string;
  sampleUrl: string;
  status: CloneStatus;
  rejectionReason: string | null;
  format: string | null;
  sampleRate: number | null;
  channels: number | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface VoiceCloneInput {
  name: string;
  language: string;
  sampleUrl: string;
}

/** language[-Script][-REGION], e.g. en, en-US, zh-Hans-CN, es-419: the BCP 47 tags TTS engines take. */
const LANGUAGE_TAG = /^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?$/;

export function isLanguageTag(s: string): boolean {
  return LANGUAGE_TAG.test(s);
}

/** BCP 47's conventional case: "EN-us" is stored as "en-US", "zh-hans-cn" as "zh-Hans-CN". */
export function normalizeLanguageTag(s: string): string {
  const m = LANGUAGE_TAG.exec(s);
  if (!m) return s;
  const [, lang, script, region] = m;
  let out = lang!.toLowerCase();
  if (script) out += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region) out += `-${region.toUpperCase()}`;
  return out;
}

function toClone(r: VoiceClonesTable): VoiceClone {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    language: r.language,
    sampleUrl: r.sample_url,
    status: r.status as CloneStatus,
    rejectionReason: r.rejection_reason,
    format: r.format,
    sampleRate: r.sample_rate,
    channels: r.channels,
    durationSeconds: r.duration_seconds,
    sizeBytes: r.size_bytes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type CloneDeleteOutcome = { kind: 'deleted' } | { kind: 'not_found' } | { kind: 'in_use'; refs: Reference[] };

export class VoiceCloneService {
  private readonly samples: CloneSampleProcessor;

  constructor(private readonly deps: CloneSampleDeps) {
    this.samples = new CloneSampleProcessor(deps);
  }

  private get store(): Store {
    return this.deps.store;
  }

  async create(tenantId: string, input: VoiceCloneInput): Promise<VoiceClone> {
    const row = await this.store.resources.clones.insert(tenantId, {
      name: input.name,
      language: input.language,
      sample_url: input.sampleUrl,
      status: 'processing',
      rejection_reason: null,
      format: null,
      sample_rate: null,
      channels: null,
      duration_seconds: null,
      size_bytes: null,
      sample_path: null,
    });
    this.samples.enqueue(tenantId, row.id);
    return toClone(row);
  }

  async get(tenantId: string, id: string): Promise<VoiceClone | undefined> {
    const r = await this.store.resources.clones.get(tenantId, id);
    return r && toClone(r);
  }

  async list(tenantId: string, page: PageRequest, status?: CloneStatus): Promise<Page<VoiceClone>> {
    const p = await this.store.resources.clones.list(tenantId, page, status ? { status } : {});
    return { ...p, items: p.items.map(toClone) };
  }

  /** Deletes the clone and its sample file, unless an agent still speaks with it. */
  async delete(tenantId: string, id: string): Promise<CloneDeleteOutcome> {
    const repo = this.store.resources.clones;
    // Checked and deleted in one transaction, so no agent can start using it in between.
    const outcome = await this.store.db.transaction().execute(async (trx) => {
      const row = await repo.get(tenantId, id, trx);
      if (!row) return { kind: 'not_found' as const };
      const refs = await findReferences(trx, tenantId, 'voice_clone', id);
      if (refs.length > 0) return { kind: 'in_use' as const, refs };
      await repo.delete(tenantId, id, trx);
      return { kind: 'deleted' as const, samplePath: row.sample_path };
    });
    if (outcome.kind !== 'deleted') return outcome;
    this.samples.cancel(id);
    const dir = path.join(this.store.dataDir, 'clones', tenantId);
    await rm(path.join(dir, `${id}.part`), { force: true });
    if (outcome.samplePath) await rm(path.join(this.store.dataDir, outcome.samplePath), { force: true });
    return { kind: 'deleted' };
  }

  /** Resolves when no sample is being processed (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.samples.whenIdle();
  }
}
