// Types the parts of a call session share: its states, why it ends, its events, and
// the narrow view of a session that the offer and REFER exchanges work through.
import type { Dialog } from '../dialog/dialog.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { ResponseOptions } from '../message/response.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Peer, ServerTransaction } from '../transaction/transaction-layer.js';
import type { IncomingOffer } from './offer-exchange.js';
import type { IncomingRefer, ReferProgress } from './refer-exchange.js';
import type { UaEnv } from './ua-env.js';

/**
 * pending: nothing final yet; early: a provisional with a To tag (an early dialog);
 * answered: we sent a 2xx and wait for its ACK (UAS only); confirmed: in a call;
 * terminated: over.
 */
export type CallState = 'pending' | 'early' | 'answered' | 'confirmed' | 'terminated';

/**
 * Why a session ended. bye-remote/bye-local: a BYE (or, before the answer, the
 * caller's BYE on the early dialog); cancel: CANCEL received, or our cancel(); timeout:
 * no answer, no ACK, or no response to a request in the dialog; rejected: a final
 * response ≥ 300 (sent as UAS, received as UAC); dialog-gone: the peer answered 481 to
 * a request in the dialog; failed: a transport error or an unreachable target.
 */
export type TerminationCause = 'bye-remote' | 'bye-local' | 'cancel' | 'timeout' | 'rejected' | 'dialog-gone' | 'failed';

export interface Termination {
  cause: TerminationCause;
  /** The SIP status that ended it, when one did (the final response, a 481/408). */
  status?: number;
  reason?: string;
}

export interface DtmfEvent {
  /** 0-9, *, #, A-D. */
  digit: string;
  durationMs: number | undefined;
}

export interface InfoEvent {
  contentType: string | undefined;
  body: Buffer;
  request: SipRequest;
}

export interface SessionEvents {
  /** The session is over; emitted once, last. */
  terminated: (t: Termination) => void;
  /** A re-INVITE or UPDATE from the peer: answer it with offer.accept(sdp) or offer.reject(). */
  offer: (offer: IncomingOffer) => void;
  /** The peer CANCELled its re-INVITE before we answered it (we sent the 487). */
  offerCancelled: (offer: IncomingOffer) => void;
  /** The SDP answer in the ACK of an offerless re-INVITE we answered with an offer. */
  lateAnswer: (sdp: string) => void;
  /** A digit in an INFO (application/dtmf-relay or application/dtmf), already answered 200. */
  dtmf: (e: DtmfEvent) => void;
  /** Any other INFO, already answered 200. */
  info: (e: InfoEvent) => void;
  /** A REFER from the peer: refer.accept() (202, then NOTIFYs) or refer.reject(). */
  refer: (r: IncomingRefer) => void;
  /** A NOTIFY of a REFER we sent: the status line of the referred call's progress. */
  referProgress: (p: ReferProgress) => void;
}

/** Handlers of a request sent in a client transaction. */
export interface TxHandlers {
  onProvisional?(res: SipResponse): void;
  /**
   * The final response, or a local 408/503 when none came or the transport failed
   * (`local` true: made up here, not received).
   */
  onFinal(res: SipResponse, local: boolean): void;
  /** A 2xx after the first (forks, retransmissions): it needs its ACK again. */
  onExtra2xx?(res: SipResponse): void;
  /** The request was sent again with credentials (new CSeq and branch). */
  onResend?(req: SipRequest): void;
  /** Whether a 401/407 may still be answered (false once the call is being cancelled). */
  mayRetry?(): boolean;
}

/** What the offer and REFER exchanges use of their session. */
export interface SessionHost {
  readonly env: UaEnv;
  readonly callId: string;
  readonly state: CallState;
  readonly dialog: Dialog | undefined;
  readonly peer: Peer;
  readonly callIdOwner: boolean;
  readonly initialInvite: 'ours' | 'theirs' | undefined;
  readonly awaitingAck: boolean;
  transmit(req: SipRequest, h: TxHandlers): void;
  respond(tx: ServerTransaction, req: SipRequest, status: number, opts?: ResponseOptions): SipResponse;
  fire<K extends keyof SessionEvents>(event: K, ...args: Parameters<SessionEvents[K]>): boolean;
  listens(event: keyof SessionEvents): boolean;
  startAckWait(tx: InviteServerTransaction, res: SipResponse, initial: boolean, offerless: boolean): void;
  endOnDialogError(res: SipResponse): void;
}
