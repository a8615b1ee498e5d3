// The tenant's webhook signing secret: "whsec_" and 32 random bytes in base64url,
// sealed at rest (store/secret-box.ts). A tenant gets one the first time anything
// needs it (reading it, or signing a delivery), so tenants made before webhooks
// existed, by the CLI or by first start all have one without a key in the migration.
import { randomBytes } from 'node:crypto';
import type { Executor, Store } from '../../store/index.js';

export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(random: (n: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(32).toString('base64url')}`;
}

export class WebhookSecrets {
  constructor(
    private readonly store: Store,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  /** The tenant's secret, made on first use; undefined when the tenant does not exist. */
  async get(tenantId: string, trx?: Executor): Promise<string | undefined> {
    const db = trx ?? this.store.db;
    const sealed = await this.read(tenantId, db);
    if (sealed === undefined) return undefined;
    if (sealed !== null) return this.store.secrets.unseal(sealed);
    // Only fills an empty column: two first uses at once end with the same secret.
    await db
      .updateTable('tenants')
      .set({ webhook_secret: this.store.secrets.seal(newWebhookSecret(this.random)) })
      .where('id', '=', tenantId)
      .where('webhook_secret', 'is', null)
      .execute();
    const now = await this.read(tenantId, db);
    return now ? this.store.secrets.unseal(now) : undefined;
  }

  /** Replaces the secret; deliveries from now on, queued ones included, are signed with the new one. */
  async rotate(tenantId: string): Promise<string> {
    const secret = newWebhookSecret(this.random);
    await this.store.db
      .updateTable('tenants')
      .set({ webhook_secret: this.store.secrets.seal(secret) })
      .where('id', '=', tenantId)
      .execute();
    return secret;
  }

  private async read(tenantId: string, db: Executor): Promise<string | null | undefined> {
    const r = await db.selectFrom('tenants').select('webhook_secret').where('id', '=', tenantId).executeTakeFirst();
    return r ? r.webhook_secret : undefined;
  }
}
