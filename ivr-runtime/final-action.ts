// How a flow ended for the caller. Returned by the interpreter once the call has left
// the flow; spelled the way the API shows it (the dry run returns it as is).

export type HangupReason =
  /** A hangup node. */
  | 'hangup_node'
  /** An end node. */
  | 'end_node'
  /** A menu got no valid key within its retries and has no fallback edge. */
  | 'menu_no_valid_input'
  /** A transfer, ring group or dial-by-name connection failed and the node has no failure edge. */
  | 'connection_failed'
  /** Dial-by-name found nobody within its attempts and has no failure edge. */
  | 'no_name_match'
  /** The caller did not accept the callback offer and the node has no failure edge. */
  | 'callback_declined'
  /** The flow ran more steps than allowed (a loop the caller kept going round). */
  | 'step_limit'
  /** The caller hung up while in the flow. */
  | 'caller_hung_up'
  /** Something in the server failed; the caller was hung up rather than left in silence. */
  | 'internal_error';

export type FinalAction =
  | { type: 'transfer'; node_id: string; to: string }
  | { type: 'ring_group'; node_id: string; ring_group_id: string }
  | { type: 'dial_by_name'; node_id: string; to: string; name: string }
  | { type: 'voicemail'; node_id: string; voicemail_box_id: string | null }
  | { type: 'callback'; node_id: string }
  | { type: 'hangup'; node_id: string | null; reason: HangupReason };
