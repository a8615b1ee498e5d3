// The location service (RFC 3261 §10.3): address-of-record → contact bindings with
// expiry, held in memory for routing and mirrored to a BindingStore so a restart
// loses nothing. Expiry is swept on a timer; lookups also ignore expired rows.
import type { Peer } from '../transaction/transaction-layer.js';

export interface Binding {
  id: string;
  tenantId: string;
  /** The credential (extension) that registered it. */
  credentialId: string | null;
  /** Canonical AOR: "sip:user@domain" (lower-case host, no parameters). */
  aor: string;
  /** The Contact URI as registered (without the header's expires/q parameters). */
  contact: string;
  /** Contact header parameters other than expires (q, +sip.instance, reg-id, unknown ones). */
  params: Record<string, string>;
  callId: string;
  cseq: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  source: Peer;
  userAgent: string | null;
  updatedAt: number;
}

export interface BindingStore {
  loadAll(): Promise<Binding[]>;
  /** Called for every new or refreshed binding; may batch writes. */
  save(b: Binding): void;
  remove(ids: string[]): void;
  flush(): Promise<void>;
}

/** A BindingStore that keeps nothing (unit tests). */
export const memoryOnly: BindingStore = {
  loadAll: async () => [],
  save: () => {},
  remove: () => {},
  flush: async () => {},
};

export class BindingTable {
  private readonly byAor = new Map<string, Binding[]>();

  constructor(
    private readonly store: BindingStore,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<number> {
    const t = this.now();
    let n = 0;
    const stale: string[] = [];
    for (const b of await this.store.loadAll()) {
      if (b.expiresAt <= t) {
        stale.push(b.id);
        continue;
      }
      this.list(b.tenantId, b.aor, true).push(b);
      n++;
    }
    if (stale.length) this.store.remove(stale);
    return n;
  }

  private key(tenantId: string, aor: string): string {
    return `${tenantId} ${aor}`;
  }

  private list(tenantId: string, aor: string, create: boolean): Binding[] {
    const k = this.key(tenantId, aor);
    let l = this.byAor.get(k);
    if (!l && create) {
      l = [];
      this.byAor.set(k, l);
    }
    return l ?? [];
  }

  /** Live bindings of an AOR, highest q first, then most recent. */
  lookup(tenantId: string, aor: string): Binding[] {
    const t = this.now();
    const all = this.list(tenantId, aor, false);
    // The common case (one phone per address) needs no copy and no sort.
    if (all.length === 1) return all[0]!.expiresAt > t ? all : [];
    return all
      .filter((b) => b.expiresAt > t)
      .sort((a, b) => Number(b.params.q ?? 1) - Number(a.params.q ?? 1) || b.updatedAt - a.updatedAt);
  }

  /** Live bindings registered by one credential (for the API's registration state). */
  byCredential(credentialId: string): Binding[] {
    const t = this.now();
    const out: Binding[] = [];
    for (const l of this.byAor.values()) for (const b of l) if (b.credentialId === credentialId && b.expiresAt > t) out.push(b);
    return out;
  }

  upsert(b: Binding): void {
    const l = this.list(b.tenantId, b.aor, true);
    const i = l.findIndex((x) => x.contact === b.contact);
    if (i >= 0) l[i] = b;
    else l.push(b);
    this.store.save(b);
  }

  remove(tenantId: string, aor: string, contact?: string): Binding[] {
    const k = this.key(tenantId, aor);
    const l = this.byAor.get(k);
    if (!l) return [];
    let gone: Binding[];
    if (contact === undefined) gone = l.splice(0);
    else {
      const i = l.findIndex((b) => b.contact === contact);
      gone = i >= 0 ? l.splice(i, 1) : [];
    }
    if (l.length === 0) this.byAor.delete(k);
    if (gone.length) this.store.remove(gone.map((b) => b.id));
    return gone;
  }

  /** Drops expired bindings; returns how many. */
  sweep(): number {
    const t = this.now();
    const gone: string[] = [];
    for (const [k, l] of this.byAor) {
      for (let i = l.length - 1; i >= 0; i--) {
        if (l[i]!.expiresAt <= t) gone.push(l.splice(i, 1)[0]!.id);
      }
      if (l.length === 0) this.byAor.delete(k);
    }
    if (gone.length) this.store.remove(gone);
    return gone.length;
  }

  get size(): number {
    let n = 0;
    for (const l of this.byAor.values()) n += l.length;
    return n;
  }
}
