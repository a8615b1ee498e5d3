// What the B2BUA looks up to route a call: trunks by the address a call came from,
// extensions by what was dialled, numbers and their routes, the tenant's defaults.
// Trunk origination addresses are cached briefly: every inbound INVITE asks.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { parseSipUri } from '../../sip/uri.js';
import type { Store } from '../../store/index.js';
import type { NumbersTable, SipCredentialsTable, SipTrunksTable } from '../../store/schema.js';

export type TrunkRow = SipTrunksTable;
export type ExtensionRow = SipCredentialsTable;
export type NumberRow = NumbersTable;

interface TrunkIndex {
  byAddress: Map<string, TrunkRow[]>;
  until: number;
}

const TRUNK_INDEX_TTL_MS = 30_000;

export class CallDirectory {
  private trunkIndex: TrunkIndex | undefined;
  private building: Promise<TrunkIndex> | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly resolve: (host: string) => Promise<string[]> = async (host) =>
      (await lookup(host, { all: true })).map((a) => a.address),
  ) {
    // Trunks created or changed through the API are routable at once.
    store.changes.on(() => {
      this.trunkIndex = undefined;
    });
  }

  /**
   * The trunks whose origination URIs name `address` (their host, an IP address or a
   * name resolved when the index is built). A call from anywhere else is not a trunk's.
   */
  async trunksForSource(address: string): Promise<TrunkRow[]> {
    const index = await this.index();
    return index.byAddress.get(address) ?? [];
  }

  private async index(): Promise<TrunkIndex> {
    if (this.trunkIndex && this.trunkIndex.until > this.now()) return this.trunkIndex;
    this.building ??= this.build().finally(() => (this.building = undefined));
    this.trunkIndex = await this.building;
    return this.trunkIndex;
  }

  private async build(): Promise<TrunkIndex> {
    const rows = (await this.store.db.selectFrom('sip_trunks').selectAll().where('status', '=', 'active').execute()) as TrunkRow[];
    const byAddress = new Map<string, TrunkRow[]>();
    const add = (addr: string, t: TrunkRow) => {
      const l = byAddress.get(addr) ?? [];
      if (!l.includes(t)) l.push(t);
      byAddress.set(addr, l);
    };
    for (const t of rows) {
      for (const uri of JSON.parse(t.origination_uris) as string[]) {
        let host: string;
        try {
          host = parseSipUri(uri).host; // the API accepts only SIP URIs here
        } catch {
          continue;
        }
        if (isIP(host)) add(host, t);
        else {
          try {
            for (const a of await this.resolve(host)) add(a, t);
          } catch {
            // A name that does not resolve matches nothing until the next rebuild.
          }
        }
      }
    }
    return { byAddress, until: this.now() + TRUNK_INDEX_TTL_MS };
  }

  /** An extension of the tenant by its extension number or its SIP username. */
  async extension(tenantId: string, dialled: string): Promise<ExtensionRow | undefined> {
    const rows = (await this.store.db
      .selectFrom('sip_credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('extension', '=', dialled), eb('username', '=', dialled)]))
      .limit(2)
      .execute()) as ExtensionRow[];
    // An extension number wins over a username that happens to look the same.
    return rows.find((r) => r.extension === dialled) ?? rows[0];
  }

  async extensionById(tenantId: string, id: string): Promise<ExtensionRow | undefined> {
    return (await this.store.db.selectFrom('sip_credentials').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()) as
      | ExtensionRow
      | undefined;
  }

  async extensionByUsername(tenantId: string, username: string): Promise<ExtensionRow | undefined> {
    return (await this.store.db
      .selectFrom('sip_credentials')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .executeTakeFirst()) as ExtensionRow | undefined;
  }

  /** A number with its route; numbers belong to one tenant, so the E.164 alone finds it. */
  async number(e164: string): Promise<NumberRow | undefined> {
    return (await this.store.db.selectFrom('numbers').selectAll().where('e164', '=', e164).executeTakeFirst()) as NumberRow | undefined;
  }

  /** The tenant's trunk for calls out: the oldest active one. */
  async outboundTrunk(tenantId: string): Promise<TrunkRow | undefined> {
    return (await this.store.db
      .selectFrom('sip_trunks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst()) as TrunkRow | undefined;
  }

  async trunkById(tenantId: string, id: string): Promise<TrunkRow | undefined> {
    return (await this.store.db.selectFrom('sip_trunks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()) as
      | TrunkRow
      | undefined;
  }

  /** The trunk's password for digest towards the carrier, unsealed. */
  trunkPassword(t: TrunkRow): string | undefined {
    return t.auth_password_enc ? this.store.secrets.unseal(t.auth_password_enc) : undefined;
  }

  async agent(tenantId: string, id: string) {
    return this.store.db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  async tenant(tenantId: string) {
    return this.store.tenants.get(tenantId);
  }
}
