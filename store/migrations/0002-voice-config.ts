// The configuration resources of the Voice API: trunks, SIP credentials, numbers and
// their routes, IVR flows, ring groups, queues, agents, calendars, voicemail boxes
// (and their messages), voice clones. Every table is tenant-scoped; lists page by
// (tenant_id, created_at, id).
import type { Kysely, Migration } from 'kysely';

type Db = Kysely<unknown>;

async function tenantTable(
  db: Db,
  name: string,
  build: (t: ReturnType<Db['schema']['createTable']>) => ReturnType<Db['schema']['createTable']>,
): Promise<void> {
  let t = db.schema
    .createTable(name)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'));
  t = build(t);
  await t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex(`${name}_tenant_page`).on(name).columns(['tenant_id', 'created_at', 'id']).execute();
}

export const m0002VoiceConfig: Migration = {
  async up(db: Db) {
    await db.schema.alterTable('tenants').addColumn('default_number', 'text').execute();

    await tenantTable(db, 'sip_trunks', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('termination_uri', 'text', (c) => c.notNull())
        .addColumn('origination_uris', 'text', (c) => c.notNull()) // JSON string[]
        .addColumn('auth_username', 'text')
        .addColumn('auth_password_enc', 'text') // sealed with the data dir's secret key
        .addColumn('codecs', 'text', (c) => c.notNull()) // JSON string[]
        .addColumn('encryption', 'text', (c) => c.notNull())
        .addColumn('hold_music', 'text', (c) => c.notNull())
        .addColumn('register', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()),
    );

    await tenantTable(db, 'sip_credentials', (t) =>
      t
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('realm', 'text', (c) => c.notNull())
        .addColumn('ha1_md5', 'text', (c) => c.notNull())
        .addColumn('ha1_sha256', 'text', (c) => c.notNull())
        .addColumn('extension', 'text')
        .addColumn('display_name', 'text')
        .addColumn('caller_id', 'text'),
    );
    await db.schema.createIndex('sip_credentials_username').unique().on('sip_credentials').columns(['tenant_id', 'username']).execute();
    await db.schema.createIndex('sip_credentials_extension').unique().on('sip_credentials').columns(['tenant_id', 'extension']).execute();

    await tenantTable(db, 'ivr_flows', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull()) // JSON {nodes, edges}
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('options_count', 'integer', (c) => c.notNull()),
    );

    await tenantTable(db, 'ring_groups', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('ring_timeout_sec', 'integer', (c) => c.notNull()),
    );
    await db.schema.createIndex('ring_groups_name').unique().on('ring_groups').columns(['tenant_id', 'name']).execute();
    // Members are rows, so "who references this credential or group" is an indexed query.
    await db.schema
      .createTable('ring_group_members')
      .addColumn('ring_group_id', 'text', (c) => c.notNull().references('ring_groups.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ring_group_members_pk', ['ring_group_id', 'position'])
      .execute();
    await db.schema.createIndex('ring_group_members_ref').on('ring_group_members').columns(['tenant_id', 'kind', 'value']).execute();

    await tenantTable(db, 'queues', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('max_wait_seconds', 'integer', (c) => c.notNull())
        .addColumn('overflow_action', 'text', (c) => c.notNull())
        .addColumn('overflow_number', 'text')
        .addColumn('overflow_voicemail_id', 'text')
        .addColumn('hold_music_url', 'text'),
    );

    await tenantTable(db, 'agents', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('extension_id', 'text')
        .addColumn('phone_number', 'text')
        .addColumn('stream_url', 'text')
        .addColumn('tts_voice_id', 'text')
        .addColumn('skills', 'text', (c) => c.notNull()) // JSON string[]
        .addColumn('archived', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_changed_at', 'text', (c) => c.notNull()),
    );

    await tenantTable(db, 'calendars', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('weekday_windows', 'text', (c) => c.notNull()) // JSON [{weekday,start,end}]
        .addColumn('holidays', 'text', (c) => c.notNull()), // JSON string[]
    );

    await tenantTable(db, 'voicemail_boxes', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('greeting', 'text', (c) => c.notNull())
        .addColumn('transcribe', 'integer', (c) => c.notNull())
        .addColumn('max_duration', 'integer', (c) => c.notNull())
        .addColumn('notification_email', 'text')
        .addColumn('webhook_url', 'text'),
    );

    await tenantTable(db, 'voicemail_messages', (t) =>
      t
        .addColumn('voicemail_id', 'text', (c) => c.notNull().references('voicemail_boxes.id').onDelete('cascade'))
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('callee', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('call_id', 'text')
        .addColumn('duration_seconds', 'real', (c) => c.notNull())
        .addColumn('recording_path', 'text', (c) => c.notNull())
        .addColumn('transcription', 'text')
        .addColumn('transcription_status', 'text', (c) => c.notNull())
        .addColumn('listened', 'integer', (c) => c.notNull()),
    );
    await db.schema.createIndex('voicemail_messages_box').on('voicemail_messages').columns(['voicemail_id']).execute();

    await tenantTable(db, 'voice_clones', (t) =>
      t
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('sample_url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // processing | ready | rejected
        .addColumn('rejection_reason', 'text')
        .addColumn('format', 'text')
        .addColumn('sample_rate', 'integer')
        .addColumn('channels', 'integer')
        .addColumn('duration_seconds', 'real')
        .addColumn('size_bytes', 'integer')
        .addColumn('sample_path', 'text'),
    );

    await tenantTable(db, 'numbers', (t) =>
      t
        .addColumn('e164', 'text', (c) => c.notNull().unique())
        .addColumn('route_type', 'text')
        .addColumn('route_target_id', 'text')
        .addColumn('route_config', 'text') // JSON object
        .addColumn('calendar_id', 'text')
        .addColumn('after_hours_type', 'text')
        .addColumn('after_hours_target_id', 'text')
        .addColumn('webhook_url', 'text')
        .addColumn('route_updated_at', 'text'),
    );
    await db.schema.createIndex('numbers_route_target').on('numbers').columns(['tenant_id', 'route_target_id']).execute();
    await db.schema.createIndex('numbers_after_hours_target').on('numbers').columns(['tenant_id', 'after_hours_target_id']).execute();
    await db.schema.createIndex('numbers_calendar').on('numbers').columns(['tenant_id', 'calendar_id']).execute();
  },
};
