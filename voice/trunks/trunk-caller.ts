// What a carrier's call must show before the B2BUA takes it, beyond coming from one of the
// trunk's origination addresses (docs/trunks.md): TLS when the trunk's `encryption` asks for
// it, and the trunk's credentials (digest, 407) when it has some. The digest is the SIP
// stack's own (sip/auth: stateless nonces, replay checks, the lockout after repeated
// failures), checked against HA1 values made from the trunk's sealed password.
import type { InboundCall } from '../../sip/ua/index.js';
import { ha1, realmOf } from '../config/sip-credentials.js';
import type { CallDirectory, TrunkRow } from '../b2bua/call-directory.js';
import { encrypted } from './trunk-transport.js';

/**
 * True when the call may go on as the trunk's; otherwise it has been answered (403 for
 * plain transport on an encrypted trunk; the challenge, or 403 while locked out).
 */
export async function admitTrunkCall(dir: CallDirectory, call: InboundCall, trunk: TrunkRow): Promise<boolean> {
  if (encrypted(trunk) && call.source.transport !== 'TLS') {
    call.reject(403, { reason: 'TLS Required On This Trunk' });
    return false;
  }
  const password = trunk.auth_username ? dir.trunkPassword(trunk) : undefined;
  if (!trunk.auth_username || !password) return true; // address match only
  const tenant = await dir.tenant(trunk.tenant_id);
  if (!tenant) {
    call.reject(404, { reason: 'Domain not served here' });
    return false;
  }
  const realm = realmOf(tenant);
  const username = trunk.auth_username;
  const auth = await call.authenticateWith(realm, async (u) =>
    u === username ? { ha1Md5: ha1('MD5', u, realm, password), ha1Sha256: ha1('SHA-256', u, realm, password) } : undefined,
  );
  return auth.ok;
}

/**
 * The number a carrier's call is for. Normally the Request-URI's user; but a carrier we
 * register with sends calls to the Contact we registered, whose user is the trunk's username
 * (RFC 3261 §10.2.1), and names the number dialled in To instead. Then To's user is taken.
 */
export function dialledOnTrunk(call: InboundCall, trunk: TrunkRow, dialled: string): string {
  if (dialled !== '' && dialled !== trunk.auth_username) return dialled;
  const to = /^<?sips?:([^@;>]+)@/i.exec(call.to.uri)?.[1];
  return to ? decodeURIComponent(to) : dialled;
}
