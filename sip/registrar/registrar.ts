// REGISTER processing (RFC 3261 §10.3), after the request was authenticated.
import type { SipRequest } from '../message/message.js';
import type { NameAddr } from '../message/name-addr.js';
import { formatParamRecord, ownString } from '../message/scanner.js';
import { parseSipUri } from '../uri.js';
import type { Peer } from '../transaction/transaction-layer.js';
import type { Binding, BindingTable } from './bindings.js';

export interface RegistrarPolicy {
  /** Shortest registration accepted; shorter ones get 423 with Min-Expires (§10.3 step 7). */
  minExpires: number;
  /** Longer requests are shortened to this. */
  maxExpires: number;
  /** When neither the Contact nor the request says (§10.3 step 7: "a locally-configured default"). */
  defaultExpires: number;
  maxContactsPerAor: number;
}

export const DEFAULT_POLICY: RegistrarPolicy = { minExpires: 60, maxExpires: 7200, defaultExpires: 3600, maxContactsPerAor: 10 };

export interface RegisterContext {
  tenantId: string;
  credentialId: string | null;
  /** The authenticated digest username. */
  username: string;
  source: Peer;
}

export interface RegisterResult {
  status: number;
  reason?: string;
  headers: [string, string][];
  /** Bindings added, refreshed or removed, for events and logs. */
  changed: number;
}

/** The AOR of a To URI: scheme, unescaped user and lower-case host (§10.3 step 5). */
export function aorOf(uri: string): string {
  const u = parseSipUri(uri);
  return `${u.scheme}:${u.user ?? ''}@${u.host}`;
}

export class Registrar {
  constructor(
    private readonly table: BindingTable,
    private readonly policy: RegistrarPolicy = DEFAULT_POLICY,
    private readonly newId: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  handle(req: SipRequest, ctx: RegisterContext): RegisterResult {
    const fail = (status: number, reason?: string, headers: [string, string][] = []): RegisterResult => ({
      status,
      ...(reason ? { reason } : {}),
      headers,
      changed: 0,
    });
    // §10.3 step 5: "The registrar extracts the address-of-record from the To header field."
    const to = req.toSipUri();
    if (!to) return fail(400, 'To is not a SIP address of record');
    const aorUser = to.user;
    const aor = `${to.scheme}:${to.user ?? ''}@${to.host}`;
    // §10.3 step 6: the authenticated user must be authorized to modify this AOR's
    // bindings; a user may register only their own address.
    if (aorUser !== ctx.username) return fail(403, 'Not your address of record');

    const contacts = req.contacts();
    const headerExpires = readExpires(req.get('expires'));
    const t = this.now();
    let changed = 0;

    if (contacts === '*') {
      // §10.3 step 6: "*" only with Expires: 0 and no other Contact.
      if (headerExpires !== 0 || req.count('contact') !== 1) return fail(400, 'Wildcard Contact needs Expires: 0');
      changed = this.table.remove(ctx.tenantId, aor).length;
      return this.ok(ctx, aor, changed);
    }

    const existing = new Map(this.table.lookup(ctx.tenantId, aor).map((b) => [b.contact, b]));
    const callId = req.callId();
    const cseq = req.cseq().seq;
    const plan: { contact: NameAddr; expires: number }[] = [];
    for (const c of contacts) {
      let expires = readExpires(c.params.get('expires')) ?? headerExpires ?? this.policy.defaultExpires;
      if (expires > 0 && expires < this.policy.minExpires) {
        return fail(423, undefined, [['Min-Expires', String(this.policy.minExpires)]]);
      }
      expires = Math.min(expires, this.policy.maxExpires);
      const old = existing.get(c.uri);
      // §10.3 step 7: same Call-ID with a CSeq not higher than stored: abort.
      if (old && old.callId === callId && cseq <= old.cseq) return fail(400, 'CSeq out of order');
      plan.push({ contact: c, expires });
    }
    const adding = plan.filter((p) => p.expires > 0 && !existing.has(p.contact.uri)).length;
    if (existing.size + adding > this.policy.maxContactsPerAor) return fail(403, 'Too many contacts for this address');

    const ua = req.get('user-agent') ?? null;
    for (const { contact, expires } of plan) {
      if (expires === 0) {
        changed += this.table.remove(ctx.tenantId, aor, contact.uri).length;
        continue;
      }
      // A refresh repeats what the binding holds: keep its strings rather than copy new ones.
      const old = existing.get(contact.uri);
      const params: Record<string, string> = {};
      for (const [k, v] of contact.params) {
        // Property names are interned by V8 (a copy), so only values need copying.
        if (k !== 'expires') params[k] = old?.params[k] === v ? old.params[k] : ownString(v);
      }
      const b: Binding = {
        id: old?.id ?? this.newId(),
        tenantId: ctx.tenantId,
        credentialId: ctx.credentialId,
        aor: old?.aor ?? ownString(aor),
        contact: old?.contact ?? ownString(contact.uri),
        params,
        callId: old?.callId === callId ? old.callId : ownString(callId),
        cseq,
        expiresAt: t + expires * 1000,
        source: ctx.source,
        userAgent: ua === null ? null : old?.userAgent === ua ? old.userAgent : ownString(ua),
        updatedAt: t,
      };
      this.table.upsert(b);
      changed++;
    }
    return this.ok(ctx, aor, changed);
  }

  /** §10.3 step 8: the 200 lists every current binding with its remaining expiry. */
  private ok(ctx: RegisterContext, aor: string, changed: number): RegisterResult {
    const t = this.now();
    const headers: [string, string][] = [];
    for (const b of this.table.lookup(ctx.tenantId, aor)) {
      const expires = Math.max(0, Math.round((b.expiresAt - t) / 1000));
      headers.push(['Contact', `<${b.contact}>${formatParamRecord(b.params)};expires=${expires}`]);
    }
    headers.push(['Date', httpDate(t)]);
    return { status: 200, headers, changed };
  }
}

// The Date value changes once a second; thousands of 200s a second share it.
let dateSecond = -1;
let dateText = '';
function httpDate(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(sec * 1000).toUTCString();
  }
  return dateText;
}

/** Expires values above 2^32-1 count as the maximum (RFC 4475 scalar02); garbage as absent. */
function readExpires(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d+$/.test(t)) return undefined;
  return t.length > 10 ? 0xffffffff : Math.min(Number(t), 0xffffffff);
}
