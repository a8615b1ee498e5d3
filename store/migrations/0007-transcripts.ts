// Transcription jobs of POST /voice/transcribe: one row per submitted audio URL, polled
// by id. Rows left queued or processing by a stop are picked up again at start.
import type { Kysely, Migration } from 'kysely';

type Db = Kysely<unknown>;

export const m0007Transcripts: Migration = {
  async up(db: Db) {
    await db.schema
      .createTable('transcripts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('audio_url', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull()) // queued | processing | completed | failed
      .addColumn('text', 'text')
      .addColumn('error', 'text')
      .addColumn('duration_seconds', 'real')
      .addColumn('completed_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('transcripts_tenant_page').on('transcripts').columns(['tenant_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('transcripts_status').on('transcripts').column('status').execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('transcripts').execute();
  },
};
