// Dialog identifiers (RFC 3261 §12): Call-ID, local tag and remote tag, computed from a
// message differently by the side that sent the dialog-creating request (UAC) and the
// side that received it (UAS).
import type { SipMessage, SipRequest } from '../message/message.js';

export interface DialogId {
  callId: string;
  /** Our tag. */
  localTag: string;
  /**
   * The peer's tag. '' stands for the null tag of an RFC 2543 peer (§12.1.1: "the tag
   * is considered to have a value of null").
   */
  remoteTag: string;
}

/**
 * §12: "For a UAC, the Call-ID value of the dialog ID is set to the Call-ID of the
 * message, the remote tag is set to the tag in the To field of the message, and the
 * local tag is set to the tag in the From field of the message (these rules apply to
 * both requests and responses)."
 */
export function uacDialogId(msg: SipMessage): DialogId {
  return {
    callId: msg.callId(),
    localTag: msg.from().params.get('tag') ?? '',
    remoteTag: msg.to().params.get('tag') ?? '',
  };
}

/**
 * §12: "As one would expect for a UAS, the Call-ID value of the dialog ID is set to the
 * Call-ID of the message, the remote tag is set to the tag in the From field of the
 * message, and the local tag is set to the tag in the To field of the message."
 */
export function uasDialogId(msg: SipMessage): DialogId {
  return {
    callId: msg.callId(),
    localTag: msg.to().params.get('tag') ?? '',
    remoteTag: msg.from().params.get('tag') ?? '',
  };
}

/**
 * Whether a request claims to belong to a dialog. §12.2.2: "If the request has a tag in
 * the To header field, the UAS core computes the dialog identifier corresponding to the
 * request and compares it with existing dialogs."
 */
export function isInDialog(req: SipRequest): boolean {
  const tag = req.to().params.get('tag');
  return tag !== undefined && tag !== '';
}
