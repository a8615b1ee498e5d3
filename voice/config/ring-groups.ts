// Ring groups: one inbound destination that rings several members — SIP usernames
// (registered softphones), PSTN numbers, or other ring groups (team-of-teams). The
// group row and its ordered member rows are written in one transaction, after the
// checks that need the database: unique name, members that exist, no nesting loops.
import type { Transaction } from 'kysely';
import type { Database, Page, PageRequest, Store } from '../../store/index.js';
import type { RingGroupMembersTable, RingGroupsTable } from '../../store/schema.js';
import { deleteUnlessReferenced, type DeleteOutcome } from './delete-unless-referenced.js';
import { ConfigError } from './errors.js';
import { cyclePath, type RingGroupGraph } from './ring-group-cycles.js';

export const RING_STRATEGIES = ['simultaneous', 'sequential', 'round_robin', 'longest_idle'] as const;
export type RingStrategy = (typeof RING_STRATEGIES)[number];
export const MEMBER_KINDS = ['sip_username', 'pstn', 'ring_group'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

/** The seed's PSTN member format: E.164-ish, digits only, optional leading "+". */
export const PSTN_MEMBER = /^\+?[0-9]{7,20}$/;
export const DEFAULT_RING_TIMEOUT_SEC = 30;
export const MAX_MEMBERS = 100;

export interface RingGroupMember {
  kind: MemberKind;
  value: string;
}

export interface RingGroupInput {
  name: string;
  strategy: RingStrategy;
  ringTimeoutSec: number;
  members: RingGroupMember[];
}

export interface RingGroup extends RingGroupInput {
  id: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
}

type Trx = Transaction<Database>;

function toRingGroup(r: RingGroupsTable, members: RingGroupMembersTable[]): RingGroup {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    strategy: r.strategy as RingStrategy,
    ringTimeoutSec: r.ring_timeout_sec,
    members: members.map((m) => ({ kind: m.kind as MemberKind, value: m.value })),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class RingGroupService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.ringGroups;
  }

  /**
   * Every rule needing the database, all problems reported at once. Runs inside the
   * writing transaction, so two concurrent saves cannot each pass the loop check and
   * together build a loop (the store serialises transactions).
   */
  private async check(trx: Trx, tenantId: string, selfId: string | undefined, input: RingGroupInput): Promise<void> {
    const errors = new ConfigError();

    const clash = await trx
      .selectFrom('ring_groups')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (clash && clash.id !== selfId) {
      errors.add('name', 'taken', `a ring group named "${input.name}" already exists`);
    }

    const valuesOf = (kind: MemberKind) => input.members.filter((m) => m.kind === kind).map((m) => m.value);
    const usernames = valuesOf('sip_username');
    const knownUsernames = new Set(
      usernames.length === 0
        ? []
        : (
            await trx
              .selectFrom('sip_credentials')
              .select('username')
              .where('tenant_id', '=', tenantId)
              .where('username', 'in', usernames)
              .execute()
          ).map((r) => r.username),
    );
    const groupIds = valuesOf('ring_group');
    const knownGroups = new Map(
      groupIds.length === 0
        ? []
        : (
            await trx
              .selectFrom('ring_groups')
              .select(['id', 'name'])
              .where('tenant_id', '=', tenantId)
              .where('id', 'in', groupIds)
              .execute()
          ).map((r) => [r.id, r.name]),
    );

    // A new group cannot close a loop: no other group can hold it yet.
    const graph = selfId !== undefined && groupIds.length > 0 ? await this.graph(trx, tenantId) : undefined;

    for (const [i, m] of input.members.entries()) {
      const field = `members[${i}].value`;
      if (m.kind === 'sip_username' && !knownUsernames.has(m.value)) {
        errors.add(field, 'not_found', `no SIP credential with username "${m.value}" exists`);
      }
      if (m.kind !== 'ring_group') continue;
      if (m.value === selfId) {
        errors.add(field, 'self_reference', 'a ring group cannot contain itself');
        continue;
      }
      if (!knownGroups.has(m.value)) {
        errors.add(field, 'not_found', `no ring group ${m.value} exists`);
        continue;
      }
      const loop = graph && cyclePath(graph, selfId!, m.value);
      if (loop) {
        const names = await this.names(trx, tenantId, loop);
        const shown = loop.map((id) => (names.has(id) ? `"${names.get(id)}" (${id})` : id)).join(' → ');
        errors.add(field, 'cycle', `ring group ${m.value} already contains this group, which would make a loop: ${shown}`);
      }
    }
    errors.throwIfAny();
  }

  /** The tenant's ring-group nesting edges as stored. */
  private async graph(trx: Trx, tenantId: string): Promise<RingGroupGraph> {
    const rows = await trx
      .selectFrom('ring_group_members')
      .select(['ring_group_id', 'value'])
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'ring_group')
      .orderBy('ring_group_id')
      .orderBy('position')
      .execute();
    const g = new Map<string, string[]>();
    for (const r of rows) {
      const list = g.get(r.ring_group_id) ?? [];
      list.push(r.value);
      g.set(r.ring_group_id, list);
    }
    return g;
  }

  private async names(trx: Trx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
    const rows = await trx
      .selectFrom('ring_groups')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async writeMembers(trx: Trx, tenantId: string, groupId: string, members: RingGroupMember[]): Promise<RingGroupMembersTable[]> {
    await trx.deleteFrom('ring_group_members').where('ring_group_id', '=', groupId).execute();
    const rows = members.map((m, position) => ({ ring_group_id: groupId, position, tenant_id: tenantId, kind: m.kind, value: m.value }));
    if (rows.length > 0) await trx.insertInto('ring_group_members').values(rows).execute();
    return rows;
  }

  private async membersOf(tenantId: string, groupIds: string[]): Promise<Map<string, RingGroupMembersTable[]>> {
    const byGroup = new Map<string, RingGroupMembersTable[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return byGroup;
    const rows = await this.store.db
      .selectFrom('ring_group_members')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('ring_group_id', 'in', groupIds)
      .orderBy('ring_group_id')
      .orderBy('position')
      .execute();
    for (const r of rows) byGroup.get(r.ring_group_id)?.push(r);
    return byGroup;
  }

  /** Runs a write, turning a lost race on the unique name index into the same 422 as the check. */
  private async write<T>(name: string, work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await this.store.db.transaction().execute(work);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConfigError().add('name', 'taken', `a ring group named "${name}" already exists`);
      throw err;
    }
  }

  async create(tenantId: string, input: RingGroupInput): Promise<RingGroup> {
    return this.write(input.name, async (trx) => {
      await this.check(trx, tenantId, undefined, input);
      const row = await this.repo.insert(
        tenantId,
        { name: input.name, strategy: input.strategy, ring_timeout_sec: input.ringTimeoutSec },
        trx,
      );
      return toRingGroup(row, await this.writeMembers(trx, tenantId, row.id, input.members));
    });
  }

  async get(tenantId: string, id: string): Promise<RingGroup | undefined> {
    const row = await this.repo.get(tenantId, id);
    if (!row) return undefined;
    return toRingGroup(row, (await this.membersOf(tenantId, [id])).get(id) ?? []);
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<RingGroup>> {
    const p = await this.repo.list(tenantId, page);
    const members = await this.membersOf(
      tenantId,
      p.items.map((r) => r.id),
    );
    return { ...p, items: p.items.map((r) => toRingGroup(r, members.get(r.id) ?? [])) };
  }

  /** Applies a partial update; fields left out keep their values. `members`, when sent, replaces the list. */
  async update(
    tenantId: string,
    id: string,
    patch: (current: RingGroupInput) => RingGroupInput,
  ): Promise<RingGroup | undefined> {
    const current = await this.get(tenantId, id);
    if (!current) return undefined;
    const merged = patch({
      name: current.name,
      strategy: current.strategy,
      ringTimeoutSec: current.ringTimeoutSec,
      members: current.members,
    });
    return this.write(merged.name, async (trx) => {
      await this.check(trx, tenantId, id, merged);
      const row = await this.repo.update(
        tenantId,
        id,
        { name: merged.name, strategy: merged.strategy, ring_timeout_sec: merged.ringTimeoutSec },
        trx,
      );
      if (!row) return undefined; // deleted meanwhile
      return toRingGroup(row, await this.writeMembers(trx, tenantId, id, merged.members));
    });
  }

  /** Refused while a number, another ring group or an IVR flow still points at the group. */
  async delete(tenantId: string, id: string): Promise<DeleteOutcome> {
    return deleteUnlessReferenced(this.store, this.repo, 'ring_group', tenantId, id);
  }
}
