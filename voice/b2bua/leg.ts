// A call leg: one SIP session of a call and its media endpoint. The two main legs are the
// caller's and the callee's; side legs (a transfer target, a consult party, a supervisor)
// belong to the call too but talk only as their operation says, until one takes a main
// leg's place.
import type { InboundCall, OutboundCall, Termination } from '../../sip/ua/index.js';

export type LegRole = 'caller' | 'callee';
export type SipLeg = InboundCall | OutboundCall;

/** Side legs, at most one of each per call. */
export type SidePurpose = 'transfer' | 'consult' | 'supervisor';

export interface Leg {
  /** A main leg's role; for a side leg, the role it takes if it replaces a main leg. */
  role: LegRole;
  sip: SipLeg;
  endpointId: string;
  /** This leg is a person of the tenant (an extension or an agent): the "operator side". */
  operator: boolean;
  /** The peer holds us (its last offer was sendonly/inactive). */
  heldByPeer: boolean;
  /** An inbound leg: the SDP its endpoint made for the INVITE (the answer, or our offer if it sent none). */
  localSdp?: string;
  /** The extension this leg reaches (its REFERs are routed as that extension). */
  extensionId?: string;
  /** The agent this leg reaches, when it was dialled as one. */
  agentId?: string;
  /** Its endpoint is a member of the call's room. */
  joined: boolean;
  /** A side leg that answered. */
  answered: boolean;
  /** Removes the call's listeners from the SIP session (the leg left the call). */
  off: () => void;
  /** A side leg that answered has ended: what its operation does about it. */
  onGone?: (t: Termination) => void;
}

/** A leg that called us (its INVITE came in), as opposed to one we dialled. */
export function isInbound(sip: SipLeg): sip is InboundCall {
  return 'answer' in sip;
}

/** BYE an answered leg, CANCEL an outgoing one that rings, reject an incoming one not answered. */
export function releaseSip(sip: SipLeg, status = 487): void {
  if (sip.state === 'terminated') return;
  if (sip.state === 'confirmed' || sip.state === 'answered') sip.bye();
  else if ('cancel' in sip) sip.cancel();
  else sip.reject(status >= 300 && status < 700 ? status : 487);
}
