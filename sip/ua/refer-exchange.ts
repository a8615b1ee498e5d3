// REFER in a dialog (RFC 3515) with its implicit subscription: REFERs we receive
// (the application accepts with 202, then we NOTIFY the progress of the referred call
// as message/sipfrag) and REFERs we send (their NOTIFYs become `referProgress` events).
//
//   them: REFER ─▶ `refer` event ─▶ accept(): 202, NOTIFY "100 Trying" (active)
//                                   notify(180) ... notify(200): NOTIFY (terminated)
//   us:   refer() ─▶ REFER ─▶ 202 ─▶ NOTIFY sipfrag ─▶ 200, `referProgress` event
import { parseNameAddr } from '../message/name-addr.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseParams } from '../message/scanner.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { TimerHandle } from '../transaction/timers.js';
import { parseSipUri } from '../uri.js';
import { parseReplaces, withReplacesHeader, type Replaces } from './replaces.js';
import { retryAfter } from './session-messages.js';
import type { SessionHost } from './session-types.js';
import { formatSipfrag, parseSipfrag, SIPFRAG_TYPE } from './sipfrag.js';

export interface ReferOptions {
  /** Makes the referee's INVITE replace this dialog (attended transfer, RFC 3891 §5). */
  replaces?: Replaces;
  /** Referred-By (RFC 3892): who asked for the transfer. */
  referredBy?: string;
  headers?: [string, string][];
}

export type ReferResult =
  | { ok: true; id: string; status: number; response: SipResponse }
  | { ok: false; status: number; reason: string; response: SipResponse | undefined };

export interface ReferProgress {
  /** The subscription: the CSeq number of the REFER (RFC 3515 §2.4.6 "id"). */
  id: string;
  /** From the sipfrag: the referred request's latest response. */
  status: number;
  reason: string;
  /** Subscription-State: terminated (or we gave up waiting): no more NOTIFYs. */
  final: boolean;
}

type ReferState = 'pending' | 'active' | 'terminated';

/** A REFER from the peer, waiting for accept() or reject(). */
export class IncomingRefer {
  /** The Refer-To URI as sent, URI headers (Replaces) included. */
  readonly referTo: string;
  /** The URI to call: Refer-To without its headers. */
  readonly target: string;
  /** The dialog the new call must replace (attended transfer), from Refer-To's Replaces. */
  readonly replaces: Replaces | undefined;
  readonly referredBy: string | undefined;
  /** The CSeq number of the REFER: the subscription's id. */
  readonly id: string;
  /** @internal */
  state: ReferState = 'pending';
  /** @internal */
  guard: TimerHandle | undefined;
  /** @internal */
  lastStatus = 100;

  constructor(
    private readonly exchange: ReferExchange,
    readonly request: SipRequest,
    /** @internal */
    readonly tx: ServerTransaction,
    parsed: { referTo: string; target: string; replaces: Replaces | undefined },
    /** @internal The Event header of its NOTIFYs carries id= (not the dialog's first REFER). */
    readonly withId: boolean,
  ) {
    this.referTo = parsed.referTo;
    this.target = parsed.target;
    this.replaces = parsed.replaces;
    this.referredBy = request.get('referred-by');
    this.id = String(request.cseq().seq);
  }

  get subscription(): ReferState {
    return this.state;
  }

  /** 202 Accepted, then the first NOTIFY (100 Trying). False when already answered. */
  accept(): boolean {
    return this.exchange.accept(this);
  }

  /** Refuses the REFER (default 603 Decline); no subscription. */
  reject(status = 603, opts: { reason?: string; headers?: [string, string][] } = {}): boolean {
    if (status < 300 || status > 699) throw new RangeError(`reject needs a status from 300 to 699, not ${status}`);
    return this.exchange.reject(this, status, opts);
  }

  /** NOTIFY with the referred call's progress; a final status (≥ 200) ends the subscription. */
  notify(status: number, reason?: string): boolean {
    return this.exchange.notify(this, status, reason);
  }
}

interface OutgoingRefer {
  id: string;
  status: number;
  reason: string;
  timer: TimerHandle;
}

export class ReferExchange {
  private incoming: IncomingRefer[] = [];
  private readonly outgoing = new Map<string, OutgoingRefer>();
  private received = 0;

  constructor(private readonly s: SessionHost) {}

  // ---- REFERs we receive -----------------------------------------------------

  receiveRefer(req: SipRequest, tx: ServerTransaction): void {
    // RFC 3515 §2.4.1: "A REFER request MUST contain exactly one Refer-To header field
    // value." and §2.4.2 "An agent responding to a REFER method MUST return a 400 (Bad
    // Request) if the request contained zero or more than one Refer-To header field values."
    const values = req.getAll('refer-to');
    if (values.length !== 1) return void this.s.respond(tx, req, 400, { reason: 'Exactly One Refer-To Expected' });
    const parsed = parseReferTo(values[0]!);
    if (!parsed) return void this.s.respond(tx, req, 400, { reason: 'Bad Refer-To' });
    this.incoming = this.incoming.filter((r) => r.state !== 'terminated');
    if (this.incoming.length >= this.s.env.limits.maxReferSubscriptions) {
      return void this.s.respond(tx, req, 500, { reason: 'Too Many Transfers', headers: [retryAfter(this.s.env.random)] });
    }
    const refer = new IncomingRefer(this, req, tx, parsed, this.received++ > 0);
    this.incoming.push(refer);
    refer.guard = this.s.env.clock.setTimer(this.s.env.limits.pendingRequestMs, () => this.reject(refer, 500, {}));
    // Nobody to ask: 603 Decline, which RFC 3515 §2.4.2 names for a REFER not accepted.
    if (!this.s.listens('refer')) return void this.reject(refer, 603, {});
    this.s.fire('refer', refer);
  }

  /** @internal */
  accept(refer: IncomingRefer): boolean {
    if (refer.state !== 'pending' || this.s.state === 'terminated') return false;
    refer.guard?.cancel();
    refer.state = 'active';
    this.s.respond(refer.tx, refer.request, 202);
    // A subscription nobody ends would keep its timer and state forever: after
    // referSubscriptionMs it ends with the last status (RFC 6665 §4.2.2 reason=timeout).
    refer.guard = this.s.env.clock.setTimer(this.s.env.limits.referSubscriptionMs, () =>
      this.sendNotify(refer, refer.lastStatus, undefined, 'terminated;reason=timeout'),
    );
    // RFC 3515 §2.4.4: "the agent receiving the REFER MUST ... send a NOTIFY" and the
    // first one, before the referred request has any response, says 100 Trying.
    this.notify(refer, 100);
    return true;
  }

  /** @internal */
  reject(refer: IncomingRefer, status: number, opts: { reason?: string; headers?: [string, string][] }): boolean {
    if (refer.state !== 'pending') return false;
    refer.guard?.cancel();
    refer.state = 'terminated';
    this.s.respond(refer.tx, refer.request, status, opts);
    return true;
  }

  /** @internal */
  notify(refer: IncomingRefer, status: number, reason?: string): boolean {
    if (refer.state !== 'active') return false;
    const final = status >= 200;
    if (final) refer.guard?.cancel();
    // RFC 3515 §2.4.7: "the Subscription-State ... terminated" once the final status is known.
    return this.sendNotify(refer, status, reason, final ? 'terminated;reason=noresource' : `active;expires=${Math.ceil(this.s.env.limits.referSubscriptionMs / 1000)}`);
  }

  /** NOTIFY of the REFER received last that is still active. */
  notifyLatest(status: number, reason?: string): boolean {
    for (let i = this.incoming.length - 1; i >= 0; i--) {
      const r = this.incoming[i]!;
      if (r.state === 'active') return this.notify(r, status, reason);
    }
    return false;
  }

  private sendNotify(refer: IncomingRefer, status: number, reason: string | undefined, subscriptionState: string): boolean {
    const d = this.s.dialog;
    if (!d || d.state === 'terminated' || this.s.state === 'terminated') {
      refer.state = 'terminated';
      return false;
    }
    refer.lastStatus = status;
    if (subscriptionState.startsWith('terminated')) refer.state = 'terminated';
    // RFC 3515 §2.4.6: NOTIFYs of a second REFER in the dialog carry "id" with its CSeq.
    const event = refer.withId ? `refer;id=${refer.id}` : 'refer';
    const req = d.createRequest('NOTIFY', {
      body: formatSipfrag(status, reason),
      contentType: SIPFRAG_TYPE,
      headers: [
        ['Event', event],
        ['Subscription-State', subscriptionState],
      ],
    });
    this.s.transmit(req, {
      // RFC 5057 §5.1: a 481 to a NOTIFY ends the subscription, not the dialog.
      onFinal: (res) => {
        if (res.status === 481) refer.state = 'terminated';
      },
    });
    return true;
  }

  // ---- REFERs we send ----------------------------------------------------------

  refer(target: string, opts: ReferOptions): Promise<ReferResult> {
    const d = this.s.dialog;
    if (this.s.state === 'terminated' || !d || d.state !== 'confirmed') {
      return Promise.resolve({ ok: false, status: 481, reason: 'Call/Transaction Does Not Exist', response: undefined });
    }
    if (this.outgoing.size >= this.s.env.limits.maxReferSubscriptions) {
      return Promise.resolve({ ok: false, status: 500, reason: 'Too Many Transfers', response: undefined });
    }
    const uri = opts.replaces ? withReplacesHeader(target, opts.replaces) : target;
    const headers: [string, string][] = [['Refer-To', `<${uri}>`]];
    if (opts.referredBy !== undefined) headers.push(['Referred-By', `<${opts.referredBy}>`]);
    headers.push(...(opts.headers ?? []));
    const req = d.createRequest('REFER', { headers });
    // The subscription exists from now: RFC 3515 §2.4.4 lets the first NOTIFY arrive
    // before the 202.
    const sub: OutgoingRefer = {
      id: String(req.cseq().seq),
      status: 0,
      reason: '',
      timer: this.s.env.clock.setTimer(this.s.env.limits.referSubscriptionMs, () => this.expire(sub)),
    };
    this.outgoing.set(sub.id, sub);
    return new Promise((resolve) => {
      this.s.transmit(req, {
        onResend: (r) => {
          this.outgoing.delete(sub.id);
          sub.id = String(r.cseq().seq);
          this.outgoing.set(sub.id, sub);
        },
        onFinal: (res) => {
          if (res.status >= 300) {
            this.drop(sub);
            this.s.endOnDialogError(res);
            resolve({ ok: false, status: res.status, reason: res.reason, response: res });
          } else resolve({ ok: true, id: sub.id, status: res.status, response: res });
        },
      });
    });
  }

  receiveNotify(req: SipRequest, tx: ServerTransaction): void {
    const event = req.get('event');
    // RFC 6665 §8.2.1: NOTIFY must name its event package.
    if (event === undefined) return void this.s.respond(tx, req, 400, { reason: 'Missing Event' });
    const semi = event.indexOf(';');
    const pkg = (semi >= 0 ? event.slice(0, semi) : event).trim().toLowerCase();
    // RFC 6665 §8.3.1: 489 Bad Event for a package we have no subscription of.
    if (pkg !== 'refer') return void this.s.respond(tx, req, 489, { reason: 'Bad Event' });
    let id: string | undefined;
    try {
      id = semi >= 0 ? parseParams(event.slice(semi)).get('id') : undefined;
    } catch {
      return void this.s.respond(tx, req, 400, { reason: 'Bad Event' });
    }
    // Without id: the first REFER of the dialog (the oldest subscription).
    const sub = id !== undefined ? this.outgoing.get(id) : this.outgoing.values().next().value;
    // RFC 6665 §4.1.3: a NOTIFY matching no subscription gets 481.
    if (!sub) return void this.s.respond(tx, req, 481);
    this.s.respond(tx, req, 200);
    const frag = req.contentType() === 'message/sipfrag' ? parseSipfrag(req.body.toString('utf8')) : undefined;
    const final = (req.get('subscription-state') ?? '').trim().toLowerCase().startsWith('terminated');
    if (frag) {
      sub.status = frag.status;
      sub.reason = frag.reason;
    }
    if (final) this.drop(sub);
    if (frag || final) this.s.fire('referProgress', { id: sub.id, status: sub.status, reason: sub.reason, final });
  }

  /** No final NOTIFY in referSubscriptionMs: the subscription is over for us. */
  private expire(sub: OutgoingRefer): void {
    if (this.outgoing.get(sub.id) !== sub) return;
    this.outgoing.delete(sub.id);
    this.s.fire('referProgress', { id: sub.id, status: sub.status, reason: sub.reason || 'No Final NOTIFY', final: true });
  }

  private drop(sub: OutgoingRefer): void {
    sub.timer.cancel();
    if (this.outgoing.get(sub.id) === sub) this.outgoing.delete(sub.id);
  }

  /** The session ended: subscriptions end with it (their dialog is gone). */
  close(): void {
    for (const r of this.incoming) {
      r.guard?.cancel();
      if (r.state === 'pending') this.s.respond(r.tx, r.request, 487);
      r.state = 'terminated';
    }
    this.incoming = [];
    for (const sub of this.outgoing.values()) sub.timer.cancel();
    this.outgoing.clear();
  }
}

/** Refer-To: the URI, the URI without its headers, and an embedded Replaces (RFC 3891 §5). */
function parseReferTo(value: string): { referTo: string; target: string; replaces: Replaces | undefined } | undefined {
  let uri: string;
  try {
    uri = parseNameAddr(value).uri;
  } catch {
    return undefined;
  }
  if (!/^sips?:/i.test(uri)) return { referTo: uri, target: uri, replaces: undefined };
  let replaces: Replaces | undefined;
  try {
    const parsed = parseSipUri(uri);
    for (const [name, v] of parsed.headers) if (name.toLowerCase() === 'replaces') replaces = parseReplaces(v);
  } catch {
    return undefined;
  }
  const at = uri.lastIndexOf('@');
  const q = uri.indexOf('?', at >= 0 ? at : 0);
  return { referTo: uri, target: q >= 0 ? uri.slice(0, q) : uri, replaces };
}
