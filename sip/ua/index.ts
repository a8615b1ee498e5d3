// The user-agent layer: INVITE sessions as UAS and UAC on top of the SIP stack, for
// the B2BUA in voice/ to drive.
export { UserAgent, type UserAgentOptions, type UaStack, type CallHandle } from './user-agent.js';
export { CallSession, sessionKey } from './call-session.js';
export { InboundCall, type InboundCallEvents, type AuthOutcome, type CredentialLookup } from './inbound-call.js';
export { RegistrationClient, type RegistrationOptions, type RegisterOutcome } from './registration-client.js';
export { OutboundCall, type InviteOptions, type OutboundCallEvents } from './outbound-call.js';
export { IncomingOffer, type OfferResult } from './offer-exchange.js';
export { IncomingRefer, type ReferOptions, type ReferProgress, type ReferResult } from './refer-exchange.js';
export type { CallState, DtmfEvent, InfoEvent, SessionEvents, Termination, TerminationCause } from './session-types.js';
export { DEFAULT_LIMITS, type SessionLimits, type UaLogger } from './ua-env.js';
export { parseReplaces, formatReplaces, replacesFor, withReplacesHeader, type Replaces } from './replaces.js';
export { formatSipfrag, parseSipfrag, SIPFRAG_TYPE } from './sipfrag.js';
export { formatDtmfRelay, parseDtmfInfo, DTMF_RELAY, DTMF_PLAIN, type DtmfInfo } from './dtmf-info.js';
export { audioDirection, isHoldOffer, type Direction } from './sdp-hold.js';
export { nextHopOf, resolveTarget, systemLookup, TargetError, type HostLookup, type NextHop } from './target.js';
export { LocalAddresses, type LocalAddress } from './local-address.js';
