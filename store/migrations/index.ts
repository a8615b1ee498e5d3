// Every migration, in order. Names are stable forever: the store records which ran.
import type { Migration } from 'kysely';
import { m0001Initial } from './0001-initial.js';
import { m0002VoiceConfig } from './0002-voice-config.js';
import { m0003Registrations } from './0003-registrations.js';
import { m0004Webhooks } from './0004-webhooks.js';
import { m0005Calls } from './0005-calls.js';
import { m0006Trunks } from './0006-trunks.js';
import { m0007Transcripts } from './0007-transcripts.js';
import { m0008Callbacks } from './0008-callbacks.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001Initial,
  '0002-voice-config': m0002VoiceConfig,
  '0003-registrations': m0003Registrations,
  '0004-webhooks': m0004Webhooks,
  '0005-calls': m0005Calls,
  '0006-trunks': m0006Trunks,
  '0007-transcripts': m0007Transcripts,
  '0008-callbacks': m0008Callbacks,
};
