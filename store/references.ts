// Who refers to a resource. Deleting something still referenced is refused (409) with
// this list, so a number never routes to a flow that no longer exists.
import { sql } from 'kysely';
import type { Executor } from './resource-repository.js';

export type ReferencedKind =
  | 'ivr_flow'
  | 'ring_group'
  | 'queue'
  | 'sip_credential'
  | 'voicemail_box'
  | 'calendar'
  | 'agent'
  | 'voice_clone'
  | 'number';

export interface Reference {
  /** What refers: a number, a ring group, an IVR flow, an agent, a queue or the tenant. */
  kind: 'number' | 'ring_group' | 'ivr_flow' | 'agent' | 'queue' | 'tenant';
  id: string;
  /** Human label: the number, or the referrer's name. */
  label: string;
  /** The referring field, e.g. "route", "after_hours", "members", "definition". */
  field: string;
}

/** Route types of the numbers API whose target ids are of each kind. */
const ROUTE_TYPE: Partial<Record<ReferencedKind, string>> = {
  ivr_flow: 'ivr_flow',
  ring_group: 'ring_group',
  queue: 'queue',
  sip_credential: 'extension',
  voicemail_box: 'voicemail',
  agent: 'agent',
};

export async function findReferences(
  db: Executor,
  tenantId: string,
  kind: ReferencedKind,
  id: string,
  /** For credentials: the SIP username (ring groups list members by it) and extension (IVR transfers dial it). */
  credential?: { username: string; extension: string | null },
): Promise<Reference[]> {
  const username = credential?.username;
  const refs: Reference[] = [];
  const routeType = ROUTE_TYPE[kind];
  if (routeType) {
    const numbers = await db
      .selectFrom('numbers')
      .select(['id', 'e164', 'route_type', 'route_target_id', 'after_hours_type', 'after_hours_target_id'])
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb.and([eb('route_type', '=', routeType), eb('route_target_id', '=', id)]),
          eb.and([eb('after_hours_type', '=', routeType), eb('after_hours_target_id', '=', id)]),
        ]),
      )
      .execute();
    for (const n of numbers) {
      if (n.route_type === routeType && n.route_target_id === id) {
        refs.push({ kind: 'number', id: n.e164, label: n.e164, field: 'route' });
      }
      if (n.after_hours_type === routeType && n.after_hours_target_id === id) {
        refs.push({ kind: 'number', id: n.e164, label: n.e164, field: 'after_hours' });
      }
    }
  }
  if (kind === 'calendar') {
    const numbers = await db
      .selectFrom('numbers')
      .select(['e164'])
      .where('tenant_id', '=', tenantId)
      .where('calendar_id', '=', id)
      .execute();
    for (const n of numbers) refs.push({ kind: 'number', id: n.e164, label: n.e164, field: 'calendar_id' });
  }

  const memberValue = kind === 'ring_group' ? id : kind === 'sip_credential' ? username : undefined;
  if (memberValue !== undefined) {
    const groups = await db
      .selectFrom('ring_group_members as m')
      .innerJoin('ring_groups as g', 'g.id', 'm.ring_group_id')
      .select(['g.id', 'g.name'])
      .distinct()
      .where('m.tenant_id', '=', tenantId)
      .where('m.kind', '=', kind === 'ring_group' ? 'ring_group' : 'sip_username')
      .where('m.value', '=', memberValue)
      .execute();
    for (const g of groups) refs.push({ kind: 'ring_group', id: g.id, label: g.name, field: 'members' });
  }

  // IVR definitions are JSON; resource ids are random and unique, so the quoted id
  // appearing anywhere in a definition means a node refers to it.
  if (kind !== 'number' && kind !== 'calendar' && kind !== 'voice_clone') {
    const flows = await db
      .selectFrom('ivr_flows')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      // instr() is SQLite's substring test; the PostgreSQL dialect will use strpos().
      .where(sql<boolean>`instr(definition, ${`"${id}"`}) > 0`)
      .execute();
    for (const f of flows) refs.push({ kind: 'ivr_flow', id: f.id, label: f.name, field: 'definition' });
  }
  if (kind === 'sip_credential' && credential?.extension) {
    // Transfer nodes name an on-net extension by its digits, not by the credential's id.
    const flows = await db
      .selectFrom('ivr_flows')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where(
        sql<boolean>`exists (select 1 from json_each(ivr_flows.definition, '$.nodes') n
          where json_extract(n.value, '$.type') = 'transfer'
            and json_extract(n.value, '$.data.transferTo') = ${credential.extension})`,
      )
      .execute();
    for (const f of flows) {
      if (!refs.some((r) => r.id === f.id)) refs.push({ kind: 'ivr_flow', id: f.id, label: f.name, field: 'definition' });
    }
  }

  if (kind === 'sip_credential') {
    const agents = await db
      .selectFrom('agents')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('extension_id', '=', id)
      .execute();
    for (const a of agents) refs.push({ kind: 'agent', id: a.id, label: a.name, field: 'extension_id' });
  }
  if (kind === 'voice_clone') {
    const agents = await db
      .selectFrom('agents')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('tts_voice_id', '=', id)
      .execute();
    for (const a of agents) refs.push({ kind: 'agent', id: a.id, label: a.name, field: 'tts_voice_id' });
  }
  if (kind === 'voicemail_box') {
    const queues = await db
      .selectFrom('queues')
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('overflow_voicemail_id', '=', id)
      .execute();
    for (const q of queues) refs.push({ kind: 'queue', id: q.id, label: q.name, field: 'overflow_voicemail_id' });
  }
  if (kind === 'number') {
    const t = await db.selectFrom('tenants').select(['id']).where('id', '=', tenantId).where('default_number', '=', id).executeTakeFirst();
    if (t) refs.push({ kind: 'tenant', id: t.id, label: 'default outbound number', field: 'default_number' });
  }
  return refs;
}
