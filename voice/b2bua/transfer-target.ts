// What the transfers and the supervisor legs share: where `to` goes (422 naming `to` when it
// goes nowhere), whom the new party sees calling, and how a newcomer shows in the record.
import type { CallPatch } from '../calls/call-records.js';
import { ConfigError } from '../config/errors.js';
import type { B2buaContext } from './b2bua-context.js';
import type { BridgedCall } from './bridged-call.js';
import { asE164, routeTransfer } from './destination.js';
import type { Reachable } from './dialer.js';
import type { Leg } from './leg.js';

/** `to` of a transfer, warm transfer or supervisor request as a destination; 422 `to` when none. */
export async function resolveTo(ctx: B2buaContext, tenantId: string, to: string): Promise<Reachable> {
  const dest = await routeTransfer(ctx.dir, tenantId, to);
  if (dest.kind === 'refuse') throw new ConfigError([{ field: 'to', code: dest.status === 404 ? 'NOT_FOUND' : 'UNREACHABLE', message: dest.reason }]);
  return dest;
}

/**
 * The caller id a transfer target (or consult, or supervisor) sees: `callerId` when given,
 * else the number of the party that stays on the call (the remote party being transferred),
 * as the spec's "the original caller's number". Toward the PSTN it must be E.164: an
 * extension number is replaced by the tenant's default number.
 */
export async function presentedFor(ctx: B2buaContext, c: BridgedCall, stays: Leg | undefined, dest: Reachable, callerId?: string): Promise<string> {
  if (callerId) return callerId;
  const record = await ctx.o.records.byId(c.id);
  const number = (stays?.role === 'callee' ? record?.to : record?.from) ?? 'anonymous';
  if (dest.kind !== 'pstn' || asE164(number)) return number;
  return (await ctx.dir.tenant(c.tenantId))?.defaultNumber ?? number;
}

/** How a destination is written in the call's timeline. */
export function describe(dest: Reachable): Record<string, unknown> {
  return {
    to: dest.kind === 'pstn' ? dest.e164 : (dest.extension.extension ?? dest.extension.username),
    extension_id: dest.kind === 'extension' ? dest.extension.id : null,
    agent_id: dest.agentId ?? null,
  };
}

/** The record's columns for the party now in `leg`'s role: its extension, and the agent it is. */
export function recordPatch(leg: Leg): CallPatch {
  return {
    ...(leg.role === 'caller' ? { callerExtensionId: leg.extensionId ?? null } : { calleeExtensionId: leg.extensionId ?? null }),
    ...(leg.agentId ? { agentId: leg.agentId } : {}),
  };
}
