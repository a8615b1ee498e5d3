// An INVITE we received, as a session (RFC 3261 §13.3): the application authenticates
// it, rings, answers or rejects; CANCEL, the caller's BYE and timeouts end it.
//
//   pending ─ringing()─▶ early ─answer()─▶ answered ─ACK─▶ confirmed ─BYE─▶ terminated
//      └──────── reject() / CANCEL (487) / caller's BYE / Expires ───────▶ terminated
import type { DialogEnv } from '../dialog/dialog-env.js';
import { copyRecordRoute } from '../dialog/route-set.js';
import type { SipRequest } from '../message/message.js';
import type { NameAddr } from '../message/name-addr.js';
import { createResponse } from '../message/response.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Peer, ServerTransaction } from '../transaction/transaction-layer.js';
import type { TimerHandle } from '../transaction/timers.js';
import type { AuthResult, RequestAuthResult } from '../core/sip-stack.js';
import { CallSession } from './call-session.js';
import type { LocalAddress } from './local-address.js';
import type { Replaces } from './replaces.js';
import { sdpBody, sdpOf } from './session-messages.js';
import type { SessionEvents } from './session-types.js';
import type { UaEnv } from './ua-env.js';

export interface InboundCallEvents extends SessionEvents {
  /** The caller CANCELled before a final response; we answered the INVITE 487. */
  cancelled: () => void;
  /** The ACK of our 2xx arrived (with the SDP answer when our 2xx carried the offer). */
  confirmed: (e: { sdp: string | undefined }) => void;
  /** Our 2xx was never ACKed (64*T1): we sent BYE. */
  failed: (e: { status: number; reason: string }) => void;
}

export type Authenticate = (req: SipRequest, source: Peer) => Promise<RequestAuthResult>;

/** HA1 digests of a username in the realm asked for; undefined for an unknown username. */
export type CredentialLookup = (username: string) => Promise<{ ha1Md5: string; ha1Sha256: string } | undefined>;

/** The stack's digest checker, against credentials the application supplies. */
export type Verify = (req: SipRequest, source: Peer, realm: string, lookup: CredentialLookup) => Promise<AuthResult>;

export interface InboundCallInit {
  request: SipRequest;
  tx: InviteServerTransaction;
  source: Peer;
  tenantId: string | undefined;
  localTag: string;
  replaces: Replaces | undefined;
  authenticate: Authenticate;
  verify: Verify;
}

export type AuthOutcome = { ok: true; username: string; tenantId: string | undefined } | { ok: false; status: number };

export class InboundCall extends CallSession<InboundCallEvents> {
  readonly request: SipRequest;
  /** Where the INVITE came from (transport, address, port, connection). */
  readonly source: Peer;
  /** The tenant the Request-URI's domain selects; undefined when none does. */
  readonly tenantId: string | undefined;
  readonly from: NameAddr;
  readonly to: NameAddr;
  /** The SDP offer; undefined for an INVITE without one (our 2xx then carries the offer). */
  readonly offer: string | undefined;
  /** The dialog this INVITE replaces (RFC 3891), when it carries a Replaces header. */
  readonly replaces: Replaces | undefined;
  /** The digest username, once authenticate() succeeded. */
  username: string | undefined;
  private readonly tx: InviteServerTransaction;
  private readonly local: LocalAddress;
  private readonly dialogEnv: DialogEnv;
  private readonly authenticator: Authenticate;
  private readonly verifier: Verify;
  private finalStatus = 0;
  private guard: TimerHandle | undefined;

  constructor(env: UaEnv, init: InboundCallInit) {
    super(env, { callId: init.request.callId(), localTag: init.localTag, peer: init.source });
    this.request = init.request;
    this.tx = init.tx;
    this.source = init.source;
    this.tenantId = init.tenantId;
    this.from = init.request.from();
    this.to = init.request.to();
    this.offer = sdpOf(init.request);
    this.replaces = init.replaces;
    this.authenticator = init.authenticate;
    this.verifier = init.verify;
    // Responses and in-dialog requests go back the way the INVITE came (its transport,
    // and its connection on streams).
    this.local = env.local(init.source.transport);
    this.dialogEnv = { newBranch: env.newBranch, sentBy: this.local.sentBy, contact: this.local.contact };
    this.armGuard();
  }

  get callIdOwner(): boolean {
    return false;
  }

  get initialInvite(): 'theirs' | undefined {
    return this.finalStatus === 0 && this.stateNow !== 'terminated' ? 'theirs' : undefined;
  }

  /** The last final status we sent (0 before any). */
  get finalResponse(): number {
    return this.finalStatus;
  }

  /**
   * §13.3.1: an INVITE with Expires not answered in time gets 487 ("the UAS core
   * generates a 487 (Request Terminated) response"); without one, the application
   * gets limits.inviteTimeoutMs before the caller is told 408.
   */
  private armGuard(): void {
    let expiresMs: number | undefined;
    try {
      const e = this.request.expires();
      if (e !== undefined) expiresMs = e * 1000;
    } catch {
      expiresMs = undefined;
    }
    const limit = this.env.limits.inviteTimeoutMs;
    const byExpires = expiresMs !== undefined && expiresMs < limit;
    this.guard = this.env.clock.setTimer(byExpires ? expiresMs! : limit, () => {
      if (this.finalStatus !== 0) return;
      this.sendFinal(byExpires ? 487 : 408);
      this.end('timeout', { status: byExpires ? 487 : 408 });
    });
  }

  /** 100 Trying, when nothing was sent yet (§8.2.6.1: no To tag). */
  trying(): void {
    if (this.tx.lastStatus !== 0 || this.stateNow === 'terminated') return;
    this.tx.handle({ type: 'respond', response: createResponse(this.request, 100) });
  }

  /**
   * Digest authentication of the INVITE (407 with Proxy-Authenticate, as a proxy-style
   * UAS). On failure the challenge (or 403/400/404) is sent and the call ends
   * `rejected`; the caller's next INVITE, with credentials, is a new InboundCall.
   */
  async authenticate(): Promise<AuthOutcome> {
    const r = await this.authenticator(this.request, this.source);
    if (r.ok) {
      this.username = r.username;
      return { ok: true, username: r.username, tenantId: r.tenantId };
    }
    this.reject(r.status, { ...(r.reason ? { reason: r.reason } : {}), headers: r.headers });
    return { ok: false, status: r.status };
  }

  /**
   * Digest authentication against credentials the application names (a trunk's) in `realm`:
   * the same challenge (407), checks and lockout as authenticate(), and on failure the same
   * response sent and the call ended.
   */
  async authenticateWith(realm: string, lookup: CredentialLookup): Promise<AuthOutcome> {
    const r = await this.verifier(this.request, this.source, realm, lookup);
    if (r.ok) {
      this.username = r.username;
      return { ok: true, username: r.username, tenantId: this.tenantId };
    }
    this.reject(r.status, { ...(r.reason ? { reason: r.reason } : {}), headers: r.headers });
    return { ok: false, status: r.status };
  }

  /**
   * A provisional response with our To tag and Contact (an early dialog, §13.3.1.1):
   * 180 Ringing, or 183 Session Progress with early media. 183 needs an SDP.
   */
  ringing(opts: { sdp?: string; status?: number; headers?: [string, string][] } = {}): boolean {
    if (this.stateNow === 'terminated' || this.finalStatus !== 0) return false;
    const status = opts.status ?? (opts.sdp ? 183 : 180);
    if (status <= 100 || status >= 200) throw new RangeError(`ringing needs a status from 101 to 199, not ${status}`);
    if (status === 183 && !opts.sdp) throw new RangeError('183 Session Progress is sent with an SDP (early media)');
    const res = createResponse(this.request, status, {
      toTag: this.localTag,
      headers: [['Contact', this.local.contact], ...(opts.headers ?? [])],
      ...sdpBody(opts.sdp),
    });
    copyRecordRoute(this.request, res);
    this.dialogNow = this.env.dialogs.trackUasResponse(this.request, res, this.dialogEnv) ?? this.dialogNow;
    this.tx.handle({ type: 'respond', response: res });
    this.setState('early');
    return true;
  }

  /**
   * 200 OK with Contact and the request's Record-Route (§12.1.1), resent until the ACK
   * (§13.3.1.4). `sdp` is the answer, or our offer when the INVITE had none.
   */
  answer(sdp: string | undefined, opts: { headers?: [string, string][] } = {}): boolean {
    if (this.stateNow === 'terminated' || this.finalStatus !== 0) return false;
    const headers: [string, string][] = [
      ['Contact', this.local.contact],
      ['Allow', this.env.allow],
    ];
    if (this.env.supported !== '') headers.push(['Supported', this.env.supported]);
    headers.push(...(opts.headers ?? []));
    const res = createResponse(this.request, 200, { toTag: this.localTag, headers, ...sdpBody(sdp) });
    copyRecordRoute(this.request, res);
    this.dialogNow = this.env.dialogs.trackUasResponse(this.request, res, this.dialogEnv);
    this.finalStatus = 200;
    this.settle();
    this.tx.handle({ type: 'respond', response: res });
    this.setState('answered');
    this.startAckWait(this.tx, res, true, this.offer === undefined);
    this.offers.wake();
    return true;
  }

  /** A final failure response (300-699); the call ends `rejected`. */
  reject(status: number, opts: { reason?: string; headers?: [string, string][] } = {}): boolean {
    if (status < 300 || status > 699) throw new RangeError(`reject needs a status from 300 to 699, not ${status}`);
    if (this.stateNow === 'terminated' || this.finalStatus !== 0) return false;
    const res = this.sendFinal(status, opts);
    this.end('rejected', { status, reason: res.reason });
    return true;
  }

  private sendFinal(status: number, opts: { reason?: string; headers?: [string, string][] } = {}) {
    const res = createResponse(this.request, status, { toTag: this.localTag, ...opts });
    // §12.3: a final non-2xx ends the early dialog its provisionals made.
    this.env.dialogs.trackUasResponse(this.request, res, this.dialogEnv);
    this.finalStatus = status;
    this.settle();
    this.tx.handle({ type: 'respond', response: res });
    return res;
  }

  /** No more waiting for the application or a CANCEL. */
  private settle(): void {
    this.guard?.cancel();
    this.guard = undefined;
    this.env.registry.unwatchCancel(this.tx);
  }

  /**
   * @internal A CANCEL matched the INVITE. §9.2: "the UAS core ... SHOULD respond to
   * the INVITE with a 487 (Request Terminated)" (the CANCEL itself got its 200 already).
   */
  cancelReceived(): void {
    if (this.finalStatus !== 0 || this.stateNow === 'terminated') return;
    this.sendFinal(487);
    this.emit('cancelled');
    this.end('cancel', { status: 487 });
  }

  /** Hanging up before answering: 480 Temporarily Unavailable. */
  protected hangupUnanswered(): void {
    this.reject(480);
  }

  /**
   * §15: "The caller's UA MAY send a BYE for either confirmed or early dialogs". On the
   * early dialog it ends the INVITE too: 487 for it, as §15.1.2 asks for pending requests.
   */
  protected override receiveBye(req: SipRequest, tx: ServerTransaction): void {
    this.respond(tx, req, 200);
    if (this.finalStatus === 0) this.sendFinal(487);
    this.end('bye-remote');
  }

  protected override acked(initial: boolean, sdp: string | undefined): void {
    if (!initial) return;
    this.setState('confirmed');
    this.emit('confirmed', { sdp });
  }

  protected override ackNeverCame(initial: boolean): void {
    if (initial) this.emit('failed', { status: 408, reason: 'ACK Timeout' });
  }

  protected override beforeEnd(): void {
    // Ended with the INVITE unanswered (by the application's bye() on an unanswered
    // call, or a session limit): the caller still gets its final response.
    if (this.finalStatus === 0) this.sendFinal(487);
    this.settle();
  }
}
