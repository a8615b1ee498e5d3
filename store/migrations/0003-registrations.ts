// SIP registrations (contact bindings), persisted so that a restart keeps every
// registered phone reachable until its binding expires.
import type { Kysely, Migration } from 'kysely';

export const m0003Registrations: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('registrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('credential_id', 'text')
      .addColumn('aor', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull()) // JSON object
      .addColumn('call_id', 'text', (c) => c.notNull())
      .addColumn('cseq', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'integer', (c) => c.notNull()) // ms since epoch
      .addColumn('transport', 'text', (c) => c.notNull())
      .addColumn('source_address', 'text', (c) => c.notNull())
      .addColumn('source_port', 'integer', (c) => c.notNull())
      .addColumn('connection_id', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('registrations_credential').on('registrations').columns(['tenant_id', 'credential_id']).execute();
    await db.schema.createIndex('registrations_aor').on('registrations').columns(['tenant_id', 'aor']).execute();
  },
};
