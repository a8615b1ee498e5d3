// Registrations are written behind: the registrar updates memory at once and the
// rows reach SQLite in one transaction every `flushMs` (or sooner when many wait), so
// a burst of REGISTERs costs one fsync per batch instead of one per request, and a
// binding refreshed several times within a second is written once.
import type { RegistrationRow, Store } from '../../store/index.js';
import type { Binding, BindingStore } from '../../sip/registrar/bindings.js';

export class WriteBehindBindingStore implements BindingStore {
  private upserts = new Map<string, Binding>();
  private deletes = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (err: unknown) => void,
    private readonly flushMs = 1000,
    private readonly maxPending = 5000,
  ) {}

  async loadAll(): Promise<Binding[]> {
    const rows = await this.store.registrations.loadLive(Date.now());
    return rows.map(toBinding);
  }

  save(b: Binding): void {
    this.deletes.delete(b.id);
    this.upserts.set(b.id, b);
    this.schedule();
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      this.upserts.delete(id);
      this.deletes.add(id);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.upserts.size + this.deletes.size >= this.maxPending) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const upserts = [...this.upserts.values()].map(toRow);
    const deletes = [...this.deletes];
    this.upserts.clear();
    this.deletes.clear();
    // Flushes run one after another so rows land in the order they changed.
    this.flushing = this.flushing
      .then(() => this.store.registrations.apply(upserts, deletes))
      .catch((err: unknown) => this.onError(err));
    return this.flushing;
  }
}

function toRow(b: Binding): RegistrationRow {
  return {
    id: b.id,
    tenant_id: b.tenantId,
    credential_id: b.credentialId,
    aor: b.aor,
    contact: b.contact,
    params: JSON.stringify(b.params),
    call_id: b.callId,
    cseq: b.cseq,
    expires_at: b.expiresAt,
    transport: b.source.transport,
    source_address: b.source.address,
    source_port: b.source.port,
    connection_id: b.source.connectionId ?? null,
    user_agent: b.userAgent,
    updated_at: b.updatedAt,
  };
}

export function toBinding(r: RegistrationRow): Binding {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    credentialId: r.credential_id,
    aor: r.aor,
    contact: r.contact,
    params: JSON.parse(r.params) as Record<string, string>,
    callId: r.call_id,
    cseq: r.cseq,
    expiresAt: r.expires_at,
    source: {
      transport: r.transport,
      address: r.source_address,
      port: r.source_port,
      ...(r.connection_id ? { connectionId: r.connection_id } : {}),
    },
    userAgent: r.user_agent,
    updatedAt: r.updated_at,
  };
}
