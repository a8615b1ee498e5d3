// Callbacks an IVR caller asked for (an offerCallback node): who to call back, from which of
// the tenant's numbers, and where the request stands. Rows still pending at start (a stop
// came before they were placed) are placed then.
import type { Kysely, Migration } from 'kysely';

type Db = Kysely<unknown>;

export const m0008Callbacks: Migration = {
  async up(db: Db) {
    await db.schema
      .createTable('callbacks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('to_number', 'text', (c) => c.notNull()) // the caller, called back
      .addColumn('from_number', 'text', (c) => c.notNull()) // the number they called
      .addColumn('agent_id', 'text') // rung first when set
      .addColumn('queue_id', 'text') // the queue the caller waited in, when there was one
      .addColumn('queue_position', 'integer')
      .addColumn('ivr_flow_id', 'text')
      .addColumn('origin_call_id', 'text') // the call the request was made on
      .addColumn('status', 'text', (c) => c.notNull()) // pending | placed | failed
      .addColumn('not_before', 'text', (c) => c.notNull())
      .addColumn('placed_call_id', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('callbacks_tenant_page').on('callbacks').columns(['tenant_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('callbacks_due').on('callbacks').columns(['status', 'not_before']).execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('callbacks').execute();
  },
};
