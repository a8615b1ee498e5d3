// Call records (CDRs), each call's timeline of events, recordings, and the per-tenant
// call limits. Calls page newest first by (tenant_id, created_at, id), also within a
// status, a destination or a caller, so every filter of GET /calls is an index range.
import type { Kysely, Migration } from 'kysely';

type Db = Kysely<unknown>;

export const m0005Calls: Migration = {
  async up(db: Db) {
    await db.schema
      .createTable('calls')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('direction', 'text', (c) => c.notNull()) // inbound | outbound
      .addColumn('from_number', 'text', (c) => c.notNull())
      .addColumn('to_number', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('queue_id', 'text')
      .addColumn('campaign_id', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull()) // JSON object
      .addColumn('record', 'integer', (c) => c.notNull())
      .addColumn('amd', 'integer', (c) => c.notNull())
      .addColumn('amd_result', 'text')
      .addColumn('trunk_id', 'text')
      .addColumn('caller_extension_id', 'text')
      .addColumn('callee_extension_id', 'text')
      .addColumn('sip_call_id', 'text') // the caller's leg
      .addColumn('peer_sip_call_id', 'text') // the callee's leg
      .addColumn('ringing_at', 'text')
      .addColumn('answered_at', 'text')
      .addColumn('ended_at', 'text')
      .addColumn('duration_seconds', 'integer')
      .addColumn('hangup_cause', 'text')
      .addColumn('hangup_side', 'text') // caller | callee | api | system
      .addColumn('sip_final_status', 'integer')
      .addColumn('quality', 'text') // JSON {mos, jitter_ms, loss_pct, rtt_ms, one_way_audio}
      .addColumn('recording_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('calls_tenant_page').on('calls').columns(['tenant_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('calls_tenant_status').on('calls').columns(['tenant_id', 'status', 'created_at', 'id']).execute();
    await db.schema.createIndex('calls_tenant_to').on('calls').columns(['tenant_id', 'to_number', 'created_at', 'id']).execute();
    await db.schema.createIndex('calls_tenant_from').on('calls').columns(['tenant_id', 'from_number', 'created_at', 'id']).execute();
    // Live calls across tenants (closing the ones a crash left open) and SIP dialog lookups.
    await db.schema.createIndex('calls_status').on('calls').column('status').execute();
    await db.schema.createIndex('calls_sip_call_id').on('calls').column('sip_call_id').execute();

    await db.schema
      .createTable('call_events')
      .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull()) // JSON object
      .addPrimaryKeyConstraint('call_events_pk', ['call_id', 'seq'])
      .execute();

    await db.schema
      .createTable('recordings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull()) // recording | completed | failed
      .addColumn('format', 'text', (c) => c.notNull()) // wav | mp3
      .addColumn('channels', 'integer', (c) => c.notNull())
      .addColumn('duration_seconds', 'integer')
      .addColumn('size_bytes', 'integer')
      .addColumn('path', 'text', (c) => c.notNull()) // relative to the data directory
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .execute();
    await db.schema.createIndex('recordings_call').on('recordings').columns(['call_id', 'created_at']).execute();

    // Null means "the server's default", so a changed default reaches every tenant that never chose.
    await db.schema
      .createTable('tenant_call_limits')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('max_concurrent_calls', 'integer')
      .addColumn('max_calls_per_second', 'integer')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
