// Agents (agt_*) answer queue and routed calls. A human agent is reached at a SIP
// extension or a phone number; an AI agent through a bidirectional audio WebSocket
// (stream_url). Presence (status) decides who gets the next queued call.
import type { Executor, Page, PageRequest, Store } from '../../store/index.js';
import type { AgentsTable } from '../../store/schema.js';
import { deleteUnlessReferenced, type DeleteOutcome } from './delete-unless-referenced.js';
import { ConfigError, ConflictError } from './errors.js';

export const AGENT_KINDS = ['human', 'ai'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
export const AGENT_STATUSES = ['available', 'busy', 'wrap_up', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export const MAX_SKILLS = 50;

export interface AgentInput {
  name: string;
  kind: AgentKind;
  /** ext_ id of a SIP credential of the tenant. */
  extensionId: string | null;
  /** E.164. */
  phoneNumber: string | null;
  /** ws:// or wss:// URL of the AI agent's audio stream. */
  streamUrl: string | null;
  skills: string[];
  /** clone_ id of a voice clone of the tenant. */
  ttsVoiceId: string | null;
  archived: boolean;
}

export interface Agent extends AgentInput {
  id: string;
  tenantId: string;
  status: AgentStatus;
  statusChangedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface AgentFilter {
  status?: AgentStatus;
  kind?: AgentKind;
  archived?: boolean;
}

function toAgent(r: AgentsTable): Agent {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    kind: r.kind as AgentKind,
    extensionId: r.extension_id,
    phoneNumber: r.phone_number,
    streamUrl: r.stream_url,
    skills: JSON.parse(r.skills) as string[],
    ttsVoiceId: r.tts_voice_id,
    archived: r.archived === 1,
    status: r.status as AgentStatus,
    statusChangedAt: r.status_changed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function values(a: AgentInput) {
  return {
    name: a.name,
    kind: a.kind,
    extension_id: a.extensionId,
    phone_number: a.phoneNumber,
    stream_url: a.streamUrl,
    tts_voice_id: a.ttsVoiceId,
    skills: JSON.stringify(a.skills),
    archived: a.archived ? 1 : 0,
  };
}

/**
 * Fields left out of an update keep their values, except that turning an AI agent into
 * a human drops its stream_url when the update does not mention it: humans have none,
 * and making the caller also send `stream_url: null` would add nothing.
 */
export function mergeAgent(current: AgentInput, patch: Partial<AgentInput>): AgentInput {
  const keep = <K extends keyof AgentInput>(k: K): AgentInput[K] => (patch[k] !== undefined ? patch[k] : current[k]) as AgentInput[K];
  const merged: AgentInput = {
    name: keep('name'),
    kind: keep('kind'),
    extensionId: keep('extensionId'),
    phoneNumber: keep('phoneNumber'),
    streamUrl: keep('streamUrl'),
    skills: keep('skills'),
    ttsVoiceId: keep('ttsVoiceId'),
    archived: keep('archived'),
  };
  if (merged.kind === 'human' && current.kind !== 'human' && patch.streamUrl === undefined) merged.streamUrl = null;
  return merged;
}

export class AgentService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.agents;
  }

  private async check(tenantId: string, a: AgentInput, trx?: Executor): Promise<void> {
    const errors = new ConfigError();
    if (a.kind === 'human') {
      if (a.extensionId === null && a.phoneNumber === null) {
        const msg = 'a human agent needs extension_id or phone_number to be reached at';
        errors.add('extension_id', 'required', msg).add('phone_number', 'required', msg);
      }
      if (a.streamUrl !== null) {
        errors.add('stream_url', 'not_allowed', 'stream_url is for AI agents; a human agent is reached at extension_id or phone_number');
      }
    } else if (a.streamUrl === null) {
      errors.add('stream_url', 'required', 'an AI agent needs stream_url (ws:// or wss://)');
    }
    if (a.extensionId !== null && !(await this.store.resources.credentials.get(tenantId, a.extensionId, trx))) {
      errors.add('extension_id', 'not_found', `no extension ${a.extensionId} exists`);
    }
    if (a.ttsVoiceId !== null) {
      const clone = await this.store.resources.clones.get(tenantId, a.ttsVoiceId, trx);
      if (!clone) errors.add('tts_voice_id', 'not_found', `no voice clone ${a.ttsVoiceId} exists`);
      else if (clone.status === 'rejected') {
        errors.add('tts_voice_id', 'clone_rejected', `voice clone ${a.ttsVoiceId} was rejected and cannot speak`);
      }
    }
    errors.throwIfAny();
  }

  async create(tenantId: string, input: AgentInput): Promise<Agent> {
    await this.check(tenantId, input);
    const at = this.store.now().toISOString();
    return toAgent(await this.repo.insert(tenantId, { ...values(input), status: 'offline', status_changed_at: at }));
  }

  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toAgent(r);
  }

  async list(tenantId: string, page: PageRequest, filter: AgentFilter = {}): Promise<Page<Agent>> {
    const p = await this.repo.list(tenantId, page, {
      status: filter.status,
      kind: filter.kind,
      archived: filter.archived === undefined ? undefined : filter.archived ? 1 : 0,
    });
    return { ...p, items: p.items.map(toAgent) };
  }

  /**
   * Applies a partial update (see mergeAgent). Archiving an available agent also takes
   * it offline, since an archived agent must never be offered calls; a busy one keeps
   * its status until its call ends.
   */
  async update(tenantId: string, id: string, patch: Partial<AgentInput>): Promise<Agent | undefined> {
    // One transaction, so a concurrent status change cannot make an archived agent available.
    return this.store.db.transaction().execute(async (trx) => {
      const row = await this.repo.get(tenantId, id, trx);
      if (!row) return undefined;
      const current = toAgent(row);
      const merged = mergeAgent(current, patch);
      await this.check(tenantId, merged, trx);
      const presence =
        merged.archived && current.status === 'available'
          ? { status: 'offline', status_changed_at: this.store.now().toISOString() }
          : {};
      const updated = await this.repo.update(tenantId, id, { ...values(merged), ...presence }, trx);
      return updated && toAgent(updated);
    });
  }

  /**
   * Sets presence. Re-sending the current status changes nothing, so status_changed_at
   * keeps measuring how long the agent has been in it (longest_idle relies on that).
   */
  async setStatus(tenantId: string, id: string, status: AgentStatus): Promise<Agent | undefined> {
    return this.store.db.transaction().execute(async (trx) => {
      const row = await this.repo.get(tenantId, id, trx);
      if (!row) return undefined;
      const current = toAgent(row);
      if (status === 'available' && current.archived) {
        throw new ConflictError('AGENT_ARCHIVED', `agent ${id} is archived and cannot be set available`, 'status');
      }
      if (status === current.status) return current;
      const updated = await this.repo.update(tenantId, id, { status, status_changed_at: this.store.now().toISOString() }, trx);
      return updated && toAgent(updated);
    });
  }

  /** Refused while a number routes to the agent or an IVR flow transfers to it. */
  async delete(tenantId: string, id: string): Promise<DeleteOutcome> {
    return deleteUnlessReferenced(this.store, this.repo, 'agent', tenantId, id);
  }
}
