// What inbound and outbound INVITE sessions share once they have a dialog: requests
// sent in it (with a carrier's digest challenge answered once), requests received in
// it (BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY), the ACK wait of a 2xx we sent,
// and the one place a session ends.
import type { DigestClientCredentials } from '../auth/digest-client.js';
import type { Dialog } from '../dialog/dialog.js';
import { Invite2xxRetransmitter } from '../dialog/invite-2xx-retransmitter.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse, type ResponseOptions } from '../message/response.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Peer, ServerTransaction } from '../transaction/transaction-layer.js';
import { transmitChallenged } from './challenged-request.js';
import { DTMF_RELAY, formatDtmfRelay, parseDtmfInfo } from './dtmf-info.js';
import { replacesFor, type Replaces } from './replaces.js';
import { OfferExchange, type OfferResult } from './offer-exchange.js';
import { ReferExchange, type ReferOptions, type ReferResult } from './refer-exchange.js';
import { SessionEmitter } from './session-emitter.js';
import { localResponse, placeholderRequest, sdpOf } from './session-messages.js';
import type { CallState, SessionEvents, SessionHost, Termination, TerminationCause, TxHandlers } from './session-types.js';
import type { UaEnv } from './ua-env.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

interface AckWait {
  retransmitter: Invite2xxRetransmitter;
  /** The 2xx of the dialog-creating INVITE (not a re-INVITE). */
  initial: boolean;
  /** Our 2xx carried the offer; the answer comes in the ACK. */
  offerless: boolean;
}

export abstract class CallSession<E extends Record<keyof E, Listener> = SessionEvents> extends SessionEmitter<E> implements SessionHost {
  readonly callId: string;
  /** Our tag: the From tag of an outbound call, the To tag we give an inbound one. */
  readonly localTag: string;
  /** Where requests in the dialog go: the peer's address, and its connection on streams. */
  peer: Peer;
  /** A trunk's credentials: 401/407 to our requests are answered once with them. */
  credentials: DigestClientCredentials | undefined;
  /** @internal */
  readonly offers: OfferExchange;
  /** @internal */
  readonly refers: ReferExchange;
  private ackWait: AckWait | undefined;
  protected stateNow: CallState = 'pending';
  protected dialogNow: Dialog | undefined;
  private byeAfterAck: [string, string][] | undefined;
  private endedWith: Termination | undefined;

  protected constructor(
    /** @internal */
    readonly env: UaEnv,
    init: { callId: string; localTag: string; peer: Peer; credentials?: DigestClientCredentials | undefined },
  ) {
    super();
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.peer = init.peer;
    this.credentials = init.credentials;
    this.offers = new OfferExchange(this);
    this.refers = new ReferExchange(this);
    this.onListenerError = (event, err) => env.log.warn({ callId: this.callId, event, err: (err as Error)?.message }, 'call event handler failed');
  }

  /** The user agent's key for this session (Call-ID and our tag). */
  get key(): string {
    return sessionKey(this.callId, this.localTag);
  }

  get state(): CallState {
    return this.stateNow;
  }

  /** Why it ended, once it has. */
  get termination(): Termination | undefined {
    return this.endedWith;
  }

  /** The dialog, once a provisional with a To tag or a 2xx made one. */
  get dialog(): Dialog | undefined {
    return this.dialogNow;
  }

  /** @internal We sent a 2xx to an INVITE and its ACK has not come yet. */
  get awaitingAck(): boolean {
    return this.ackWait !== undefined;
  }

  /** Whether we generated the Call-ID (§14.1 glare waits depend on it). */
  abstract get callIdOwner(): boolean;

  /**
   * The dialog-creating INVITE still waits for its final response: 'ours' as UAC,
   * 'theirs' as UAS. A re-INVITE meanwhile is glare (§14.1, §14.2).
   */
  abstract get initialInvite(): 'ours' | 'theirs' | undefined;

  /** Ends a call that has no confirmed dialog yet: CANCEL (UAC) or a final response (UAS). */
  protected abstract hangupUnanswered(): void;

  // ---- requests we send ----------------------------------------------------

  /**
   * Ends the call. §15: with a confirmed dialog, a BYE; "the callee's UA MUST NOT send
   * a BYE on a confirmed dialog until it has received an ACK for its 2xx response or
   * until the server transaction times out", so an inbound call answered but not yet
   * ACKed sends it on the ACK. Before the answer: CANCEL (outbound) or 480 (inbound).
   * §15.1.1: the session is over for us as soon as the BYE is passed on.
   */
  bye(opts: { headers?: [string, string][] } = {}): void {
    if (this.stateNow === 'terminated') return;
    const d = this.dialogNow;
    if (!d || d.state !== 'confirmed') return this.hangupUnanswered();
    if (this.ackWait?.initial) {
      this.byeAfterAck = opts.headers ?? [];
      return;
    }
    this.sendBye(opts.headers ?? [], 'bye-local');
  }

  /** Sends a re-INVITE (hold: an SDP with a=sendonly) and resolves with the answer. */
  reInvite(sdp: string | undefined, opts: { headers?: [string, string][] } = {}): Promise<OfferResult> {
    return this.offers.reInvite(sdp, opts);
  }

  /** An INFO in the dialog; resolves with the final response. */
  info(body: string | Buffer, contentType: string, opts: { headers?: [string, string][] } = {}): Promise<SipResponse> {
    return this.sendRequest('INFO', { body, contentType, headers: opts.headers ?? [] });
  }

  /** DTMF as an INFO with application/dtmf-relay (for peers that take no RFC 4733 events). */
  sendDtmf(digit: string, durationMs = 160): Promise<SipResponse> {
    return this.info(formatDtmfRelay(digit, durationMs), DTMF_RELAY);
  }

  /**
   * The Replaces value naming this call's dialog to the peer (RFC 3891): what an
   * attended transfer puts in the Refer-To it sends to the other party.
   */
  replacesValue(): Replaces | undefined {
    return this.dialogNow ? replacesFor(this.dialogNow.id) : undefined;
  }

  /** A REFER (RFC 3515): progress arrives as `referProgress` events from its NOTIFYs. */
  refer(target: string, opts: ReferOptions = {}): Promise<ReferResult> {
    return this.refers.refer(target, opts);
  }

  /**
   * NOTIFY with the progress of the REFER received last (RFC 3515 §2.4.5): 1xx keep
   * the subscription active, a final status ends it. False when there is none active.
   */
  notifyReferProgress(status: number, reason?: string): boolean {
    return this.refers.notifyLatest(status, reason);
  }

  /**
   * A request in the dialog, resolving with its final response. §12.2.1.2: "If the
   * response for a request within a dialog is a 481 (Call/Transaction Does Not Exist)
   * or a 408 (Request Timeout), the UAC SHOULD terminate the dialog." (NOTIFY excepted:
   * RFC 5057 §5.1 ends only its subscription.)
   */
  sendRequest(method: string, opts: { body?: string | Buffer; contentType?: string; headers?: [string, string][] } = {}): Promise<SipResponse> {
    const d = this.dialogNow;
    if (this.stateNow === 'terminated' || !d || d.state === 'terminated') {
      return Promise.resolve(localResponse(placeholderRequest(method, this.callId), 481));
    }
    const req = d.createRequest(method, opts);
    return new Promise((resolve) => {
      this.transmit(req, {
        onFinal: (res) => {
          if (method !== 'NOTIFY' && method !== 'BYE') this.endOnDialogError(res);
          resolve(res);
        },
      });
    });
  }

  /** @internal Ends the session on a 481 or 408 to one of its requests (§12.2.1.2). */
  endOnDialogError(res: SipResponse): void {
    if (res.status === 481) this.end('dialog-gone', { status: 481, reason: res.reason });
    else if (res.status === 408) this.end('timeout', { status: 408, reason: res.reason });
  }

  /**
   * @internal Sends a request in a new client transaction to the peer; a 401/407 is
   * answered once when we have credentials.
   */
  transmit(req: SipRequest, h: TxHandlers): void {
    transmitChallenged(this, req, h);
  }

  protected sendBye(headers: [string, string][], cause: TerminationCause, detail: Omit<Termination, 'cause'> = {}): void {
    const d = this.dialogNow!;
    let req: SipRequest | undefined;
    try {
      req = d.createRequest('BYE', { headers });
    } catch (err) {
      this.env.log.debug({ callId: this.callId, err: (err as Error).message }, 'no BYE sent');
    }
    this.end(cause, detail);
    if (req) this.transmit(req, { onFinal: () => undefined });
  }

  // ---- requests we receive -------------------------------------------------

  /** @internal A request the peer sent in one of this session's dialogs. */
  receiveRequest(req: SipRequest, tx: ServerTransaction, dialog: Dialog): void {
    if (this.stateNow === 'terminated') return void this.respond(tx, req, 481);
    if (dialog !== this.dialogNow) return this.receiveOnOtherDialog(req, tx, dialog);
    const err = dialog.receiveRequest(req);
    if (err) return void this.respond(tx, req, err.status, { reason: err.reason, headers: err.headers });
    switch (req.method) {
      case 'BYE':
        return this.receiveBye(req, tx);
      case 'INVITE':
        return this.offers.receiveInvite(req, tx as InviteServerTransaction);
      case 'UPDATE':
        return this.offers.receiveUpdate(req, tx);
      case 'INFO':
        return this.receiveInfo(req, tx);
      case 'REFER':
        return this.refers.receiveRefer(req, tx);
      case 'NOTIFY':
        return this.refers.receiveNotify(req, tx);
      default:
        // §8.2.1: a method we know but do not do in a dialog.
        this.respond(tx, req, 405, { headers: [['Allow', this.env.allow]] });
    }
  }

  /** A request on a dialog of ours that is not the session's (an early fork of an outbound call). */
  protected receiveOnOtherDialog(req: SipRequest, tx: ServerTransaction, dialog: Dialog): void {
    if (req.method === 'BYE') {
      this.respond(tx, req, 200);
      dialog.terminate();
      return;
    }
    this.respond(tx, req, 481);
  }

  /**
   * §15.1.2: "the UAS MUST still respond to any pending requests received for that
   * dialog. It is RECOMMENDED that a 487 (Request Terminated) response be generated to
   * those pending requests." (end() sends those.)
   */
  protected receiveBye(req: SipRequest, tx: ServerTransaction): void {
    this.respond(tx, req, 200);
    this.end('bye-remote');
  }

  /** RFC 6086 §4.2.2: a 200 for an INFO we can take; DTMF bodies become `dtmf` events. */
  private receiveInfo(req: SipRequest, tx: ServerTransaction): void {
    this.respond(tx, req, 200);
    const type = req.contentType();
    const dtmf = parseDtmfInfo(type, req.body.toString('utf8'));
    if (dtmf) this.fire('dtmf', dtmf);
    else this.fire('info', { contentType: type, body: req.body, request: req });
  }

  /** @internal The ACK for a 2xx of ours (no transaction: the UA routed it by dialog). */
  receiveAck(ack: SipRequest, dialog: Dialog): void {
    if (dialog !== this.dialogNow) return;
    const wait = this.ackWait;
    // §13.3.1.4: "Response retransmissions cease when an ACK request for the response
    // is received." A retransmitted ACK, or one for an older 2xx, is not news.
    if (!wait || !wait.retransmitter.receiveAck(ack)) return;
    this.ackWait = undefined;
    const sdp = sdpOf(ack);
    this.acked(wait.initial, sdp);
    if (!wait.initial && wait.offerless && sdp !== undefined) this.fire('lateAnswer', sdp);
    if (this.byeAfterAck) {
      const headers = this.byeAfterAck;
      this.byeAfterAck = undefined;
      this.sendBye(headers, 'bye-local');
      return;
    }
    this.offers.wake();
  }

  /** The ACK of our 2xx arrived (`initial`: of the dialog-creating INVITE). */
  protected acked(_initial: boolean, _sdp: string | undefined): void {}

  /**
   * @internal Resends our 2xx until its ACK (§13.3.1.4), through the INVITE server
   * transaction, which passes 2xx retransmissions on while Accepted (RFC 6026 §8.7).
   */
  startAckWait(tx: InviteServerTransaction, res: SipResponse, initial: boolean, offerless: boolean): void {
    this.ackWait?.retransmitter.stop();
    const retransmitter = new Invite2xxRetransmitter({
      clock: this.env.clock,
      timers: this.env.timers,
      response: res,
      send: (r) => tx.handle({ type: 'respond', response: r }),
      onTimeout: () => this.ackTimedOut(initial),
    });
    this.ackWait = { retransmitter, initial, offerless };
    retransmitter.start();
  }

  /**
   * §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without
   * receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated.
   * This is accomplished with a BYE".
   */
  private ackTimedOut(initial: boolean): void {
    this.ackWait = undefined;
    if (this.stateNow === 'terminated') return;
    if (this.byeAfterAck) {
      const headers = this.byeAfterAck;
      this.byeAfterAck = undefined;
      return this.sendBye(headers, 'bye-local');
    }
    this.ackNeverCame(initial);
    this.sendBye([], 'timeout', { status: 408, reason: 'ACK Timeout' });
  }

  /** Before the BYE of an ACK timeout: inbound calls report `failed`. */
  protected ackNeverCame(_initial: boolean): void {}

  // ---- helpers ---------------------------------------------------------------

  /** @internal Responds in a server transaction; returns the response sent. */
  respond(tx: ServerTransaction, req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
    const res = createResponse(req, status, opts);
    tx.handle({ type: 'respond', response: res });
    return res;
  }

  /** @internal Emits one of the shared events (subclasses add their own). */
  fire<K extends keyof SessionEvents>(event: K, ...args: Parameters<SessionEvents[K]>): boolean {
    return (this.emit as unknown as (e: K, ...a: Parameters<SessionEvents[K]>) => boolean).call(this, event, ...args);
  }

  /** @internal Whether the application listens for a shared event. */
  listens(event: keyof SessionEvents): boolean {
    return this.listenerCount(event as unknown as keyof E) > 0;
  }

  /** @internal */
  setState(state: CallState): void {
    if (this.stateNow !== 'terminated') this.stateNow = state;
  }

  /**
   * @internal The one way a session ends: timers stopped, pending requests of the peer
   * answered 487 (§15.1.2), its dialogs terminated (they leave the store), the user
   * agent told to forget it, then `terminated`.
   */
  end(cause: TerminationCause, detail: Omit<Termination, 'cause'> = {}): void {
    if (this.stateNow === 'terminated') return;
    this.stateNow = 'terminated';
    this.endedWith = { cause, ...detail };
    this.ackWait?.retransmitter.stop();
    this.ackWait = undefined;
    this.byeAfterAck = undefined;
    this.beforeEnd();
    this.offers.close();
    this.refers.close();
    for (const d of this.env.dialogs.dialogsOf(this.callId, this.localTag)) d.terminate();
    this.dialogNow?.terminate();
    this.env.registry.release(this.key);
    this.fire('terminated', this.endedWith);
  }

  /** Subclass clean-up (timers, pending INVITE) before the dialogs go. */
  protected beforeEnd(): void {}
}

/** The user agent's map key of a session: Call-ID and our tag. */
export function sessionKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}
