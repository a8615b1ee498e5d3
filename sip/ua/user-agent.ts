// The user agent core above the SIP stack (RFC 3261 §8.2, §12.2.2, §9.2): attached as
// the stack's application, it turns new INVITEs into InboundCalls, routes requests
// inside a dialog to their session by dialog ID, answers CANCELs, and places
// outbound calls. Everything it keeps is in bounded maps and leaves them when the
// session ends.
import { DigestClientState } from '../auth/digest-client.js';
import type { Authenticator, InboundRequest, RequestAuthResult, SipApplication } from '../core/sip-stack.js';
import type { Capabilities } from '../core/uas-checks.js';
import { createBranchGenerator, type BranchGenerator } from '../dialog/branch.js';
import { isInDialog } from '../dialog/dialog-id.js';
import { DialogStore } from '../dialog/dialog-store.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse, newTag } from '../message/response.js';
import { SipError } from '../message/validate.js';
import { RandomPool } from '../random-pool.js';
import { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Peer, ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.js';
import type { Clock, TimerValues } from '../transaction/timers.js';
import type { ListenAddress } from '../transport/types.js';
import { sessionKey } from './call-session.js';
import { InboundCall } from './inbound-call.js';
import { LocalAddresses } from './local-address.js';
import { OutboundCall, type InviteOptions } from './outbound-call.js';
import { RegistrationClient, type RegistrationOptions } from './registration-client.js';
import { parseReplaces, type Replaces } from './replaces.js';
import { systemLookup, type HostLookup } from './target.js';
import { DEFAULT_LIMITS, type SessionLimits, type UaEnv, type UaLogger } from './ua-env.js';

/** What the user agent needs of the stack; SipStack has it all. */
export interface UaStack {
  readonly transactions: TransactionLayer;
  readonly clock: Clock;
  readonly timerValues: TimerValues;
  readonly addresses: readonly ListenAddress[];
  readonly capabilities: Capabilities;
  send(msg: SipRequest | SipResponse, to: Peer): void;
  attach(app: SipApplication): void;
  detach(): void;
  authenticate(req: SipRequest, source: Peer, opts?: { proxy?: boolean }): Promise<RequestAuthResult>;
}

export interface UserAgentOptions {
  stack: UaStack;
  /** A new INVITE outside any dialog. Without a handler, INVITEs get 480. */
  onInvite?: (call: InboundCall) => void;
  /**
   * Host written in our Via and Contact (a public address or name). Default: the
   * address the stack listens on, or this machine's first IPv4 address when that is a
   * wildcard.
   */
  host?: string;
  /** Calls at once (both directions); beyond it INVITEs get 503. Default 50,000. */
  maxSessions?: number;
  limits?: Partial<SessionLimits>;
  /**
   * The digest checker the stack uses, for INVITEs the application authenticates against
   * credentials of its own (a trunk's: InboundCall.authenticateWith). Without it those get 500.
   */
  auth?: Authenticator;
  /** Host name resolution for targets without a `via`. Default: the system resolver. */
  lookup?: HostLookup;
  /** Default Math.random (the §14.1 glare waits and Retry-After values). */
  random?: () => number;
  newBranch?: BranchGenerator;
  newTag?: () => string;
  newCallId?: () => string;
  log?: UaLogger;
}

export type CallHandle = InboundCall | OutboundCall;

const SILENT: UaLogger = { debug: () => undefined, warn: () => undefined };

export class UserAgent {
  /** Every dialog of every session, by dialog ID. */
  readonly dialogs = new DialogStore();
  onInvite: ((call: InboundCall) => void) | undefined;
  private readonly stack: UaStack;
  private readonly env: UaEnv;
  private readonly sessions = new Map<string, CallHandle>();
  /** §8.2.2.2: pending INVITEs by Call-ID, From tag and CSeq, to spot merged requests. */
  private readonly pendingInvites = new Map<string, InboundCall>();
  private readonly cancelWatch = new Map<InviteServerTransaction, () => void>();
  private readonly maxSessions: number;
  private readonly lookup: HostLookup;
  private readonly newCallId: () => string;
  private readonly auth: Authenticator | undefined;

  constructor(opts: UserAgentOptions) {
    this.stack = opts.stack;
    this.onInvite = opts.onInvite;
    this.maxSessions = opts.maxSessions ?? 50_000;
    this.lookup = opts.lookup ?? systemLookup;
    this.auth = opts.auth;
    const pool = new RandomPool();
    this.newCallId = opts.newCallId ?? (() => pool.hex(16));
    const local = new LocalAddresses(() => this.stack.addresses, opts.host);
    const caps = this.stack.capabilities;
    this.env = {
      clock: this.stack.clock,
      timers: this.stack.timerValues,
      random: opts.random ?? Math.random,
      newBranch: opts.newBranch ?? createBranchGenerator(),
      newTag: opts.newTag ?? newTag,
      transactions: this.stack.transactions,
      send: (msg, to) => this.stack.send(msg, to),
      dialogs: this.dialogs,
      local: (transport) => local.for(transport),
      digest: new DigestClientState(),
      log: opts.log ?? SILENT,
      // REGISTER is the registrar's, not something a peer in a call may send us.
      allow: caps.allow.filter((m) => m !== 'REGISTER').join(', '),
      supported: caps.supported.join(', '),
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
      registry: {
        release: (key) => this.release(key),
        watchCancel: (tx, fn) => this.cancelWatch.set(tx, fn),
        unwatchCancel: (tx) => void this.cancelWatch.delete(tx),
      },
    };
  }

  /** Becomes the stack's application. */
  attach(): this {
    this.stack.attach(this.handle);
    return this;
  }

  /** The stack answers INVITEs itself again (challenge, then 480). Calls in progress keep going. */
  detach(): void {
    this.stack.detach();
  }

  /** Calls in progress, both directions. */
  get size(): number {
    return this.sessions.size;
  }

  /** The session of a dialog (by Call-ID and our tag). */
  session(callId: string, localTag: string): CallHandle | undefined {
    return this.sessions.get(sessionKey(callId, localTag));
  }

  /**
   * Places a call. Events start on the next tick (attach listeners right away). Throws
   * TargetError when `target` is not a SIP URI we can send to.
   */
  invite(opts: InviteOptions): OutboundCall {
    const call = new OutboundCall(this.env, { ...opts, callId: opts.callId ?? this.newCallId(), localTag: this.env.newTag() }, this.lookup);
    if (this.sessions.size >= this.maxSessions) {
      call.refuse(503, 'Too Many Calls');
      return call;
    }
    this.sessions.set(call.key, call);
    call.begin();
    return call;
  }

  /** A client registering one binding with a registrar (a carrier's); see registration-client.ts. */
  registration(opts: RegistrationOptions): RegistrationClient {
    return new RegistrationClient(this.env, this.lookup, { ...opts, callId: opts.callId ?? this.newCallId() });
  }

  /**
   * The session whose dialog a Replaces header names (RFC 3891 §3): to-tag is our
   * local tag, from-tag the peer's. Undefined when there is none, or when the value is
   * malformed. Whether to honour it (early-only on a confirmed dialog: 486; a dialog we
   * created as UAC still early: 481) is the application's decision.
   */
  findDialogForReplaces(replaces: Replaces | string): CallHandle | undefined {
    let r: Replaces;
    try {
      r = typeof replaces === 'string' ? parseReplaces(replaces) : replaces;
    } catch {
      return undefined;
    }
    const d = this.dialogs.get(r.callId, r.toTag, r.fromTag);
    if (!d || d.state === 'terminated') return undefined;
    return this.sessions.get(sessionKey(d.id.callId, d.id.localTag));
  }

  // Bound once: the stack calls it for every request.
  private readonly handle = (r: InboundRequest): void => {
    const { req, tx } = r;
    if (!tx) return this.receiveAck(req);
    if (req.method === 'CANCEL') return this.receiveCancel(req, tx);
    if (isInDialog(req)) return this.receiveInDialog(req, tx);
    if (req.method === 'INVITE' && tx instanceof InviteServerTransaction) return this.receiveInvite(req, tx, r.source, r.tenantId);
    // §12.2.2 and §8.2: BYE, INFO, UPDATE, REFER, NOTIFY without a To tag name no
    // dialog; we create none for them (out-of-dialog REFER is not supported).
    respond(tx, req, 481);
  };

  private receiveInvite(req: SipRequest, tx: InviteServerTransaction, source: Peer, tenantId: string | undefined): void {
    // CANCELled while the stack looked the tenant up: it has its 487 already.
    if (tx.lastStatus >= 200) return;
    if (this.sessions.size >= this.maxSessions) return respond(tx, req, 503, { headers: [['Retry-After', '5']] });
    // §8.2.2.2: "If the request has no tag in the To header field, the UAS core MUST
    // check the request against ongoing transactions. If the From tag, Call-ID, and CSeq
    // exactly match those associated with an ongoing transaction, but the request does
    // not match that transaction ..., the UAS core SHOULD generate a 482 (Loop Detected)".
    const mergeKey = `${req.callId()}\n${req.from().params.get('tag') ?? ''}\n${req.cseq().seq}`;
    if (this.pendingInvites.has(mergeKey)) return respond(tx, req, 482);
    // §12.1.1: the remote target comes from the INVITE's Contact.
    let contacts;
    try {
      contacts = req.contacts();
    } catch {
      return this.refuseAfterChallenge(req, tx, source, 'Bad Contact');
    }
    if (contacts === '*' || contacts.length !== 1) return this.refuseAfterChallenge(req, tx, source, 'Missing Contact');
    let replaces: Replaces | undefined;
    const rh = req.get('replaces');
    if (rh !== undefined) {
      try {
        replaces = parseReplaces(rh);
      } catch {
        // RFC 3891 §3: a malformed Replaces gets 400.
        return respond(tx, req, 400, { reason: 'Bad Replaces' });
      }
    }
    const call = new InboundCall(this.env, {
      request: req,
      tx,
      source,
      tenantId,
      localTag: this.env.newTag(),
      replaces,
      authenticate: (q, s) => this.stack.authenticate(q, s, { proxy: true }),
      verify: (q, s, realm, lookup) =>
        this.auth ? this.auth.verify(q, { realm, source: s, proxy: true, lookup }) : Promise.resolve({ ok: false, status: 500, headers: [] }),
    });
    this.sessions.set(call.key, call);
    this.pendingInvites.set(mergeKey, call);
    call.once('terminated', () => {
      if (this.pendingInvites.get(mergeKey) === call) this.pendingInvites.delete(mergeKey);
    });
    this.cancelWatch.set(tx, () => call.cancelReceived());
    const handler = this.onInvite;
    if (!handler) return void call.reject(480);
    try {
      handler(call);
    } catch (err) {
      this.env.log.warn({ callId: call.callId, err: (err as Error).message }, 'INVITE handler failed');
      call.reject(500);
    }
  }

  /**
   * An INVITE that cannot start a dialog (no usable Contact) is still challenged first:
   * whoever has no credentials learns nothing about what we would do with it (RFC 4475
   * inv2543 expects the challenge). With credentials, it gets its 400.
   */
  private refuseAfterChallenge(req: SipRequest, tx: InviteServerTransaction, source: Peer, reason: string): void {
    this.stack.authenticate(req, source, { proxy: true }).then(
      (a) => {
        if (tx.lastStatus >= 200) return;
        if (!a.ok) respond(tx, req, a.status, { ...(a.reason ? { reason: a.reason } : {}), headers: a.headers });
        else respond(tx, req, 400, { reason });
      },
      () => {
        if (tx.lastStatus < 200) respond(tx, req, 500);
      },
    );
  }

  /**
   * §9.2: "If the UAS did not find a matching transaction for the CANCEL according to
   * the procedure above, it SHOULD respond to the CANCEL with a 481", otherwise 200
   * whatever became of the INVITE, and 487 to an INVITE still without a final response.
   */
  private receiveCancel(req: SipRequest, tx: ServerTransaction): void {
    const invite = this.stack.transactions.findInvite(req);
    if (!invite) return respond(tx, req, 481);
    respond(tx, req, 200);
    const watcher = this.cancelWatch.get(invite);
    if (watcher) {
      this.cancelWatch.delete(invite);
      watcher();
    } else if (invite.lastStatus < 200) {
      // Not handed to the application yet (the tenant lookup is still running).
      invite.handle({ type: 'respond', response: createResponse(invite.request, 487) });
    }
  }

  private receiveInDialog(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialogs.resolve(req);
    // §12.2.2: "If the UAS wishes to reject the request because it does not wish to
    // recreate the dialog, it MUST respond to the request with a 481".
    if (d === undefined || d instanceof SipError) return respond(tx, req, 481);
    const s = this.sessions.get(sessionKey(d.id.callId, d.id.localTag));
    if (!s) return respond(tx, req, 481);
    s.receiveRequest(req, tx, d);
  }

  /** An ACK without a transaction: the ACK of a 2xx, for its dialog. Never answered. */
  private receiveAck(req: SipRequest): void {
    const d = this.dialogs.findForRequest(req);
    if (!d) return;
    this.sessions.get(sessionKey(d.id.callId, d.id.localTag))?.receiveAck(req, d);
  }

  private release(key: string): void {
    this.sessions.delete(key);
  }
}

function respond(tx: ServerTransaction, req: SipRequest, status: number, opts: { reason?: string; headers?: [string, string][] } = {}): void {
  tx.handle({ type: 'respond', response: createResponse(req, status, opts) });
}
