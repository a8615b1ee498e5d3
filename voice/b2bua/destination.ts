// Where a call goes (docs/b2bua.md "Routing"): an extension of the tenant, or a number
// out through the tenant's trunk. Inbound calls from a trunk may only reach the tenant's
// own numbers and extensions; anything else is a relay attempt and gets 403. A number
// routed to an IVR flow or a voicemail box is an application: the call is answered here
// and handed to voice/ivr (docs/ivr.md), outside a route's calendar hours its after-hours target.
import type { InboundCall } from '../../sip/ua/index.js';
import type { BridgedCall, Leg } from './bridged-call.js';
import type { CallDirectory, ExtensionRow, NumberRow, TrunkRow } from './call-directory.js';

/** `agentId`: the destination is an agent (at its extension, or at its phone: then the operator side). */
export type Destination =
  | { kind: 'extension'; extension: ExtensionRow; number?: NumberRow; agentId?: string }
  | { kind: 'pstn'; trunk: TrunkRow; e164: string; number?: NumberRow; agentId?: string }
  | { kind: 'refuse'; status: number; reason: string };

/** A route the B2BUA does not connect itself but answers and hands to an application. */
export type AppTarget = { type: 'ivr_flow'; flowId: string } | { type: 'voicemail'; voicemailId: string };

export type Application = { kind: 'application'; app: AppTarget; e164: string; number: NumberRow };

/** Where an arriving INVITE goes: a destination to dial, or an application that answers it. */
export type Arrival = Destination | Application;

/** What runs applications (voice/ivr's IvrApplications), and judges calendars for routes. */
export interface ApplicationHost {
  /** Whether the tenant's calendar is open now; undefined when there is no such calendar. */
  isOpen(tenantId: string, calendarId: string): Promise<boolean | undefined>;
  /** Answers the caller (its leg has its endpoint) and runs the application until it is done. */
  answer(a: { bridged: BridgedCall; leg: Leg; sip: InboundCall; app: Application; caller: string }): Promise<void>;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** The dialled user part as E.164 when it is a phone number (`+` optional on the wire). */
export function asE164(user: string): string | undefined {
  const digits = user.replace(/[-.() ]/g, '');
  const withPlus = digits.startsWith('+') ? digits : /^[1-9][0-9]{6,14}$/.test(digits) ? `+${digits}` : digits;
  return E164.test(withPlus) ? withPlus : undefined;
}

/**
 * The route of a number, with its calendar: closed, the after-hours target instead (none:
 * 480). Only arrivals (`host` given) judge the calendar and may get an application; a
 * transfer or POST /calls to the number connects extensions and agents as before.
 */
async function viaNumberRoute(dir: CallDirectory, number: NumberRow, host?: ApplicationHost): Promise<Arrival> {
  let type = number.route_type;
  let target = number.route_target_id;
  if (!type || !target) return { kind: 'refuse', status: 480, reason: 'No route for this number' };
  if (host && number.calendar_id && (await host.isOpen(number.tenant_id, number.calendar_id)) === false) {
    if (!number.after_hours_type || !number.after_hours_target_id) return { kind: 'refuse', status: 480, reason: 'Closed' };
    type = number.after_hours_type;
    target = number.after_hours_target_id;
  }
  if (type === 'extension') {
    const extension = await dir.extensionById(number.tenant_id, target);
    return extension ? { kind: 'extension', extension, number } : { kind: 'refuse', status: 480, reason: 'Extension gone' };
  }
  if (type === 'agent') {
    const routed = await viaAgent(dir, number.tenant_id, target);
    if (routed.kind === 'extension') return { kind: 'extension', extension: routed.extension, number };
    if (routed.kind === 'pstn') return { ...routed, number };
    return { kind: 'refuse', status: 480, reason: routed.status === 404 ? 'Agent unavailable' : routed.reason };
  }
  if (host && type === 'ivr_flow') return { kind: 'application', app: { type: 'ivr_flow', flowId: target }, e164: number.e164, number };
  if (host && type === 'voicemail') return { kind: 'application', app: { type: 'voicemail', voicemailId: target }, e164: number.e164, number };
  return { kind: 'refuse', status: 480, reason: `Route type ${type} is not served by the B2BUA yet` };
}

/** A route for dialling: an application route is not something to dial. */
async function dialNumberRoute(dir: CallDirectory, number: NumberRow): Promise<Destination> {
  const routed = await viaNumberRoute(dir, number);
  return routed.kind === 'application' ? { kind: 'refuse', status: 480, reason: 'Application route' } : routed;
}

/** An agent: at its extension, else at its phone number through the tenant's trunk. */
async function viaAgent(dir: CallDirectory, tenantId: string, agentId: string): Promise<Destination> {
  const agent = await dir.agent(tenantId, agentId);
  if (!agent) return { kind: 'refuse', status: 404, reason: 'No such agent' };
  if (agent.archived) return { kind: 'refuse', status: 480, reason: 'Agent unavailable' };
  if (agent.extension_id) {
    const extension = await dir.extensionById(tenantId, agent.extension_id);
    if (extension) return { kind: 'extension', extension, agentId: agent.id };
  }
  if (agent.phone_number) {
    const trunk = await dir.outboundTrunk(tenantId);
    if (trunk) return { kind: 'pstn', trunk, e164: agent.phone_number, agentId: agent.id };
  }
  return { kind: 'refuse', status: 480, reason: 'Agent unreachable' };
}

/**
 * Routing of an arriving INVITE: as routeInbound, and a number routed to an IVR flow or a
 * voicemail box is an application when `host` runs them (without one: 480, as before).
 */
export async function routeArrival(dir: CallDirectory, tenantId: string, dialled: string, fromTrunk: boolean, host?: ApplicationHost): Promise<Arrival> {
  const e164 = asE164(dialled);
  if (e164) {
    const number = await dir.number(e164);
    if (number && number.tenant_id === tenantId) return host ? viaNumberRoute(dir, number, host) : dialNumberRoute(dir, number);
  }
  return routeInbound(dir, tenantId, dialled, fromTrunk);
}

/**
 * Routing of an inbound INVITE (or a REFER's target). `fromTrunk`: the call came from a
 * carrier (only the tenant's numbers and extensions may be reached); otherwise an
 * authenticated extension called, and may also reach any E.164 number through the tenant's trunk.
 */
export async function routeInbound(dir: CallDirectory, tenantId: string, dialled: string, fromTrunk: boolean): Promise<Destination> {
  const e164 = asE164(dialled);
  if (e164) {
    const number = await dir.number(e164);
    if (number && number.tenant_id === tenantId) return dialNumberRoute(dir, number);
    if (fromTrunk) return { kind: 'refuse', status: 403, reason: 'Not a number of this tenant' };
    const trunk = await dir.outboundTrunk(tenantId);
    if (!trunk) return { kind: 'refuse', status: 403, reason: 'No trunk for calls out' };
    return { kind: 'pstn', trunk, e164 };
  }
  const extension = await dir.extension(tenantId, dialled);
  if (extension) return { kind: 'extension', extension };
  return { kind: 'refuse', status: 404, reason: 'No such extension or number' };
}

/** POST /calls `to`: an ext_ id, an extension number, or E.164 out through the trunk. */
export async function routeOutbound(dir: CallDirectory, tenantId: string, to: string): Promise<Destination> {
  if (to.startsWith('ext_')) {
    const extension = await dir.extensionById(tenantId, to);
    return extension ? { kind: 'extension', extension } : { kind: 'refuse', status: 404, reason: 'No such extension' };
  }
  const e164 = asE164(to);
  if (!e164) {
    const extension = await dir.extension(tenantId, to);
    return extension ? { kind: 'extension', extension } : { kind: 'refuse', status: 404, reason: 'No such extension' };
  }
  const number = await dir.number(e164);
  if (number && number.tenant_id === tenantId) {
    const routed = await dialNumberRoute(dir, number);
    if (routed.kind !== 'refuse') return routed;
  }
  const trunk = await dir.outboundTrunk(tenantId);
  if (!trunk) return { kind: 'refuse', status: 403, reason: 'The tenant has no trunk for calls out' };
  return { kind: 'pstn', trunk, e164 };
}

/**
 * Where a transfer, a consult or a supervisor leg goes (`to` of those operations): an agt_
 * id (the agent's extension, else its phone), an ext_ id, an extension number, or E.164 as
 * POST /calls routes it.
 */
export async function routeTransfer(dir: CallDirectory, tenantId: string, to: string): Promise<Destination> {
  if (to.startsWith('agt_')) return viaAgent(dir, tenantId, to);
  return routeOutbound(dir, tenantId, to);
}
