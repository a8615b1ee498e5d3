// The call state machine: initiating → ringing → in_progress → completed, or from any
// state before the answer to busy / no_answer / cancelled / failed (call-status.ts picks
// which). Terminal states are final. An input the current state cannot take is a bug or
// a race in the caller, so it throws instead of silently rewriting history.
import { ConflictError } from '../config/errors.js';
import { endOf, isTerminal, type CallOutcome, type CallStatus } from './call-status.js';

export type CallInput =
  /** A provisional 180/183 (or the first sign of alerting). */
  | { type: 'ring' }
  /** A 2xx to the INVITE. */
  | { type: 'answer' }
  /** The call ended; the outcome says how. */
  | { type: 'end'; outcome: CallOutcome };

/**
 * The call cannot take this input in its status. Extends ConflictError, so an API
 * operation that hits it answers 409 with code INVALID_CALL_STATE.
 */
export class IllegalCallTransition extends ConflictError {
  constructor(
    readonly from: CallStatus,
    readonly input: CallInput,
  ) {
    super('INVALID_CALL_STATE', `a call that is ${from} cannot take "${describe(input)}"`);
    this.name = 'IllegalCallTransition';
  }
}

function describe(i: CallInput): string {
  if (i.type !== 'end') return i.type;
  return i.outcome.kind === 'sip_final' ? `end (${i.outcome.code})` : `end (${i.outcome.kind})`;
}

export interface Step {
  to: CallStatus;
  /** False when the input repeats what the status already says (a second 180). */
  changed: boolean;
  /** The default hangup cause when the step ends the call. */
  cause?: string;
}

export function nextStatus(from: CallStatus, input: CallInput): Step {
  if (isTerminal(from)) throw new IllegalCallTransition(from, input);
  switch (input.type) {
    case 'ring':
      if (from === 'initiating') return { to: 'ringing', changed: true };
      // 180 then 183 (or a retransmitted 180): still ringing.
      if (from === 'ringing') return { to: 'ringing', changed: false };
      break;
    case 'answer':
      // A 200 without any 18x before it is a normal answer too.
      if (from === 'initiating' || from === 'ringing') return { to: 'in_progress', changed: true };
      break;
    case 'end': {
      // Only an answered call ends with a BYE; only an unanswered one with a final response, a timeout or a CANCEL.
      const answered = from === 'in_progress';
      if (answered !== (input.outcome.kind === 'bye')) break;
      const end = endOf(input.outcome);
      return { to: end.status, changed: true, cause: end.cause };
    }
  }
  throw new IllegalCallTransition(from, input);
}
