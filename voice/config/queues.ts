// Call queues (ACD): callers wait, hearing hold music, until an available agent takes
// them; after max_wait_seconds the overflow action runs. This is the configuration;
// enqueueing and live statistics come with the call runtime.
import type { Page, PageRequest, Store } from '../../store/index.js';
import type { QueuesTable } from '../../store/schema.js';
import { deleteUnlessReferenced, type DeleteOutcome } from './delete-unless-referenced.js';
import { ConfigError } from './errors.js';

export const QUEUE_STRATEGIES = ['longest_idle', 'round_robin', 'least_calls', 'random'] as const;
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];
export const OVERFLOW_ACTIONS = ['voicemail', 'transfer_number', 'hangup'] as const;
export type OverflowAction = (typeof OVERFLOW_ACTIONS)[number];
export const DEFAULT_MAX_WAIT_SECONDS = 300;

export interface QueueInput {
  name: string;
  strategy: QueueStrategy;
  maxWaitSeconds: number;
  overflowAction: OverflowAction;
  /** E.164; only with overflowAction transfer_number, and required then. */
  overflowNumber: string | null;
  /** Only with overflowAction voicemail; null means the account's oldest voicemail box. */
  overflowVoicemailId: string | null;
  holdMusicUrl: string | null;
}

export interface Queue extends QueueInput {
  id: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
}

function toQueue(r: QueuesTable): Queue {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    strategy: r.strategy as QueueStrategy,
    maxWaitSeconds: r.max_wait_seconds,
    overflowAction: r.overflow_action as OverflowAction,
    overflowNumber: r.overflow_number,
    overflowVoicemailId: r.overflow_voicemail_id,
    holdMusicUrl: r.hold_music_url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function values(q: QueueInput) {
  return {
    name: q.name,
    strategy: q.strategy,
    max_wait_seconds: q.maxWaitSeconds,
    overflow_action: q.overflowAction,
    overflow_number: q.overflowNumber,
    overflow_voicemail_id: q.overflowVoicemailId,
    hold_music_url: q.holdMusicUrl,
  };
}

/**
 * The overflow target fields belong to one overflow action each. When an update moves
 * the queue to another action and does not mention the old action's target, the
 * target is dropped: it would otherwise be a stale setting (and a stale reference
 * that blocks deleting the voicemail box).
 */
export function mergeQueue(current: QueueInput, patch: Partial<QueueInput>): QueueInput {
  const keep = <K extends keyof QueueInput>(k: K): QueueInput[K] => (patch[k] !== undefined ? patch[k] : current[k]) as QueueInput[K];
  const merged: QueueInput = {
    name: keep('name'),
    strategy: keep('strategy'),
    maxWaitSeconds: keep('maxWaitSeconds'),
    overflowAction: keep('overflowAction'),
    overflowNumber: keep('overflowNumber'),
    overflowVoicemailId: keep('overflowVoicemailId'),
    holdMusicUrl: keep('holdMusicUrl'),
  };
  if (merged.overflowAction !== current.overflowAction) {
    if (patch.overflowNumber === undefined && merged.overflowAction !== 'transfer_number') merged.overflowNumber = null;
    if (patch.overflowVoicemailId === undefined && merged.overflowAction !== 'voicemail') merged.overflowVoicemailId = null;
  }
  return merged;
}

export class QueueService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.queues;
  }

  private async check(tenantId: string, q: QueueInput): Promise<void> {
    const errors = new ConfigError();
    if (q.overflowAction === 'transfer_number' && q.overflowNumber === null) {
      errors.add('overflow_number', 'required', 'overflow_number is required when overflow_action is transfer_number');
    }
    if (q.overflowAction !== 'transfer_number' && q.overflowNumber !== null) {
      errors.add('overflow_number', 'not_allowed', 'overflow_number is only used with overflow_action transfer_number');
    }
    if (q.overflowVoicemailId !== null) {
      if (q.overflowAction !== 'voicemail') {
        errors.add('overflow_voicemail_id', 'not_allowed', 'overflow_voicemail_id is only used with overflow_action voicemail');
      } else if (!(await this.store.resources.voicemailBoxes.get(tenantId, q.overflowVoicemailId))) {
        errors.add('overflow_voicemail_id', 'not_found', `no voicemail box ${q.overflowVoicemailId} exists`);
      }
    }
    errors.throwIfAny();
  }

  async create(tenantId: string, input: QueueInput): Promise<Queue> {
    await this.check(tenantId, input);
    return toQueue(await this.repo.insert(tenantId, values(input)));
  }

  async get(tenantId: string, id: string): Promise<Queue | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toQueue(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Queue>> {
    const p = await this.repo.list(tenantId, page);
    return { ...p, items: p.items.map(toQueue) };
  }

  /** Applies a partial update (see mergeQueue); the merged queue is validated as a whole. */
  async update(tenantId: string, id: string, patch: Partial<QueueInput>): Promise<Queue | undefined> {
    const current = await this.get(tenantId, id);
    if (!current) return undefined;
    const merged = mergeQueue(current, patch);
    await this.check(tenantId, merged);
    const row = await this.repo.update(tenantId, id, values(merged));
    return row && toQueue(row);
  }

  /** Refused while a number routes to the queue or an IVR flow sends callers to it. */
  async delete(tenantId: string, id: string): Promise<DeleteOutcome> {
    return deleteUnlessReferenced(this.store, this.repo, 'queue', tenantId, id);
  }
}
