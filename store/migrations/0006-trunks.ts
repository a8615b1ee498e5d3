// Trunk registration state (docs/trunks.md): where Switchboard's REGISTER to the carrier
// stands, written by voice/trunks/ as it registers, refreshes, fails and unregisters, and
// shown in the trunk's `registration` object. Soft state, never part of a PUT.
import type { Kysely, Migration } from 'kysely';

export const m0006Trunks: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sip_trunks').addColumn('registration_status', 'text').execute(); // registering | registered | failed | unregistered
    await db.schema.alterTable('sip_trunks').addColumn('registration_expires_at', 'text').execute(); // ISO-8601 UTC
    await db.schema.alterTable('sip_trunks').addColumn('registration_error', 'text').execute(); // the last failure, e.g. "403 Forbidden"
  },
};
