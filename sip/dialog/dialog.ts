// A dialog (RFC 3261 §12): the state two user agents keep between the request that
// created it and its end, and what it takes to send and accept requests inside it.
//
//   1xx with To tag ──▶ early ──2xx──▶ confirmed ──BYE / terminate()──▶ terminated
//   2xx ───────────────────────────▶ confirmed
//
// Pure logic over sip/message: no sockets, no timers. The clock-driven part (2xx
// retransmission until the ACK) is Invite2xxRetransmitter.
import { headerKey } from '../message/header-names.js';
import { SipRequest, type HeaderField, type SipMessage, type SipResponse } from '../message/message.js';
import { SipError } from '../message/validate.js';
import { withCookie } from './branch.js';
import { canCreate, createsDialog, uacDialogInit, uasDialogInit, type DialogInit } from './dialog-creation.js';
import type { DialogEnv, SentBy } from './dialog-env.js';
import { DialogError } from './dialog-error.js';
import type { DialogId } from './dialog-id.js';
import { requestTarget, routeSetFromResponse, type RequestTarget, type RouteSet } from './route-set.js';

export type { DialogEnv, SentBy } from './dialog-env.js';
export { DialogError } from './dialog-error.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Which side of the dialog-creating request we were. */
export type DialogRole = 'uac' | 'uas';

export interface RequestOptions {
  body?: Buffer | string;
  contentType?: string;
  /** Extra header fields, appended in order after the dialog's own. */
  headers?: [string, string][];
}

/**
 * Target refresh requests per dialog usage. §12.2: "For dialogs that have been
 * established with an INVITE, the only target refresh request defined is re-INVITE";
 * RFC 3311 §5.1 adds UPDATE; RFC 6665 makes SUBSCRIBE and NOTIFY target refreshes.
 */
const TARGET_REFRESH: Record<string, ReadonlySet<string>> = {
  INVITE: new Set(['INVITE', 'UPDATE']),
  SUBSCRIBE: new Set(['SUBSCRIBE', 'NOTIFY']),
};

const MAX_CSEQ = 0xffffffff;

export class Dialog {
  readonly id: DialogId;
  readonly role: DialogRole;
  /** The method that created the dialog: INVITE or SUBSCRIBE. */
  readonly usage: string;
  readonly localUri: string;
  readonly remoteUri: string;
  /** §12.1.1/§12.1.2: TLS and a SIPS Request-URI on the dialog-creating request. */
  readonly secure: boolean;
  /** Local sequence number: the CSeq of the last request we sent; undefined = empty. */
  localSeq: number | undefined;
  /** Remote sequence number: the CSeq of the last request the peer sent; undefined = empty. */
  remoteSeq: number | undefined;
  /** Contact header value of the requests we send. */
  localContact: string;
  /** Set by a DialogStore: called once when the dialog terminates. */
  onTerminated: ((dialog: Dialog) => void) | undefined;

  private stateNow: DialogState;
  private routes: RouteSet;
  private target: string;
  /** Request-URI and Route for the current route set and remote target (§12.2.1.1). */
  private resolved: RequestTarget;
  private readonly fromValue: string;
  private readonly toValue: string;
  private readonly env: DialogEnv;
  private viaPrefix = '';
  private viaSuffix = '';

  private constructor(init: DialogInit, env: DialogEnv) {
    this.id = init.id;
    this.role = init.role;
    this.usage = init.usage;
    this.stateNow = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.routes = init.routeSet;
    this.target = init.remoteTarget;
    this.resolved = requestTarget(this.routes, this.target);
    this.secure = init.secure;
    this.fromValue = init.fromValue;
    this.toValue = init.toValue;
    this.localContact = init.localContact;
    this.onTerminated = undefined;
    this.env = env;
    this.useSentBy(env.sentBy);
  }

  /** Whether responses to `req` may create dialogs: an INVITE or SUBSCRIBE outside any dialog. */
  static canCreate(req: SipRequest): boolean {
    return canCreate(req);
  }

  /** Whether `res` to `req` creates a dialog (§12.1). */
  static createsDialog(req: SipRequest, res: SipResponse): boolean {
    return createsDialog(req, res);
  }

  /**
   * The UAS side (§12.1.1): `req` is the dialog-creating request received, `res` the 1xx
   * (with To tag) or 2xx we send. Throws SipError 400 when the request has no Contact,
   * so the caller can answer that instead.
   */
  static fromUasResponse(req: SipRequest, res: SipResponse, env: DialogEnv): Dialog {
    return new Dialog(uasDialogInit(req, res, env), env);
  }

  /**
   * The UAC side (§12.1.2): `req` is the dialog-creating request as we sent it, `res` a
   * 1xx with a To tag or a 2xx received for it.
   */
  static fromUacResponse(req: SipRequest, res: SipResponse, env: DialogEnv): Dialog {
    return new Dialog(uacDialogInit(req, res, env), env);
  }

  get state(): DialogState {
    return this.stateNow;
  }

  /** Where requests in the dialog go (the peer's Contact). */
  get remoteTarget(): string {
    return this.target;
  }

  /** The route set, values as written in Record-Route, in the order requests use them. */
  get routeSet(): readonly string[] {
    return this.routes.values;
  }

  /**
   * The early dialog becomes confirmed by a 2xx: the one we sent (UAS) or received (UAC).
   * §13.2.2.4 (UAC): "the dialog MUST be transitioned to the "confirmed" state, and the
   * route set for the dialog MUST be recomputed based on the 2xx response". The remote
   * target also follows the 2xx's Contact: §12.1.1 has the UAS put there the address
   * "where the UAS would like to be contacted for subsequent requests in the dialog
   * (which includes the ACK for a 2xx response ...)". A retransmitted 2xx changes nothing.
   */
  confirm(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300) throw new DialogError(`a ${res.status} does not confirm a dialog`);
    if (this.stateNow !== 'early') return;
    this.stateNow = 'confirmed';
    if (this.role === 'uas') return;
    this.routes = routeSetFromResponse(res);
    const contacts = res.contacts();
    if (contacts !== '*' && contacts.length > 0) this.target = contacts[0]!.uri;
    this.resolved = requestTarget(this.routes, this.target);
  }

  /** Ends the dialog (BYE sent or received, early dialog given up) and leaves its store. */
  terminate(): void {
    if (this.stateNow === 'terminated') return;
    this.stateNow = 'terminated';
    this.onTerminated?.(this);
  }

  /** Changes the Via sent-by of later requests (e.g. the transport towards the peer changed). */
  useSentBy(sentBy: SentBy): void {
    const port = sentBy.port !== undefined ? `:${sentBy.port}` : '';
    this.viaPrefix = `SIP/2.0/${sentBy.transport.toUpperCase()} ${sentBy.host}${port};branch=`;
    this.viaSuffix = this.env.rport === false ? '' : ';rport';
  }

  /**
   * A new request in the dialog (§12.2.1.1). Increments the local CSeq: "if the local
   * sequence number is not empty, the value of the local sequence number MUST be
   * incremented by one, and this value MUST be placed into the CSeq header field. If the
   * local sequence number is empty, an initial value MUST be chosen using the guidelines
   * of Section 8.1.1.5." ACK and CANCEL reuse the INVITE's number: see createAck and
   * createCancel.
   */
  createRequest(method: string, opts: RequestOptions = {}): SipRequest {
    if (method === 'ACK') throw new DialogError('ACK takes the INVITE\'s CSeq: use createAck');
    if (method === 'CANCEL') throw new DialogError('CANCEL copies the request it cancels: use createCancel');
    if (this.stateNow === 'terminated') throw new DialogError(`no ${method} in a terminated dialog`);
    // §15: "the callee's UA MAY send a BYE on confirmed dialogs, but MUST NOT send a BYE
    // on early dialogs."
    if (method === 'BYE' && this.role === 'uas' && this.stateNow === 'early') {
      throw new DialogError('the callee must not send BYE on an early dialog');
    }
    const body = bodyOf(opts);
    const seq = this.localSeq === undefined ? (this.env.initialCseq?.() ?? 1) : this.localSeq + 1;
    // §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer".
    if (seq > MAX_CSEQ) throw new DialogError('local CSeq exhausted');
    this.localSeq = seq;
    return this.build(method, seq, body, opts);
  }

  /**
   * The ACK for a 2xx to an INVITE or re-INVITE of this dialog. §13.2.2.4: "The header
   * fields of the ACK are constructed in the same way as for any request sent within a
   * dialog (see Section 12) with the exception of the CSeq and the header fields related
   * to authentication. The sequence number of the CSeq header field MUST be the same as
   * the INVITE being acknowledged, but the CSeq method MUST be ACK." Credentials of the
   * INVITE go in `opts.headers`. Allowed in any state: a 2xx retransmission is ACKed
   * even after the dialog was ended.
   */
  createAck(inviteCseq: number, opts: RequestOptions = {}): SipRequest {
    return this.build('ACK', inviteCseq, bodyOf(opts), opts);
  }

  /**
   * Checks a request the peer sent in this dialog (§12.2.2) and records its CSeq.
   * Returns the error to answer with, or undefined when the request may be processed.
   * ACK and CANCEL carry the number of the request they belong to and are not
   * sequenced; an ACK is never answered, so a caller drops rather than answers it.
   */
  receiveRequest(req: SipRequest): SipError | undefined {
    if (this.stateNow === 'terminated') return new SipError(481, 'Call/Transaction Does Not Exist');
    if (req.method === 'ACK' || req.method === 'CANCEL') return undefined;
    const seq = req.cseq().seq;
    // "If the remote sequence number was not empty, but the sequence number of the
    // request is lower than the remote sequence number, the request is out of order and
    // MUST be rejected with a 500 (Server Internal Error) response." An equal number on
    // a new transaction is a reused CSeq, out of order just the same (retransmissions
    // never get here: the transaction layer absorbs them).
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return new SipError(500, 'Server Internal Error');
    // "If the remote sequence number is empty, it MUST be set to the value of the
    // sequence number in the CSeq header field value in the request." and, when in
    // order, "The UAS MUST then set the remote sequence number to the value of the
    // sequence number in the CSeq header field value in the request."
    this.remoteSeq = seq;
    return undefined;
  }

  /**
   * Applies a target refresh once it succeeded; returns whether the remote target changed.
   * - As UAS, pass the re-INVITE/UPDATE you accept, when sending its 2xx. §12.2.2: "When
   *   a UAS receives a target refresh request, it MUST replace the dialog's remote target
   *   URI with the URI from the Contact header field in that request, if present." Doing
   *   it at the 2xx keeps the request atomic: "If the request is rejected, none of the
   *   state changes are performed."
   * - As UAC, pass the 2xx received for your re-INVITE/UPDATE. §12.2.1.2: "When a UAC
   *   receives a 2xx response to a target refresh request, it MUST replace the dialog's
   *   remote target URI with the URI from the Contact header field in that response, if
   *   present."
   * RFC 3311 §5.1: UPDATE "is a target refresh request". Anything else (other methods,
   * non-2xx, a request we sent, a response we sent) leaves the target alone.
   */
  applyTargetRefresh(msg: SipMessage): boolean {
    const refresh = TARGET_REFRESH[this.usage];
    if (!refresh) return false;
    // Our own messages carry our Contact, never the peer's: a request from the peer has
    // its tag in From, a response to our request has our tag in From.
    const fromTag = msg.from().params.get('tag') ?? '';
    if (msg.isRequest) {
      if (!refresh.has(msg.method) || fromTag !== this.id.remoteTag) return false;
    } else if (msg.status < 200 || msg.status >= 300 || !refresh.has(msg.cseq().method) || fromTag !== this.id.localTag) {
      return false;
    }
    const contacts = msg.contacts();
    if (contacts === '*' || contacts.length === 0) return false;
    const uri = contacts[0]!.uri;
    if (uri === this.target) return false;
    this.target = uri;
    this.resolved = requestTarget(this.routes, uri);
    return true;
  }

  private build(method: string, seq: number, body: Buffer, opts: RequestOptions): SipRequest {
    const headers: HeaderField[] = [
      // §8.1.1.7: "The branch parameter value MUST be unique across space and time for
      // all requests sent by the UA." An ACK for a 2xx is a transaction of its own, too.
      { name: 'Via', key: 'via', value: this.viaPrefix + withCookie(this.env.newBranch()) + this.viaSuffix },
      { name: 'Max-Forwards', key: 'max-forwards', value: '70' },
    ];
    if (this.resolved.route !== undefined) headers.push({ name: 'Route', key: 'route', value: this.resolved.route });
    // "The URI in the To field of the request MUST be set to the remote URI from the
    // dialog state. The tag in the To header field of the request MUST be set to the
    // remote tag of the dialog ID. The From URI of the request MUST be set to the local
    // URI from the dialog state. The tag in the From header field of the request MUST be
    // set to the local tag of the dialog ID." The values are those of the dialog-creating
    // exchange, so a null tag stays absent as required.
    headers.push(
      { name: 'To', key: 'to', value: this.toValue },
      { name: 'From', key: 'from', value: this.fromValue },
      // "The Call-ID of the request MUST be set to the Call-ID of the dialog."
      { name: 'Call-ID', key: 'call-id', value: this.id.callId },
      { name: 'CSeq', key: 'cseq', value: `${seq} ${method}` },
      { name: 'Contact', key: 'contact', value: this.localContact },
    );
    for (const [name, value] of opts.headers ?? []) headers.push({ name, key: headerKey(name), value });
    if (opts.contentType !== undefined && body.length > 0) headers.push({ name: 'Content-Type', key: 'content-type', value: opts.contentType });
    return new SipRequest(method, this.resolved.requestUri, headers, body);
  }
}

const EMPTY = Buffer.alloc(0);

function bodyOf(opts: RequestOptions): Buffer {
  const body = opts.body === undefined ? EMPTY : typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
  if (body.length > 0 && opts.contentType === undefined && !opts.headers?.some(([n]) => headerKey(n) === 'content-type')) {
    // §20.15: "The Content-Type header field MUST be present if the body is not empty."
    throw new DialogError('a body needs a Content-Type');
  }
  return body;
}
