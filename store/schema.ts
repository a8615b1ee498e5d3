// Row types of the store's tables, as Kysely sees them. Times are ISO-8601 UTC
// strings (they sort as text in SQLite and PostgreSQL alike); JSON is stored as text.
export interface TenantsTable {
  id: string;
  name: string;
  /** SIP domain that selects this tenant for REGISTER/INVITE; null for none. */
  sip_domain: string | null;
  created_at: string;
  updated_at: string;
  /** E.164 number used as caller id when a call's `from` is omitted. */
  default_number: string | null;
  /** Where call status events go when the number's route names no URL. */
  webhook_url: string | null;
  /** The webhook signing secret (whsec_...), sealed; null until first used. */
  webhook_secret: string | null;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown so people can tell keys apart. */
  key_prefix: string;
  /** Hex SHA-256 of the whole key. The key itself is never stored. */
  key_hash: string;
  /** JSON array of scope strings. */
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  idem_key: string;
  /** Hex SHA-256 over method, path and the canonical request body. */
  request_hash: string;
  /** 0 while the first request is still being handled. */
  status_code: number;
  response_body: string | null;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** Columns every tenant-scoped resource table has. */
export interface TenantRow {
  id: string;
  tenant_id: string;
  created_at: string;
  updated_at: string;
}

export interface SipTrunksTable extends TenantRow {
  name: string;
  termination_uri: string;
  origination_uris: string; // JSON string[]
  auth_username: string | null;
  /** Sealed with the data directory's secret key (store/secret-box.ts). */
  auth_password_enc: string | null;
  codecs: string; // JSON string[]
  encryption: string;
  hold_music: string;
  register: number;
  status: string;
  /** Where our REGISTER to the carrier stands (voice/trunks/); null until a register: true trunk is tried. */
  registration_status: string | null;
  registration_expires_at: string | null;
  registration_error: string | null;
}

export interface SipCredentialsTable extends TenantRow {
  username: string;
  /** Digest realm the HA1 values were computed for. */
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  extension: string | null;
  display_name: string | null;
  caller_id: string | null;
}

export interface IvrFlowsTable extends TenantRow {
  name: string;
  definition: string; // JSON {nodes, edges}
  active: number;
  options_count: number;
}

export interface RingGroupsTable extends TenantRow {
  name: string;
  strategy: string;
  ring_timeout_sec: number;
}

export interface RingGroupMembersTable {
  ring_group_id: string;
  position: number;
  tenant_id: string;
  kind: string; // sip_username | pstn | ring_group
  value: string;
}

export interface QueuesTable extends TenantRow {
  name: string;
  strategy: string;
  max_wait_seconds: number;
  overflow_action: string;
  overflow_number: string | null;
  overflow_voicemail_id: string | null;
  hold_music_url: string | null;
}

export interface AgentsTable extends TenantRow {
  name: string;
  kind: string; // human | ai
  extension_id: string | null;
  phone_number: string | null;
  stream_url: string | null;
  tts_voice_id: string | null;
  skills: string; // JSON string[]
  archived: number;
  status: string; // available | busy | wrap_up | offline
  status_changed_at: string;
}

export interface CalendarsTable extends TenantRow {
  name: string;
  timezone: string;
  weekday_windows: string; // JSON [{weekday, start, end}]
  holidays: string; // JSON string[]
}

export interface VoicemailBoxesTable extends TenantRow {
  name: string;
  greeting: string;
  transcribe: number;
  max_duration: number;
  notification_email: string | null;
  webhook_url: string | null;
}

export interface VoicemailMessagesTable extends TenantRow {
  voicemail_id: string;
  caller: string;
  callee: string | null;
  direction: string;
  call_id: string | null;
  duration_seconds: number;
  recording_path: string;
  transcription: string | null;
  transcription_status: string;
  listened: number;
}

export interface VoiceClonesTable extends TenantRow {
  name: string;
  language: string;
  sample_url: string;
  status: string; // processing | ready | rejected
  rejection_reason: string | null;
  format: string | null;
  sample_rate: number | null;
  channels: number | null;
  duration_seconds: number | null;
  size_bytes: number | null;
  sample_path: string | null;
}

export interface NumbersTable extends TenantRow {
  e164: string;
  route_type: string | null;
  route_target_id: string | null;
  route_config: string | null; // JSON object
  calendar_id: string | null;
  after_hours_type: string | null;
  after_hours_target_id: string | null;
  webhook_url: string | null;
  route_updated_at: string | null;
}

export interface RegistrationsTable {
  id: string;
  tenant_id: string;
  credential_id: string | null;
  aor: string;
  contact: string;
  params: string; // JSON object
  call_id: string;
  cseq: number;
  /** Milliseconds since the epoch. */
  expires_at: number;
  transport: string;
  source_address: string;
  source_port: number;
  connection_id: string | null;
  user_agent: string | null;
  updated_at: number;
}

export interface WebhookOutboxTable {
  id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  url: string;
  /** host:port of `url`: the unit of the per-receiver concurrency limit. */
  url_host: string;
  /** The exact JSON body sent. */
  payload: string;
  status: string; // pending | delivering | delivered | failed
  attempts: number;
  /** pending: next attempt due; delivering: claim lapses; null when delivered or failed. */
  next_attempt_at: string | null;
  /** No attempt starts after this. */
  give_up_at: string;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** A call record (CDR): one row per call, written on the synchronous=FULL connection. */
export interface CallsTable extends TenantRow {
  direction: string; // inbound | outbound
  from_number: string;
  to_number: string;
  status: string; // initiating | ringing | in_progress | completed | failed | busy | no_answer | cancelled
  agent_id: string | null;
  queue_id: string | null;
  campaign_id: string | null;
  metadata: string; // JSON object
  record: number;
  amd: number;
  amd_result: string | null;
  trunk_id: string | null;
  caller_extension_id: string | null;
  callee_extension_id: string | null;
  sip_call_id: string | null;
  peer_sip_call_id: string | null;
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  hangup_cause: string | null;
  hangup_side: string | null; // caller | callee | api | system
  sip_final_status: number | null;
  quality: string | null; // JSON {mos, jitter_ms, loss_pct, rtt_ms, one_way_audio}
  recording_id: string | null;
}

/** A call's timeline: status changes and operations, numbered per call. */
export interface CallEventsTable {
  call_id: string;
  seq: number;
  type: string;
  at: string;
  data: string; // JSON object
}

export interface RecordingsTable extends TenantRow {
  call_id: string;
  status: string; // recording | completed | failed
  format: string; // wav | mp3
  channels: number;
  duration_seconds: number | null;
  size_bytes: number | null;
  /** Relative to the data directory. */
  path: string;
  error: string | null;
  completed_at: string | null;
}

/** POST /voice/transcribe jobs (spec §10): an audio URL and, once recognised, its words. */
export interface TranscriptsTable extends TenantRow {
  audio_url: string;
  language: string;
  status: string; // queued | processing | completed | failed
  text: string | null;
  error: string | null;
  duration_seconds: number | null;
  completed_at: string | null;
}

/** Callbacks IVR callers asked for (offerCallback), placed later through POST /calls' path. */
export interface CallbacksTable extends TenantRow {
  to_number: string;
  from_number: string;
  agent_id: string | null;
  queue_id: string | null;
  queue_position: number | null;
  ivr_flow_id: string | null;
  origin_call_id: string | null;
  status: string; // pending | placed | failed
  not_before: string;
  placed_call_id: string | null;
  error: string | null;
}

/** Per-tenant call limits; null columns take the server's defaults. */
export interface TenantCallLimitsTable {
  tenant_id: string;
  max_concurrent_calls: number | null;
  max_calls_per_second: number | null;
  updated_at: string;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  meta: MetaTable;
  sip_trunks: SipTrunksTable;
  sip_credentials: SipCredentialsTable;
  ivr_flows: IvrFlowsTable;
  ring_groups: RingGroupsTable;
  ring_group_members: RingGroupMembersTable;
  queues: QueuesTable;
  agents: AgentsTable;
  calendars: CalendarsTable;
  voicemail_boxes: VoicemailBoxesTable;
  voicemail_messages: VoicemailMessagesTable;
  voice_clones: VoiceClonesTable;
  numbers: NumbersTable;
  registrations: RegistrationsTable;
  webhook_outbox: WebhookOutboxTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  recordings: RecordingsTable;
  tenant_call_limits: TenantCallLimitsTable;
  callbacks: CallbacksTable;
  transcripts: TranscriptsTable;
}

/** Tables holding tenant-scoped resources with the common columns. */
export type ResourceTable = {
  [K in keyof Database]: Database[K] extends TenantRow ? K : never;
}[keyof Database];
