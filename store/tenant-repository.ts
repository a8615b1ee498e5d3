import type { Kysely } from 'kysely';
import type { Database, TenantsTable } from './schema.js';
import type { IdGenerator } from './ids.js';

export interface Tenant {
  id: string;
  name: string;
  sipDomain: string | null;
  defaultNumber: string | null;
  /** Receives call status events when the number's route names no URL of its own. */
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TenantRepository {
  create(input: { name: string; sipDomain?: string | null }): Promise<Tenant>;
  get(id: string): Promise<Tenant | undefined>;
  /** The oldest tenant: the one created at first start, and the default for SIP. */
  first(): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  update(
    id: string,
    patch: { name?: string; sipDomain?: string | null; defaultNumber?: string | null; webhookUrl?: string | null },
  ): Promise<Tenant | undefined>;
  /** The tenant whose SIP domain this is. */
  getBySipDomain(domain: string): Promise<Tenant | undefined>;
  count(): Promise<number>;
}

function toTenant(r: TenantsTable): Tenant {
  return {
    id: r.id,
    name: r.name,
    sipDomain: r.sip_domain,
    defaultNumber: r.default_number,
    webhookUrl: r.webhook_url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlTenantRepository implements TenantRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly newId: IdGenerator,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: { name: string; sipDomain?: string | null }): Promise<Tenant> {
    const at = this.now().toISOString();
    const row: TenantsTable = {
      id: this.newId('ten'),
      name: input.name,
      sip_domain: input.sipDomain?.toLowerCase() ?? null,
      default_number: null,
      webhook_url: null,
      webhook_secret: null,
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('tenants').values(row).execute();
    return toTenant(row);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTenant(r);
  }

  async first(): Promise<Tenant | undefined> {
    const r = await this.db
      .selectFrom('tenants')
      .selectAll()
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    return r && toTenant(r);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('created_at', 'asc').execute();
    return rows.map(toTenant);
  }

  async update(
    id: string,
    patch: { name?: string; sipDomain?: string | null; defaultNumber?: string | null; webhookUrl?: string | null },
  ): Promise<Tenant | undefined> {
    await this.db
      .updateTable('tenants')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.sipDomain !== undefined ? { sip_domain: patch.sipDomain } : {}),
        ...(patch.defaultNumber !== undefined ? { default_number: patch.defaultNumber } : {}),
        ...(patch.webhookUrl !== undefined ? { webhook_url: patch.webhookUrl } : {}),
        updated_at: this.now().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async getBySipDomain(domain: string): Promise<Tenant | undefined> {
    const r = await this.db
      .selectFrom('tenants')
      .selectAll()
      .where('sip_domain', '=', domain.toLowerCase())
      .executeTakeFirst();
    return r && toTenant(r);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
