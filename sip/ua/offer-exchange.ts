// Offers inside a dialog (RFC 3261 §14, RFC 3311): re-INVITEs and UPDATEs from the
// peer handed to the application as IncomingOffers, our re-INVITEs with the glare
// rules, and the bookkeeping of "an INVITE transaction in progress in either direction".
//
//   peer re-INVITE ─▶ our INVITE pending?   yes ─▶ 491 (§14.2)
//                     theirs pending?        yes ─▶ 500 + Retry-After 0-10 s (§14.2)
//                     else ─▶ `offer` event ─▶ accept(sdp): 200, resent until ACK
//   reInvite(sdp) ─▶ wait until no INVITE is in progress ─▶ INVITE ─▶ 2xx: ACK, answer
//                                                         └▶ 491: wait (§14.1), again
import { createCancel } from '../dialog/cancel-request.js';
import type { Dialog } from '../dialog/dialog.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { TimerHandle } from '../transaction/timers.js';
import { isHoldOffer } from './sdp-hold.js';
import { authHeadersOf, IGNORE_OUTCOME, localResponse, retryAfter, sdpBody, sdpOf } from './session-messages.js';
import type { SessionHost } from './session-types.js';

export type OfferResult =
  | { ok: true; sdp: string | undefined; response: SipResponse }
  | { ok: false; status: number; reason: string; response: SipResponse | undefined };

/** A re-INVITE or UPDATE from the peer, waiting for the application's answer. */
export class IncomingOffer {
  readonly method: 'INVITE' | 'UPDATE';
  /** The offer; undefined for an offerless re-INVITE (our 2xx then carries the offer). */
  readonly sdp: string | undefined;
  /** The offer puts us on hold: its audio is sendonly or inactive (RFC 3264 §8.4). */
  readonly hold: boolean;
  /** The peer CANCELled it (re-INVITE only). */
  cancelled = false;
  private settled = false;

  constructor(
    private readonly exchange: OfferExchange,
    readonly request: SipRequest,
    /** @internal */
    readonly tx: ServerTransaction,
  ) {
    this.method = request.method === 'UPDATE' ? 'UPDATE' : 'INVITE';
    this.sdp = sdpOf(request);
    this.hold = isHoldOffer(this.sdp);
  }

  /** A final response was sent. */
  get answered(): boolean {
    return this.settled;
  }

  /** 200 with the answer (or, to an offerless re-INVITE, our offer). False when too late. */
  accept(sdp?: string, opts: { headers?: [string, string][] } = {}): boolean {
    return this.exchange.accept(this, sdp, opts.headers ?? []);
  }

  /** A final failure; the session goes on as before (§14.2). Default 488 Not Acceptable Here. */
  reject(status = 488, opts: { reason?: string; headers?: [string, string][] } = {}): boolean {
    if (status < 300 || status > 699) throw new RangeError(`reject needs a status from 300 to 699, not ${status}`);
    return this.exchange.reject(this, status, opts);
  }

  /** @internal Marks it answered; false when it already was. */
  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

export class OfferExchange {
  /** Our re-INVITE waits for its final response. */
  private ours = false;
  /** The peer's re-INVITE or UPDATE waits for our answer. */
  private theirs: IncomingOffer | undefined;
  private theirsGuard: TimerHandle | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly s: SessionHost) {}

  /** §14.1: an INVITE transaction "in progress in either direction". */
  private inviteInProgress(): 'ours' | 'theirs' | undefined {
    if (this.ours) return 'ours';
    const initial = this.s.initialInvite;
    if (initial) return initial;
    // Until its ACK, the peer's INVITE is still theirs.
    if (this.s.awaitingAck || this.theirs?.method === 'INVITE') return 'theirs';
    return undefined;
  }

  receiveInvite(req: SipRequest, tx: InviteServerTransaction): void {
    const busy = this.inviteInProgress();
    // §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on
    // that dialog is in progress MUST return a 491 (Request Pending) response to the
    // received INVITE."
    if (busy === 'ours') return void this.s.respond(tx, req, 491);
    // "A UAS that receives a second INVITE before it sends the final response to a
    // first INVITE with a lower CSeq sequence number on the same dialog MUST return a
    // 500 (Server Internal Error) response to the second INVITE and MUST include a
    // Retry-After header field with a randomly chosen value of between 0 and 10 seconds."
    if (busy === 'theirs' || this.theirs) return void this.s.respond(tx, req, 500, { headers: [retryAfter(this.s.env.random)] });
    const offer = this.open(req, tx);
    this.s.env.registry.watchCancel(tx, () => this.cancelled(offer));
    this.deliver(offer);
  }

  receiveUpdate(req: SipRequest, tx: ServerTransaction): void {
    const d = this.s.dialog!;
    if (sdpOf(req) === undefined) {
      // RFC 3311 §5.2: an UPDATE without an offer only refreshes the target.
      d.applyTargetRefresh(req);
      this.s.respond(tx, req, 200, { headers: [['Contact', d.localContact]] });
      return;
    }
    // RFC 3311 §5.2: "If an UPDATE is received that contains an offer, and the UAS has
    // generated an offer ... to which it has not yet received an answer, the UAS MUST
    // reject the UPDATE with a 491 response." and, for an offer of theirs not yet
    // answered, "with a 500 response, and MUST include a Retry-After header field with a
    // randomly chosen value between 0 and 10 seconds."
    if (this.ours) return void this.s.respond(tx, req, 491);
    if (this.theirs) return void this.s.respond(tx, req, 500, { headers: [retryAfter(this.s.env.random)] });
    this.deliver(this.open(req, tx));
  }

  private open(req: SipRequest, tx: ServerTransaction): IncomingOffer {
    const offer = new IncomingOffer(this, req, tx);
    this.theirs = offer;
    // An application that never answers must not hold the transaction (and the glare
    // state) forever.
    this.theirsGuard = this.s.env.clock.setTimer(this.s.env.limits.pendingRequestMs, () =>
      this.reject(offer, 500, { headers: [retryAfter(this.s.env.random)] }),
    );
    return offer;
  }

  private deliver(offer: IncomingOffer): void {
    // Nobody to ask: §14.2 lets a UAS refuse a change it cannot make with 488.
    if (!this.s.listens('offer')) {
      this.reject(offer, 488, {});
      return;
    }
    this.s.fire('offer', offer);
  }

  /** @internal */
  accept(offer: IncomingOffer, sdp: string | undefined, headers: [string, string][]): boolean {
    const d = this.s.dialog;
    if (this.s.state === 'terminated' || !d || !offer.settle()) return false;
    this.release(offer);
    const hs: [string, string][] = [['Contact', d.localContact]];
    if (offer.method === 'INVITE') hs.push(['Allow', this.s.env.allow]);
    if (this.s.env.supported !== '') hs.push(['Supported', this.s.env.supported]);
    hs.push(...headers);
    const res = createResponse(offer.request, 200, { headers: hs, ...sdpBody(sdp) });
    // §12.2.2: the target refresh takes effect with the 2xx, so a rejected request
    // changes nothing.
    d.applyTargetRefresh(offer.request);
    offer.tx.handle({ type: 'respond', response: res });
    if (offer.method === 'INVITE') this.s.startAckWait(offer.tx as InviteServerTransaction, res, false, offer.sdp === undefined);
    this.wake();
    return true;
  }

  /** @internal */
  reject(offer: IncomingOffer, status: number, opts: { reason?: string; headers?: [string, string][] }): boolean {
    if (!offer.settle()) return false;
    this.release(offer);
    this.s.respond(offer.tx, offer.request, status, opts);
    this.wake();
    return true;
  }

  /** §9.2: a CANCEL of their re-INVITE before we answered: 487, and the app is told. */
  private cancelled(offer: IncomingOffer): void {
    if (!offer.settle()) return;
    this.release(offer);
    offer.cancelled = true;
    this.s.respond(offer.tx, offer.request, 487);
    this.s.fire('offerCancelled', offer);
    this.wake();
  }

  private release(offer: IncomingOffer): void {
    if (this.theirs === offer) {
      this.theirs = undefined;
      this.theirsGuard?.cancel();
      this.theirsGuard = undefined;
    }
    if (offer.method === 'INVITE') this.s.env.registry.unwatchCancel(offer.tx as InviteServerTransaction);
  }

  /**
   * Our re-INVITE. §14.1: "a UAC MUST NOT initiate a new INVITE transaction within a
   * dialog while another INVITE transaction is in progress in either direction", so it
   * waits its turn. On 491 it tries again after the §14.1 wait, up to maxGlareAttempts.
   */
  async reInvite(sdp: string | undefined, opts: { headers?: [string, string][] }): Promise<OfferResult> {
    const max = this.s.env.limits.maxGlareAttempts;
    for (let attempt = 1; ; attempt++) {
      await this.idle();
      const d = this.s.dialog;
      if (this.closed || this.s.state === 'terminated' || !d || d.state !== 'confirmed') {
        return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist', response: undefined };
      }
      this.ours = true;
      let res: SipResponse;
      try {
        res = await this.sendReInvite(d, sdp, opts.headers ?? []);
      } finally {
        this.ours = false;
        this.wake();
      }
      if (res.status >= 200 && res.status < 300) return { ok: true, sdp: sdpOf(res), response: res };
      if (res.status === 491 && attempt < max && !this.closed) {
        await this.sleep(this.glareWaitMs());
        continue;
      }
      this.s.endOnDialogError(res);
      return { ok: false, status: res.status, reason: res.reason, response: res };
    }
  }

  /**
   * §14.1: "If the UAC is the owner of the Call-ID of the dialog ID (meaning it
   * generated the value), T has a randomly chosen value between 2.1 and 4 seconds in
   * units of 10 ms. If the UAC is not the owner of the Call-ID of the dialog ID, T has a
   * randomly chosen value of between 0 and 2 seconds in units of 10 ms."
   */
  glareWaitMs(): number {
    const r = this.s.env.random();
    return this.s.callIdOwner ? 2100 + Math.floor(r * 191) * 10 : Math.floor(r * 201) * 10;
  }

  private sendReInvite(d: Dialog, sdp: string | undefined, headers: [string, string][]): Promise<SipResponse> {
    const env = this.s.env;
    return new Promise((resolve) => {
      let current = d.createRequest('INVITE', { ...sdpBody(sdp), headers: [['Allow', env.allow], ...headers] });
      let provisional = false;
      let settled = false;
      const guards: TimerHandle[] = [];
      const settle = (res: SipResponse): void => {
        if (settled) return;
        settled = true;
        for (const g of guards) g.cancel();
        resolve(res);
      };
      // §13.2.2.4: the ACK of a 2xx is a request in the dialog with the INVITE's CSeq
      // number, sent for every 2xx retransmission too.
      const ack = (res: SipResponse): void => env.send(d.createAck(res.cseq().seq, { headers: authHeadersOf(current) }), this.s.peer);
      this.s.transmit(current, {
        onProvisional: () => (provisional = true),
        onFinal: (res) => {
          if (res.status >= 200 && res.status < 300) {
            d.applyTargetRefresh(res);
            ack(res);
          }
          settle(res);
        },
        onExtra2xx: ack,
        onResend: (r) => {
          current = r;
          provisional = false;
        },
      });
      // Timer B guards the Calling state only. A re-INVITE that got a provisional and
      // then nothing is cancelled after 64*T1 and given up 64*T1 later (§9.1 lets a
      // client consider a cancelled transaction over after 64*T1).
      const t64 = 64 * env.timers.T1;
      guards.push(
        env.clock.setTimer(t64, () => {
          if (!settled && provisional) env.transactions.request(createCancel(current), this.s.peer, IGNORE_OUTCOME);
        }),
        env.clock.setTimer(2 * t64, () => settle(localResponse(current, 408))),
      );
    });
  }

  private async idle(): Promise<void> {
    while (!this.closed && (this.inviteInProgress() !== undefined || this.theirs !== undefined)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.s.env.clock.setTimer(ms, resolve));
  }

  /** Something that may have ended an INVITE transaction happened: waiting re-INVITEs look again. */
  wake(): void {
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** The session ended: an unanswered offer gets 487 (§15.1.2), waiting re-INVITEs give up. */
  close(): void {
    this.closed = true;
    const offer = this.theirs;
    if (offer && offer.settle()) {
      this.release(offer);
      this.s.respond(offer.tx, offer.request, 487);
    }
    this.wake();
  }
}
