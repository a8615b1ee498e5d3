// Every `register: true` trunk registered with its carrier while the server runs
// (docs/trunks.md). The trunks are read again every few seconds: a new trunk registers, one
// whose registrar, credentials or encryption changed un-REGISTERs the old binding and
// registers the new one, a deleted one (or one set to `register: false`) un-REGISTERs. The
// state of each goes to its row (registration_status, _expires_at, _error), which the API
// shows. On shutdown every binding is removed.
import type { Store } from '../../store/index.js';
import type { UserAgent } from '../../sip/ua/index.js';
import { trunkHost, trunkUri } from './trunk-transport.js';
import { TrunkRegistration, type RegistrationState, type TrunkRegistrationOptions } from './trunk-registration.js';

export interface TrunkRegistrationsOptions {
  store: Store;
  ua: Pick<UserAgent, 'registration'>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** How often the trunks are read again. Default 2 s. */
  syncMs?: number;
  /** Passed to each trunk's registration (expires, retry waits). */
  registration?: Pick<TrunkRegistrationOptions, 'expires' | 'retryBaseMs' | 'retryMaxMs'>;
}

interface Registered {
  /** What the binding depends on: a change of any of it re-registers. */
  key: string;
  reg: TrunkRegistration;
}

interface TrunkForRegistration {
  id: string;
  termination_uri: string;
  encryption: string;
  auth_username: string | null;
  auth_password_enc: string | null;
}

const SYNC_MS = 2_000;

export class TrunkRegistrations {
  private readonly live = new Map<string, Registered>();
  /** Trunks whose old binding is being removed before the new one starts. */
  private readonly changing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: TrunkRegistrationsOptions) {}

  /** Registers the trunks that ask for it now, and follows their changes. */
  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.o.syncMs ?? SYNC_MS);
    this.timer.unref();
  }

  private kick(): void {
    if (this.stopped || this.syncing) return;
    this.syncing = this.sync()
      .catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'trunk registrations: reading the trunks failed'))
      .finally(() => (this.syncing = undefined));
  }

  private async sync(): Promise<void> {
    const rows = (await this.o.store.db
      .selectFrom('sip_trunks')
      .select(['id', 'termination_uri', 'encryption', 'auth_username', 'auth_password_enc'])
      .where('register', '=', 1)
      .where('status', '=', 'active')
      .execute()) as TrunkForRegistration[];
    if (this.stopped) return;
    const wanted = new Map(rows.filter((r) => r.auth_username && r.auth_password_enc).map((r) => [r.id, r]));
    for (const [id, cur] of this.live) {
      const row = wanted.get(id);
      if (row && keyOf(row) === cur.key) continue;
      this.live.delete(id);
      this.o.log.info({ trunk: id }, row ? 'trunk registration changed: re-registering' : 'trunk no longer registers: un-registering');
      // The old binding goes first, so its "unregistered" never lands after the new state.
      this.changing.set(id, cur.reg.stop().finally(() => this.changing.delete(id)));
    }
    for (const [id, row] of wanted) {
      if (this.live.has(id) || this.changing.has(id)) continue;
      this.begin(row);
    }
  }

  private begin(row: TrunkForRegistration): void {
    let password: string;
    try {
      password = this.o.store.secrets.unseal(row.auth_password_enc!);
    } catch (err) {
      void this.save(row.id, { status: 'failed', expiresAt: null, lastError: 'the stored password cannot be read' });
      this.o.log.warn({ trunk: row.id, err: (err as Error).message }, 'trunk password cannot be unsealed');
      return;
    }
    const username = row.auth_username!;
    let client;
    try {
      client = this.o.ua.registration({
        registrar: trunkUri(row),
        aor: `sip:${encodeURIComponent(username)}@${hostForUri(trunkHost(row))}`,
        contactUser: username,
        credentials: { username, password },
      });
    } catch (err) {
      void this.save(row.id, { status: 'failed', expiresAt: null, lastError: `bad termination_uri: ${(err as Error).message}` });
      return;
    }
    const reg = new TrunkRegistration({
      ...this.o.registration,
      register: (expires) => client.register(expires),
      onState: (s) => {
        if (s.status === 'failed') this.o.log.warn({ trunk: row.id, error: s.lastError }, 'trunk registration failed');
        void this.save(row.id, s);
      },
    });
    this.live.set(row.id, { key: keyOf(row), reg });
    reg.start();
  }

  private async save(id: string, s: RegistrationState): Promise<void> {
    await this.o.store.db
      .updateTable('sip_trunks')
      .set({ registration_status: s.status, registration_expires_at: s.expiresAt?.toISOString() ?? null, registration_error: s.lastError })
      .where('id', '=', id)
      .execute()
      .catch((err: unknown) => this.o.log.warn({ trunk: id, err: (err as Error).message }, 'trunk registration state not saved'));
  }

  /** Stops following the trunks and removes every binding, waiting at most `timeoutMs`. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    const all = [...this.live.values()].map((r) => r.reg.stop(timeoutMs));
    this.live.clear();
    await Promise.all([...all, ...this.changing.values()]);
  }
}

function keyOf(r: TrunkForRegistration): string {
  return JSON.stringify([r.termination_uri, r.encryption, r.auth_username, r.auth_password_enc]);
}

/** An IPv6 literal goes in brackets inside a SIP URI. */
function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
