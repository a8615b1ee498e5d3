// Who a ring group rings, in what order (spec §8): nested groups are flattened into their
// leaves (a group met twice rings once; the API refuses loops at save time, this guards
// anyway), and each leaf becomes a destination: a sip_username member is the tenant's
// extension (rung at its registration), a pstn member a number out through the trunk.
//   simultaneous: every leaf at once, first answer wins;
//   sequential:   SIP usernames in order, then PSTN numbers;
//   round_robin:  in order, starting one further along on each call;
//   longest_idle: the member least recently rung first, never-rung first, ties alphabetical.
import type { B2buaContext } from '../b2bua/b2bua-context.js';
import { asE164 } from '../b2bua/destination.js';
import type { Reachable } from '../b2bua/dialer.js';
import { RingGroupService, type RingGroup, type RingGroupMember } from '../config/ring-groups.js';

const MAX_DEPTH = 8;

export interface RingPlan {
  group: RingGroup;
  /** Leaves to ring, in order (simultaneous: all together). */
  leaves: { member: RingGroupMember; dest: Reachable }[];
}

/** In-process memory of the strategies that need it: round-robin cursors and when members were last rung. */
export class RingGroupState {
  private readonly cursors = new Map<string, number>();
  private readonly lastRung = new Map<string, number>();
  private clock = 0;

  nextStart(groupId: string, size: number): number {
    const at = this.cursors.get(groupId) ?? 0;
    this.cursors.set(groupId, (at + 1) % Math.max(size, 1));
    return at % Math.max(size, 1);
  }

  rung(groupId: string, m: RingGroupMember): void {
    this.lastRung.set(`${groupId}\u0000${m.kind}:${m.value}`, ++this.clock);
  }

  lastRungOf(groupId: string, m: RingGroupMember): number {
    return this.lastRung.get(`${groupId}\u0000${m.kind}:${m.value}`) ?? 0;
  }
}

export async function ringPlan(ctx: B2buaContext, state: RingGroupState, tenantId: string, groupId: string): Promise<RingPlan | undefined> {
  const service = new RingGroupService(ctx.o.store);
  const group = await service.get(tenantId, groupId);
  if (!group) return undefined;
  const members: RingGroupMember[] = [];
  const seen = new Set<string>();
  const expand = async (g: RingGroup, depth: number): Promise<void> => {
    for (const m of g.members) {
      if (m.kind !== 'ring_group') {
        const key = `${m.kind}:${m.value}`;
        if (!seen.has(key)) members.push(m);
        seen.add(key);
        continue;
      }
      if (depth >= MAX_DEPTH || seen.has(`rg:${m.value}`)) continue;
      seen.add(`rg:${m.value}`);
      const nested = await service.get(tenantId, m.value);
      if (nested) await expand(nested, depth + 1);
    }
  };
  seen.add(`rg:${group.id}`);
  await expand(group, 0);

  let ordered = members;
  if (group.strategy === 'sequential') {
    ordered = [...members.filter((m) => m.kind === 'sip_username'), ...members.filter((m) => m.kind !== 'sip_username')];
  } else if (group.strategy === 'round_robin') {
    const start = state.nextStart(group.id, members.length);
    ordered = [...members.slice(start), ...members.slice(0, start)];
  } else if (group.strategy === 'longest_idle') {
    ordered = [...members].sort((a, b) => state.lastRungOf(group.id, a) - state.lastRungOf(group.id, b) || a.value.localeCompare(b.value));
  }

  const leaves: RingPlan['leaves'] = [];
  const trunk = ordered.some((m) => m.kind === 'pstn') ? await ctx.dir.outboundTrunk(tenantId) : undefined;
  for (const member of ordered) {
    if (member.kind === 'sip_username') {
      const extension = await ctx.dir.extensionByUsername(tenantId, member.value);
      if (extension) leaves.push({ member, dest: { kind: 'extension', extension } });
    } else if (member.kind === 'pstn' && trunk) {
      const e164 = asE164(member.value);
      if (e164) leaves.push({ member, dest: { kind: 'pstn', trunk, e164 } });
    }
  }
  return { group, leaves };
}
