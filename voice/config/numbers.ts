// Numbers (E.164) a tenant owns, and the route each one takes for inbound calls:
// an IVR flow, ring group, queue, extension, agent, voicemail box or conference,
// optionally switched to an after-hours target outside a calendar's hours.
import type { Page, PageRequest, Store } from '../../store/index.js';
import type { NumbersTable } from '../../store/schema.js';
import { ConfigError, ConflictError } from './errors.js';

export const ROUTE_TYPES = ['ivr_flow', 'ring_group', 'queue', 'extension', 'agent', 'voicemail', 'conference'] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

/** The request field carrying the target id of each route type. */
export const TARGET_FIELD = {
  ivr_flow: 'ivr_flow_id',
  ring_group: 'ring_group_id',
  queue: 'queue_id',
  extension: 'extension_id',
  agent: 'agent_id',
  voicemail: 'voicemail_id',
  conference: 'conference_id',
} as const satisfies Record<RouteType, string>;
export type TargetField = (typeof TARGET_FIELD)[RouteType];

/** Where each type's targets live; conferences get their table with the conferences issue. */
const TARGET_TABLE: Record<RouteType, 'ivr_flows' | 'ring_groups' | 'queues' | 'sip_credentials' | 'agents' | 'voicemail_boxes' | null> = {
  ivr_flow: 'ivr_flows',
  ring_group: 'ring_groups',
  queue: 'queues',
  extension: 'sip_credentials',
  agent: 'agents',
  voicemail: 'voicemail_boxes',
  conference: null,
};

export interface Target {
  type: RouteType;
  id: string;
}

export interface Route {
  target: Target;
  config: Record<string, unknown>;
  calendarId: string | null;
  afterHours: Target | null;
  webhookUrl: string | null;
  updatedAt: string;
}

export interface PhoneNumber {
  id: string;
  tenantId: string;
  number: string;
  route: Route | null;
  createdAt: string;
  updatedAt: string;
}

export interface RouteInput {
  target: Target;
  config: Record<string, unknown>;
  calendarId: string | null;
  afterHours: Target | null;
  webhookUrl: string | null;
}

function toNumber(r: NumbersTable): PhoneNumber {
  const route: Route | null =
    r.route_type && r.route_target_id
      ? {
          target: { type: r.route_type as RouteType, id: r.route_target_id },
          config: r.route_config ? (JSON.parse(r.route_config) as Record<string, unknown>) : {},
          calendarId: r.calendar_id,
          afterHours:
            r.after_hours_type && r.after_hours_target_id
              ? { type: r.after_hours_type as RouteType, id: r.after_hours_target_id }
              : null,
          webhookUrl: r.webhook_url,
          updatedAt: r.route_updated_at ?? r.updated_at,
        }
      : null;
  return { id: r.id, tenantId: r.tenant_id, number: r.e164, route, createdAt: r.created_at, updatedAt: r.updated_at };
}

const NO_ROUTE = {
  route_type: null,
  route_target_id: null,
  route_config: null,
  calendar_id: null,
  after_hours_type: null,
  after_hours_target_id: null,
  webhook_url: null,
  route_updated_at: null,
};

export class NumberService {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.resources.numbers;
  }

  private async row(e164: string): Promise<NumbersTable | undefined> {
    return this.store.db.selectFrom('numbers').selectAll().where('e164', '=', e164).executeTakeFirst();
  }

  /** The tenant's row for the number; a number of another tenant is as good as absent. */
  async get(tenantId: string, e164: string): Promise<PhoneNumber | undefined> {
    const r = await this.row(e164);
    return r && r.tenant_id === tenantId ? toNumber(r) : undefined;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<PhoneNumber>> {
    const p = await this.repo.list(tenantId, page);
    return { ...p, items: p.items.map(toNumber) };
  }

  /** Adds the number to the tenant (idempotent). Another tenant's number is refused. */
  async register(tenantId: string, e164: string): Promise<PhoneNumber> {
    const r = await this.row(e164);
    if (r) {
      if (r.tenant_id !== tenantId) {
        // Deliberately silent about who holds it.
        throw new ConflictError('NUMBER_UNAVAILABLE', `${e164} is not available`);
      }
      return toNumber(r);
    }
    try {
      return toNumber(await this.repo.insert(tenantId, { e164, ...NO_ROUTE }));
    } catch (err) {
      // Two registrations raced: the unique index decided.
      if (/UNIQUE/i.test(String(err))) return this.register(tenantId, e164);
      throw err;
    }
  }

  async release(tenantId: string, e164: string): Promise<boolean> {
    const n = await this.get(tenantId, e164);
    if (!n) return false;
    return this.repo.delete(tenantId, n.id);
  }

  private async targetExists(tenantId: string, t: Target): Promise<boolean> {
    const table = TARGET_TABLE[t.type];
    if (!table) return false;
    const r = await this.store.db
      .selectFrom(table)
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', t.id)
      .executeTakeFirst();
    return r !== undefined;
  }

  async setRoute(tenantId: string, e164: string, input: RouteInput): Promise<PhoneNumber> {
    const errors = new ConfigError();
    if (!(await this.targetExists(tenantId, input.target))) {
      errors.add(TARGET_FIELD[input.target.type], 'not_found', `${input.target.type.replace('_', ' ')} ${input.target.id} does not exist`);
    }
    if (input.afterHours && !(await this.targetExists(tenantId, input.afterHours))) {
      errors.add(
        `after_hours.${TARGET_FIELD[input.afterHours.type]}`,
        'not_found',
        `${input.afterHours.type.replace('_', ' ')} ${input.afterHours.id} does not exist`,
      );
    }
    if (input.calendarId) {
      const cal = await this.store.resources.calendars.get(tenantId, input.calendarId);
      if (!cal) errors.add('calendar_id', 'not_found', `calendar ${input.calendarId} does not exist`);
    }
    errors.throwIfAny();
    const n = await this.register(tenantId, e164);
    const updated = await this.repo.update(tenantId, n.id, {
      route_type: input.target.type,
      route_target_id: input.target.id,
      route_config: JSON.stringify(input.config),
      calendar_id: input.calendarId,
      after_hours_type: input.afterHours?.type ?? null,
      after_hours_target_id: input.afterHours?.id ?? null,
      webhook_url: input.webhookUrl,
      route_updated_at: this.store.now().toISOString(),
    });
    return toNumber(updated!);
  }

  async clearRoute(tenantId: string, e164: string): Promise<PhoneNumber | undefined> {
    const n = await this.get(tenantId, e164);
    if (!n?.route) return undefined;
    return toNumber((await this.repo.update(tenantId, n.id, NO_ROUTE))!);
  }
}
