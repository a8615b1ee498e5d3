// An INVITE we send, as a session (RFC 3261 §13.2): progress, the answer (ACKed by
// us), failures, CANCEL, a carrier's digest challenge answered once, and forked 2xx.
//
//   pending ─1xx─▶ early ─2xx─▶ confirmed (ACK sent) ─BYE─▶ terminated
//      └── ≥300 / Timer B / cancel() / ringTimeout (CANCEL) ─▶ failed, terminated
import type { DigestClientCredentials } from '../auth/digest-client.js';
import { createCancel } from '../dialog/cancel-request.js';
import type { DialogEnv } from '../dialog/dialog-env.js';
import { Dialog } from '../dialog/dialog.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { Peer } from '../transaction/transaction-layer.js';
import type { TimerHandle } from '../transaction/timers.js';
import { CallSession } from './call-session.js';
import { buildInvite } from './invite-request.js';
import { authHeadersOf, IGNORE_OUTCOME, sdpOf } from './session-messages.js';
import type { SessionEvents, TerminationCause } from './session-types.js';
import { nextHopOf, resolveTarget, type HostLookup } from './target.js';
import type { UaEnv } from './ua-env.js';

export interface InviteOptions {
  /** Request-URI: the callee (sip: or sips:). */
  target: string;
  /**
   * Where to send it: a trunk's host and port, or a registration's source Peer
   * (with its connection). Default: resolved from `target`.
   */
  via?: Peer;
  /** From as name-addr or URI (`"Alice" <sip:+15551230000@example.com>`); we add the tag. */
  from: string;
  /** To; default the target. */
  to?: string;
  /** The SDP offer; none for a late-offer INVITE (the answer then comes in the 2xx). */
  sdp?: string;
  /** Extra header fields (P-Asserted-Identity, X-...), appended as given. */
  headers?: [string, string][];
  /** A trunk's credentials: a 401/407 is answered once (RFC 3261 §22.2). */
  credentials?: DigestClientCredentials;
  /** CANCEL after this long without a final response; `failed` then says 408. */
  ringTimeoutMs?: number;
  callId?: string;
}

export interface OutboundCallEvents extends SessionEvents {
  /** A provisional response (180, 183 with early media...). */
  progress: (e: { status: number; reason: string; sdp: string | undefined; response: SipResponse }) => void;
  /** The first 2xx: ACK sent, dialog confirmed. */
  answered: (e: { sdp: string | undefined; response: SipResponse }) => void;
  /** No call: a final ≥ 300, a timeout (408), the transport (503), or our cancel() (487). */
  failed: (e: { status: number; reason: string; response: SipResponse | undefined }) => void;
}

/** ACKs kept for forks that answered, so their 2xx retransmissions are ACKed again. */
const MAX_FORK_ACKS = 16;

export class OutboundCall extends CallSession<OutboundCallEvents> {
  readonly target: string;
  /** Our offer. */
  readonly offer: string | undefined;
  /** The answer, once a 2xx brought it. */
  answerSdp: string | undefined;
  /** The status of the final response (0 before it). */
  finalStatus = 0;
  private invite: SipRequest | undefined;
  private readonly opts: InviteOptions;
  private readonly resolvePeer: boolean;
  private dialogEnv: DialogEnv | undefined;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private ringTimedOut = false;
  private timers: TimerHandle[] = [];
  private readonly forkAcks = new Map<string, SipRequest>();

  /** @internal The user agent creates outbound calls (UserAgent.invite). */
  constructor(
    env: UaEnv,
    opts: InviteOptions & { callId: string; localTag: string },
    private readonly lookup: HostLookup,
  ) {
    const hop = opts.via ? undefined : nextHopOf(opts.target);
    super(env, {
      callId: opts.callId,
      localTag: opts.localTag,
      peer: opts.via ?? { transport: hop!.transport, address: hop!.host, port: hop!.port },
      credentials: opts.credentials,
    });
    this.opts = opts;
    this.target = opts.target;
    this.offer = opts.sdp;
    this.resolvePeer = !opts.via && hop!.hostIsName;
  }

  get callIdOwner(): boolean {
    return true;
  }

  get initialInvite(): 'ours' | undefined {
    return this.finalStatus === 0 && this.stateNow !== 'terminated' ? 'ours' : undefined;
  }

  /** The INVITE as last sent (after a challenge: the one with credentials). */
  get request(): SipRequest | undefined {
    return this.invite;
  }

  /** @internal Sends the INVITE on the next tick, once the caller has its listeners on. */
  begin(): void {
    queueMicrotask(() => {
      this.start().catch((err: unknown) => {
        this.env.log.warn({ callId: this.callId, err: (err as Error).message }, 'outbound call failed to start');
        this.fail(503, 'Service Unavailable', undefined, 'failed');
      });
    });
  }

  /** @internal Ends the call before it starts (the user agent is full). */
  refuse(status: number, reason: string): void {
    queueMicrotask(() => this.fail(status, reason, undefined, 'failed'));
  }

  private async start(): Promise<void> {
    if (this.resolvePeer) {
      try {
        this.peer = await resolveTarget(this.target, this.lookup);
      } catch (err) {
        this.env.log.debug({ callId: this.callId, err: (err as Error).message }, 'target not resolved');
        return this.fail(503, 'Unresolvable Target', undefined, 'failed');
      }
    }
    if (this.stateNow === 'terminated') return;
    const local = this.env.local(this.peer.transport);
    this.dialogEnv = { newBranch: this.env.newBranch, sentBy: local.sentBy, contact: local.contact };
    const invite = buildInvite({
      target: this.target,
      from: this.opts.from,
      fromTag: this.localTag,
      to: this.opts.to ?? this.target,
      callId: this.callId,
      cseq: 1,
      sentBy: local.sentBy,
      branch: this.env.newBranch(),
      contact: local.contact,
      allow: this.env.allow,
      supported: this.env.supported,
      sdp: this.opts.sdp,
      headers: this.opts.headers ?? [],
    });
    this.invite = invite;
    const ringMs = this.opts.ringTimeoutMs ?? this.env.limits.ringTimeoutMs;
    this.timers.push(
      this.env.clock.setTimer(ringMs, () => {
        this.ringTimedOut = true;
        this.cancel();
      }),
    );
    this.transmit(invite, {
      onProvisional: (res) => this.provisional(res),
      onFinal: (res, local) => this.final(res, local),
      onExtra2xx: (res) => this.another2xx(res),
      onResend: (r) => {
        this.invite = r;
        this.provisionalSeen = false;
      },
      mayRetry: () => !this.cancelRequested,
    });
  }

  private provisional(res: SipResponse): void {
    if (this.stateNow === 'terminated') return;
    this.provisionalSeen = true;
    // §9.1: the CANCEL waits for a provisional response.
    if (this.cancelRequested) return this.sendCancel();
    if (res.status === 100) return;
    const d = this.track(res);
    if (d) this.dialogNow = d;
    this.setState('early');
    this.emit('progress', { status: res.status, reason: res.reason, sdp: sdpOf(res), response: res });
  }

  private final(res: SipResponse, local: boolean): void {
    if (res.status >= 200 && res.status < 300) return this.accepted(res);
    if (this.stateNow === 'terminated') return;
    this.finalStatus = res.status;
    this.track(res);
    let cause: TerminationCause = 'rejected';
    if (this.cancelRequested) cause = this.ringTimedOut ? 'timeout' : 'cancel';
    else if (local) cause = res.status === 408 ? 'timeout' : 'failed';
    // A ring timeout is reported as the timeout it is, not as the 487 our CANCEL drew.
    if (this.ringTimedOut) return this.fail(408, 'Request Timeout', res, cause);
    this.fail(res.status, res.reason, res, cause);
  }

  private accepted(res: SipResponse): void {
    const d = this.track(res);
    if (!d) return;
    this.finalStatus = res.status;
    this.ack(res, d);
    // A 2xx that crossed our CANCEL (or came after we gave up): §15 lets the caller end
    // a confirmed dialog with BYE.
    if (this.stateNow === 'terminated') return this.byeStray(d);
    if (this.cancelRequested) {
      this.dialogNow = d;
      const status = this.ringTimedOut ? 408 : 487;
      const reason = this.ringTimedOut ? 'Request Timeout' : 'Request Terminated';
      this.emit('failed', { status, reason, response: res });
      this.sendBye([], this.ringTimedOut ? 'timeout' : 'cancel', { status, reason });
      return;
    }
    this.dialogNow = d;
    this.stopTimers();
    // Other forks' early dialogs have no future once one answered (§13.2.2.4 lets them
    // live 64*T1; a late 2xx from one is ACKed and BYEd in another2xx()).
    for (const other of this.env.dialogs.dialogsOf(this.callId, this.localTag)) if (other !== d && other.state === 'early') other.terminate();
    this.answerSdp = sdpOf(res);
    this.setState('confirmed');
    this.emit('answered', { sdp: this.answerSdp, response: res });
    this.offers.wake();
  }

  /**
   * A 2xx after the first. The same fork's retransmission gets its ACK again; another
   * fork's gets ACK and BYE. §13.2.2.4: "If the dialog identifier in the 2xx response
   * matches the dialog identifier of an existing dialog, the dialog MUST be transitioned
   * to the "confirmed" state" and the UAC "MUST generate an ACK for each 2xx"; a UAC that
   * wants one call "MUST ... send a BYE" to the others.
   */
  private another2xx(res: SipResponse): void {
    const tag = res.to().params.get('tag') ?? '';
    const known = this.forkAcks.get(tag);
    if (known) return this.env.send(known, this.peer);
    if (!this.invite || !this.dialogEnv) return;
    const fork = Dialog.fromUacResponse(this.invite, res, this.dialogEnv);
    this.ack(res, fork);
    this.byeStray(fork);
  }

  private byeStray(d: Dialog): void {
    if (d.state === 'terminated') return;
    const bye = d.createRequest('BYE');
    d.terminate();
    this.env.transactions.request(bye, this.peer, IGNORE_OUTCOME);
  }

  private ack(res: SipResponse, d: Dialog): void {
    const ack = d.createAck(res.cseq().seq, { headers: authHeadersOf(this.invite!) });
    if (this.forkAcks.size < MAX_FORK_ACKS) this.forkAcks.set(d.id.remoteTag, ack);
    this.env.send(ack, this.peer);
  }

  /** The dialog a response makes or confirms (§13.2.2), through the user agent's store. */
  private track(res: SipResponse): Dialog | undefined {
    if (!this.invite || !this.dialogEnv) return undefined;
    try {
      return this.env.dialogs.trackUacResponse(this.invite, res, this.dialogEnv);
    } catch (err) {
      this.env.log.debug({ callId: this.callId, err: (err as Error).message }, 'response makes no dialog');
      return undefined;
    }
  }

  /**
   * Gives up the call before the answer (§9.1). "If no provisional response has been
   * received, the CANCEL request MUST NOT be sent; rather, the client MUST wait for the
   * arrival of a provisional response before sending the request." The call ends with
   * `failed` when the final response (487, usually) arrives.
   */
  cancel(): boolean {
    if (this.stateNow === 'terminated' || this.finalStatus !== 0) return false;
    if (this.cancelRequested) return true;
    this.cancelRequested = true;
    if (!this.invite) {
      // Still resolving the target: nothing was sent.
      this.fail(this.ringTimedOut ? 408 : 487, this.ringTimedOut ? 'Request Timeout' : 'Request Terminated', undefined, this.ringTimedOut ? 'timeout' : 'cancel');
      return true;
    }
    if (this.provisionalSeen) this.sendCancel();
    return true;
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.invite) return;
    this.cancelSent = true;
    this.env.transactions.request(createCancel(this.invite), this.peer, IGNORE_OUTCOME);
    // §9.1: "If there is no final response for the original request in 64*T1 seconds
    // ... the client SHOULD then consider the original transaction cancelled".
    this.timers.push(
      this.env.clock.setTimer(64 * this.env.timers.T1, () => {
        if (this.finalStatus !== 0 || this.stateNow === 'terminated') return;
        this.finalStatus = 487;
        this.fail(this.ringTimedOut ? 408 : 487, this.ringTimedOut ? 'Request Timeout' : 'Request Terminated', undefined, this.ringTimedOut ? 'timeout' : 'cancel');
      }),
    );
  }

  protected hangupUnanswered(): void {
    this.cancel();
  }

  private fail(status: number, reason: string, response: SipResponse | undefined, cause: TerminationCause): void {
    if (this.stateNow === 'terminated') return;
    this.emit('failed', { status, reason, response });
    this.end(cause, { status, reason });
  }

  private stopTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  protected override beforeEnd(): void {
    this.stopTimers();
  }
}
