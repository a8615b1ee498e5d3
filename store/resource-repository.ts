// Tenant-scoped CRUD shared by the configuration resources: every query is filtered by
// tenant first, so another tenant's id simply does not exist (the API answers 404).
import type { Kysely, Transaction } from 'kysely';
import type { Database, ResourceTable } from './schema.js';
import type { IdGenerator } from './ids.js';
import { afterCursor, toPage, type Page, type PageRequest } from './pagination.js';

export type Executor = Kysely<Database> | Transaction<Database>;
type Row<T extends ResourceTable> = Database[T];
/** The columns a caller provides; id, tenant and times are the repository's. */
export type Values<T extends ResourceTable> = Omit<Row<T>, 'id' | 'tenant_id' | 'created_at' | 'updated_at'>;

// Kysely's builder types cannot follow a table name held in a type parameter; the
// casts below are confined to this class, whose public surface is fully typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Kysely<any>;

export class ResourceRepository<T extends ResourceTable> {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly table: T,
    private readonly prefix: string,
    private readonly newId: IdGenerator,
    private readonly now: () => Date,
  ) {}

  private ex(trx?: Executor): Loose {
    return (trx ?? this.db) as unknown as Loose;
  }

  async insert(tenantId: string, values: Values<T>, trx?: Executor): Promise<Row<T>> {
    const at = this.now().toISOString();
    const row = { ...values, id: this.newId(this.prefix), tenant_id: tenantId, created_at: at, updated_at: at };
    await this.ex(trx).insertInto(this.table as string).values(row).execute();
    return row as unknown as Row<T>;
  }

  async get(tenantId: string, id: string, trx?: Executor): Promise<Row<T> | undefined> {
    return (await this.ex(trx)
      .selectFrom(this.table as string)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()) as Row<T> | undefined;
  }

  /** Rows newest first. `where` narrows further with column equality filters. */
  async list(
    tenantId: string,
    page: PageRequest,
    where: Partial<Record<keyof Row<T> & string, string | number | null>> = {},
  ): Promise<Page<Row<T>>> {
    let q = this.ex().selectFrom(this.table as string).selectAll().where('tenant_id', '=', tenantId);
    for (const [col, v] of Object.entries(where)) {
      if (v === undefined) continue;
      q = v === null ? q.where(col, 'is', null) : q.where(col, '=', v);
    }
    const after = afterCursor(page.cursor);
    if (after) q = q.where(after);
    const rows = (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute()) as Row<T>[];
    return toPage(rows, page.limit);
  }

  /** Every row of the tenant (for small sets: validation across a tenant's groups). */
  async all(tenantId: string, trx?: Executor): Promise<Row<T>[]> {
    return (await this.ex(trx)
      .selectFrom(this.table as string)
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'asc')
      .execute()) as Row<T>[];
  }

  async update(tenantId: string, id: string, patch: Partial<Values<T>>, trx?: Executor): Promise<Row<T> | undefined> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    await this.ex(trx)
      .updateTable(this.table as string)
      .set({ ...set, updated_at: this.now().toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(tenantId, id, trx);
  }

  async delete(tenantId: string, id: string, trx?: Executor): Promise<boolean> {
    const r = await this.ex(trx)
      .deleteFrom(this.table as string)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows ?? 0n) > 0;
  }

  async count(tenantId: string, where: Partial<Record<keyof Row<T> & string, string | number>> = {}): Promise<number> {
    let q = this.ex().selectFrom(this.table as string).where('tenant_id', '=', tenantId);
    for (const [col, v] of Object.entries(where)) q = q.where(col, '=', v);
    const r = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
