// The call statuses of the API (spec §2) and the ONE table that says which status a
// call ends in. Everything that ends a call (the B2BUA, the API, a timer) describes
// what happened as a CallOutcome and lets this table pick the status, so a 486 is
// "busy" whether it came from a carrier, a phone or a ring group member.

export const CALL_STATUSES = [
  'initiating',
  'ringing',
  'in_progress',
  'completed',
  'failed',
  'busy',
  'no_answer',
  'cancelled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** A call in one of these is still up (or being set up). */
export const LIVE_STATUSES = ['initiating', 'ringing', 'in_progress'] as const satisfies readonly CallStatus[];
export type LiveStatus = (typeof LIVE_STATUSES)[number];

export const TERMINAL_STATUSES = ['completed', 'failed', 'busy', 'no_answer', 'cancelled'] as const satisfies readonly CallStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(s: CallStatus): s is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(s);
}

/** Who ended the call. */
export const HANGUP_SIDES = ['caller', 'callee', 'api', 'system'] as const;
export type HangupSide = (typeof HANGUP_SIDES)[number];

/** How a call ended, in SIP terms. */
export type CallOutcome =
  /** A final non-2xx response (3xx-6xx) to the INVITE, before any answer. */
  | { kind: 'sip_final'; code: number }
  /** Nobody answered before our ring timer ran out (we CANCEL then). */
  | { kind: 'ring_timeout' }
  /** The call was CANCELled before answer (the caller gave up, or hangup through the API). */
  | { kind: 'cancel' }
  /** The call had been answered (2xx) and a BYE ended it, sent or received by anyone. */
  | { kind: 'bye' }
  /** No SIP final at all: no route, transport error, refused by us before ringing. */
  | { kind: 'error' };

export interface CallEndRule {
  /** What happened, as the documentation's table says it. */
  when: string;
  matches(o: CallOutcome): boolean;
  status: TerminalStatus;
  /** hangup_cause recorded when the caller of transition() gives none. */
  cause: string;
}

const sip =
  (...codes: number[]) =>
  (o: CallOutcome): boolean =>
    o.kind === 'sip_final' && codes.includes(o.code);

/** First matching row wins. docs/voice-api/calls.md prints this table. */
export const CALL_END_TABLE: readonly CallEndRule[] = [
  { when: '486 Busy Here', matches: sip(486), status: 'busy', cause: 'user_busy' },
  { when: '600 Busy Everywhere', matches: sip(600), status: 'busy', cause: 'user_busy' },
  { when: '408 Request Timeout', matches: sip(408), status: 'no_answer', cause: 'no_answer' },
  { when: '480 Temporarily Unavailable', matches: sip(480), status: 'no_answer', cause: 'no_answer' },
  { when: 'ring timeout (no answer in time)', matches: (o) => o.kind === 'ring_timeout', status: 'no_answer', cause: 'ring_timeout' },
  { when: 'CANCEL before answer', matches: (o) => o.kind === 'cancel', status: 'cancelled', cause: 'originator_cancel' },
  // 487 is what an INVITE gets once it has been CANCELled: the same event seen from the far side.
  { when: '487 Request Terminated', matches: sip(487), status: 'cancelled', cause: 'originator_cancel' },
  {
    when: 'any other 3xx-6xx final',
    matches: (o) => o.kind === 'sip_final' && o.code >= 300 && o.code <= 699,
    status: 'failed',
    cause: 'call_rejected',
  },
  { when: 'no SIP final (no route, transport error)', matches: (o) => o.kind === 'error', status: 'failed', cause: 'network_error' },
  { when: '2xx, then BYE', matches: (o) => o.kind === 'bye', status: 'completed', cause: 'normal_clearing' },
];

/** The status (and default hangup cause) a call ends in. */
export function endOf(o: CallOutcome): { status: TerminalStatus; cause: string } {
  if (o.kind === 'sip_final' && (!Number.isInteger(o.code) || o.code < 300 || o.code > 699)) {
    throw new RangeError(`${o.code} is not a final non-2xx SIP status`);
  }
  const rule = CALL_END_TABLE.find((r) => r.matches(o));
  // Unreachable while the table covers every outcome kind; kept so a new kind fails loudly.
  if (!rule) throw new RangeError(`no status for outcome ${JSON.stringify(o)}`);
  return { status: rule.status, cause: rule.cause };
}
