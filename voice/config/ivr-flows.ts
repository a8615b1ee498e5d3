// IVR flows: a graph of nodes and edges (the dashboard's XYFlow canvas) that answers
// the calls of the numbers routed to it. The definition is stored as sent, so the
// canvas gets back exactly what it saved (positions, sizes, labels); the runtime
// reads it through the validator, which applies the per-node defaults.
import type { Executor, Page, PageRequest, Store } from '../../store/index.js';
import type { IvrFlowsTable } from '../../store/schema.js';
import {
  compileStoredFlow,
  simulateFlow,
  validateFlow,
  type DirectoryEntry,
  type FlowEnvironment,
  type ReferenceLookup,
  type SimulationOptions,
  type SimulationReport,
} from '../../ivr-runtime/index.js';
import { deleteUnlessReferenced, type DeleteOutcome } from './delete-unless-referenced.js';

/** The `{nodes, edges}` object as the client sent it (plus any other XYFlow keys). */
export type FlowDefinition = Record<string, unknown>;

export interface IvrFlow {
  id: string;
  tenantId: string;
  name: string;
  definition: FlowDefinition;
  active: boolean;
  optionsCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface IvrFlowInput {
  name: string;
  definition: FlowDefinition;
  active: boolean;
}

function toFlow(r: IvrFlowsTable): IvrFlow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    definition: JSON.parse(r.definition) as FlowDefinition,
    active: r.active === 1,
    optionsCount: r.options_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Which referenced resources exist in the tenant, one query per kind. */
export function storeLookup(db: Executor, tenantId: string): ReferenceLookup {
  return {
    async existingExtensions(extensions) {
      const rows = await db
        .selectFrom('sip_credentials')
        .select('extension')
        .where('tenant_id', '=', tenantId)
        .where('extension', 'in', extensions)
        .execute();
      return new Set(rows.map((r) => r.extension).filter((e): e is string => e !== null));
    },
    async existingVoicemailBoxes(ids) {
      const rows = await db.selectFrom('voicemail_boxes').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
    async existingRingGroups(ids) {
      const rows = await db.selectFrom('ring_groups').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}

/** What a running flow may look up: voicemail boxes, and the directory dial-by-name searches. */
export function storeEnvironment(db: Executor, tenantId: string): FlowEnvironment {
  return {
    async voicemailBox(id) {
      const box = await db
        .selectFrom('voicemail_boxes')
        .select(['greeting', 'max_duration'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return box && { greeting: box.greeting, maxDurationSeconds: box.max_duration };
    },
    async directory(): Promise<DirectoryEntry[]> {
      const rows = await db
        .selectFrom('sip_credentials')
        .select(['username', 'display_name', 'extension'])
        .where('tenant_id', '=', tenantId)
        .where('extension', 'is not', null)
        .execute();
      return rows.map((r) => ({ name: r.display_name ?? r.username, extension: r.extension! }));
    },
  };
}

export class IvrFlowService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.ivrFlows;
  }

  /**
   * Validates inside the write's transaction, so a voicemail box or ring group cannot
   * be deleted between the check that it exists and the save that refers to it.
   */
  private async values(trx: Executor, tenantId: string, input: IvrFlowInput) {
    const { optionsCount } = await validateFlow(input.definition, storeLookup(trx, tenantId));
    return {
      name: input.name,
      definition: JSON.stringify(input.definition),
      active: input.active ? 1 : 0,
      options_count: optionsCount,
    };
  }

  /** Throws FlowGraphInvalidError with every problem of the definition. */
  async create(tenantId: string, input: IvrFlowInput): Promise<IvrFlow> {
    return this.store.db.transaction().execute(async (trx) => {
      return toFlow(await this.repo.insert(tenantId, await this.values(trx, tenantId, input), trx));
    });
  }

  async get(tenantId: string, id: string): Promise<IvrFlow | undefined> {
    const r = await this.repo.get(tenantId, id);
    return r && toFlow(r);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<IvrFlow>> {
    const p = await this.repo.list(tenantId, page);
    return { ...p, items: p.items.map(toFlow) };
  }

  /** Applies a partial update; fields left out keep their values. The merged flow is validated again. */
  async update(tenantId: string, id: string, patch: (current: IvrFlowInput) => IvrFlowInput): Promise<IvrFlow | undefined> {
    return this.store.db.transaction().execute(async (trx) => {
      const row = await this.repo.get(tenantId, id, trx);
      if (!row) return undefined;
      const cur = toFlow(row);
      const merged = patch({ name: cur.name, definition: cur.definition, active: cur.active });
      return toFlow((await this.repo.update(tenantId, id, await this.values(trx, tenantId, merged), trx))!);
    });
  }

  /** Refused while a number routes to the flow. */
  async delete(tenantId: string, id: string): Promise<DeleteOutcome> {
    return deleteUnlessReferenced(this.store, this.repo, 'ivr_flow', tenantId, id);
  }

  /** A dry run of a stored flow (active or not); undefined when there is no such flow. */
  async simulate(tenantId: string, id: string, opts: SimulationOptions): Promise<{ flow: IvrFlow; report: SimulationReport } | undefined> {
    const row = await this.repo.get(tenantId, id);
    if (!row) return undefined;
    const flow = toFlow(row);
    const report = await simulateFlow(compileStoredFlow(flow.definition), opts, storeEnvironment(this.store.db, tenantId));
    return { flow, report };
  }
}
