// Webhooks (issue 6): the durable outbox of events to deliver, and the tenant's
// webhook URL and signing secret. An event is written to the outbox in the same
// transaction as the change it reports, so a crash can lose neither one without the other.
import type { Kysely, Migration } from 'kysely';

export const m0004Webhooks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('webhook_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey()) // whd_...
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('event_id', 'text', (c) => c.notNull()) // evt_...
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      // host:port of the URL, so the dispatcher can skip hosts already at their in-flight limit in SQL.
      .addColumn('url_host', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull()) // the exact JSON body sent
      .addColumn('status', 'text', (c) => c.notNull()) // pending | delivering | delivered | failed
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      // pending: when the next attempt is due; delivering: when the claim lapses; null once final.
      .addColumn('next_attempt_at', 'text')
      // No attempt starts after this (24 h after queueing, or after a manual retry).
      .addColumn('give_up_at', 'text', (c) => c.notNull())
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('last_attempt_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema.createIndex('webhook_outbox_due').on('webhook_outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema
      .createIndex('webhook_outbox_tenant_created')
      .on('webhook_outbox')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();

    await db.schema.alterTable('tenants').addColumn('webhook_url', 'text').execute();
    // Sealed with store/secret-box.ts. Existing tenants get theirs on first use: a
    // migration has no access to the data directory's key.
    await db.schema.alterTable('tenants').addColumn('webhook_secret', 'text').execute();
  },
};
