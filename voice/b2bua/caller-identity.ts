// Who sends an INVITE: a carrier, recognised by the address it comes from (a host of an
// active trunk's origination_uris; with TLS and digest when the trunk asks), or else an
// extension that proves itself with digest (the SIP stack challenges it with 407). Used for
// new calls and for INVITEs with Replaces.
import type { InboundCall } from '../../sip/ua/index.js';
import type { CallDirectory, ExtensionRow, TrunkRow } from './call-directory.js';
import { asE164 } from './destination.js';
import { admitTrunkCall } from '../trunks/trunk-caller.js';

export interface CallerIdentity {
  tenantId: string;
  trunk?: TrunkRow;
  extension?: ExtensionRow;
}

/**
 * The tenant and the trunk or extension calling; undefined when the INVITE has been answered
 * already (challenged, or refused).
 */
export async function identifyCaller(dir: CallDirectory, call: InboundCall, dialled: string): Promise<CallerIdentity | undefined> {
  const trunks = await dir.trunksForSource(call.source.address);
  if (trunks.length > 0) {
    const trunk = await pickTrunk(dir, trunks, dialled);
    // TLS and digest when the trunk asks for them (voice/trunks/trunk-caller.ts).
    if (!(await admitTrunkCall(dir, call, trunk))) return undefined;
    return { tenantId: trunk.tenant_id, trunk };
  }
  const auth = await call.authenticate();
  if (!auth.ok) return undefined; // challenged (407) or refused: the UA answered
  const tenantId = auth.tenantId ?? call.tenantId;
  if (!tenantId) {
    call.reject(404, { reason: 'Domain not served here' });
    return undefined;
  }
  const extension = await dir.extensionByUsername(tenantId, auth.username);
  return { tenantId, ...(extension ? { extension } : {}) };
}

/** Of several trunks at one address (tenants sharing a carrier), the one owning the dialled number. */
async function pickTrunk(dir: CallDirectory, trunks: TrunkRow[], dialled: string): Promise<TrunkRow> {
  if (trunks.length === 1) return trunks[0]!;
  const e164 = asE164(dialled);
  const number = e164 ? await dir.number(e164) : undefined;
  return trunks.find((t) => t.tenant_id === number?.tenant_id) ?? trunks[0]!;
}
