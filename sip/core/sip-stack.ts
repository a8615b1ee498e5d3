// The SIP stack as one object: transports in, parse and check, transaction layer,
// then the UAS core that answers REGISTER (registrar), OPTIONS, and hands dialog
// requests to the application (the B2BUA). Malformed input gets the response RFC
// 4475 asks for, or is dropped; it never throws out of here.
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage, SipParseError } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { canRespond, SipError, validateRequest, validateResponse } from '../message/validate.js';
import { TransactionLayer, type Peer, type ServerTransaction } from '../transaction/transaction-layer.js';
import { DEFAULT_TIMERS, type Clock, type TimerValues } from '../transaction/timers.js';
import type { ListenAddress, SipTransport } from '../transport/types.js';
import type { Registrar } from '../registrar/registrar.js';
import { isInDialog } from '../dialog/dialog-id.js';
import { checkRequest, DEFAULT_CAPABILITIES, type Capabilities } from './uas-checks.js';
import { stampVia } from './via-stamp.js';

/**
 * Where tenants and their credentials come from (the store, through voice/). A cached
 * answer may come back as a plain value: the REGISTER path then runs without waiting
 * for a promise (two fewer turns of the microtask queue per request).
 */
export interface SipDirectory {
  /** The tenant a domain selects (its SIP domain), else the default tenant. */
  tenantFor(domain: string): MaybePromise<{ tenantId: string; realm: string } | undefined>;
  credential(tenantId: string, username: string): MaybePromise<SipCredentialRecord | undefined>;
}

export type MaybePromise<T> = T | Promise<T>;

export interface SipCredentialRecord {
  id: string;
  ha1Md5: string;
  ha1Sha256: string;
}

export type AuthResult =
  | { ok: true; username: string }
  | { ok: false; status: number; reason?: string; headers: [string, string][] };

/** The tenant a request belongs to, with the outcome of checking its credentials. */
export type RequestAuthResult = AuthResult & { tenantId?: string };

/** The application above the stack: every request other than REGISTER and OPTIONS. */
export type SipApplication = (r: InboundRequest) => void;

export interface Authenticator {
  verify(
    req: SipRequest,
    opts: {
      realm: string;
      source: Peer;
      proxy: boolean;
      lookup: (username: string) => MaybePromise<{ ha1Md5: string; ha1Sha256: string } | undefined>;
    },
  ): Promise<AuthResult>;
}

export interface StackLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An authenticated request for the application, with the tenant it belongs to. */
export interface InboundRequest {
  req: SipRequest;
  tx: ServerTransaction | undefined;
  source: Peer;
  tenantId: string | undefined;
}

export interface SipStackOptions {
  transports: SipTransport[];
  clock: Clock;
  timers?: TimerValues;
  directory: SipDirectory;
  auth: Authenticator;
  registrar: Registrar;
  log: StackLogger;
  capabilities?: Capabilities;
  /**
   * Requests other than REGISTER and OPTIONS (INVITE, BYE, CANCEL, ACK...). Until the
   * application is attached, authenticated INVITEs get 480 Temporarily Unavailable.
   */
  application?: SipApplication;
}

export interface SipStackStats {
  received: number;
  sent: number;
  parseErrors: number;
  rejected: number;
  dropped: number;
  registrations: number;
}

export class SipStack {
  readonly transactions: TransactionLayer;
  private readonly byName = new Map<string, SipTransport>();
  private readonly caps: Capabilities;
  private listening: ListenAddress[] = [];
  private app: SipApplication | undefined;
  readonly counters: SipStackStats = { received: 0, sent: 0, parseErrors: 0, rejected: 0, dropped: 0, registrations: 0 };

  constructor(private readonly opts: SipStackOptions) {
    this.caps = opts.capabilities ?? DEFAULT_CAPABILITIES;
    this.app = opts.application;
    for (const t of opts.transports) {
      this.byName.set(t.name, t);
      t.onMessage = (data, source) => this.receive(data, source, t.reliable);
      t.onSendError = (to, err) => opts.log.debug({ to, err: err.message }, 'sip send failed');
    }
    this.transactions = new TransactionLayer({
      clock: opts.clock,
      ...(opts.timers ? { timers: opts.timers } : {}),
      send: (msg, to) => this.send(msg, to),
      sendBytes: (data, to) => this.sendBytes(data, to),
      isReliable: (name) => this.byName.get(name)?.reliable ?? false,
    });
    this.transactions.tu = {
      onRequest: (req, tx, source) => this.dispatch(req, tx, source),
      onStrayResponse: () => {},
    };
  }

  async start(): Promise<ListenAddress[]> {
    this.listening = [];
    for (const t of this.opts.transports) this.listening.push(await t.listen());
    return this.listening;
  }

  async stop(): Promise<void> {
    await Promise.all(this.opts.transports.map((t) => t.close()));
  }

  get addresses(): ListenAddress[] {
    return this.listening;
  }

  /** The clock the transactions run on (the user agent's timers use it too). */
  get clock(): Clock {
    return this.opts.clock;
  }

  /** T1, T2, T4 of this stack. */
  get timerValues(): TimerValues {
    return this.opts.timers ?? DEFAULT_TIMERS;
  }

  /** What OPTIONS advertises and the UAS checks enforce. */
  get capabilities(): Capabilities {
    return this.caps;
  }

  /** Hands every request other than REGISTER and OPTIONS to `app` (the user agent). */
  attach(app: SipApplication): void {
    this.app = app;
  }

  /** Back to answering INVITEs with a challenge and 480 (no application). */
  detach(): void {
    this.app = undefined;
  }

  /**
   * Checks a request's credentials for the tenant its domain selects, as a proxy-style
   * UAS by default (Proxy-Authorization, 407). On failure the result carries the
   * response to send (the challenge, 403 while locked out, 400 for a malformed one,
   * 404 when no tenant serves the domain); the caller sends it.
   */
  async authenticate(req: SipRequest, source: Peer, opts: { proxy?: boolean } = {}): Promise<RequestAuthResult> {
    const tenant = await this.opts.directory.tenantFor(this.domainOf(req));
    if (!tenant) return { ok: false, status: 404, reason: 'Domain not served here', headers: [] };
    const result = await this.opts.auth.verify(req, {
      realm: tenant.realm,
      source,
      proxy: opts.proxy ?? true,
      lookup: (u) => this.opts.directory.credential(tenant.tenantId, u),
    });
    return { ...result, tenantId: tenant.tenantId };
  }

  send(msg: SipRequest | SipResponse, to: Peer): void {
    this.sendBytes(msg.toBuffer(), to);
  }

  sendBytes(data: Buffer, to: Peer): void {
    const t = this.byName.get(to.transport) ?? this.byName.get('UDP');
    if (!t) return;
    this.counters.sent++;
    t.send(data, to);
  }

  /** One message from a transport. Never throws. */
  receive(data: Buffer, source: Peer, reliable: boolean): void {
    this.counters.received++;
    let msg;
    try {
      msg = parseMessage(data, { datagram: !reliable });
    } catch (err) {
      this.counters.parseErrors++;
      if (err instanceof SipParseError && err.request && err.status > 0 && canRespond(err.request)) {
        this.respondStateless(err.request, source, err.status, err.message);
      } else {
        this.counters.dropped++;
        this.opts.log.debug({ source, err: (err as Error).message }, 'sip message dropped');
      }
      return;
    }
    try {
      if (msg.isRequest) {
        try {
          validateRequest(msg);
        } catch (err) {
          if (!(err instanceof SipError)) throw err;
          this.counters.rejected++;
          if (canRespond(msg)) this.respondStateless(msg, source, err.status, err.reason, err.headers);
          else this.counters.dropped++;
          return;
        }
        stampVia(msg, source);
        this.transactions.receiveRequest(msg, source);
      } else {
        try {
          validateResponse(msg);
        } catch {
          this.counters.dropped++;
          return;
        }
        this.transactions.receiveResponse(msg, source);
      }
    } catch (err) {
      this.counters.dropped++;
      this.opts.log.warn({ source, err: (err as Error).message }, 'sip message failed');
    }
  }

  /**
   * A response sent outside any transaction, for requests that never got one. It goes
   * to the packet's source address and port: the message's own Via may be garbage,
   * and a malformed request must not make us send to an address it names.
   */
  private respondStateless(req: SipRequest, source: Peer, status: number, reason?: string, headers: [string, string][] = []): void {
    if (req.method === 'ACK') return; // §17.1.1.3: never answer an ACK
    try {
      const res = createResponse(req, status, { ...(reason ? { reason } : {}), headers });
      this.send(res, source);
    } catch (err) {
      this.counters.dropped++;
      this.opts.log.debug({ err: (err as Error).message }, 'could not answer a malformed request');
    }
  }

  /** Responds within the server transaction. */
  respond(tx: ServerTransaction, status: number, opts: { reason?: string; headers?: [string, string][]; toTag?: string } = {}): void {
    const res = createResponse(tx.request, status, opts);
    tx.handle({ type: 'respond', response: res });
  }

  private dispatch(req: SipRequest, tx: ServerTransaction | undefined, source: Peer): void {
    if (!tx) {
      // An ACK for a 2xx (no transaction of its own): the application's dialogs.
      this.app?.({ req, tx, source, tenantId: undefined });
      return;
    }
    try {
      checkRequest(req, this.caps);
    } catch (err) {
      if (!(err instanceof SipError)) throw err;
      this.counters.rejected++;
      this.respond(tx, err.status, { reason: err.reason, headers: err.headers });
      return;
    }
    const work = (async () => {
      switch (req.method) {
        case 'OPTIONS':
          return this.options(req, tx);
        case 'REGISTER':
          return this.register(req, tx, source);
        default:
          return this.forApplication(req, tx, source);
      }
    })();
    work.catch((err: unknown) => {
      this.opts.log.error({ err: (err as Error).message, method: req.method }, 'sip request failed');
      if (tx.lastStatus < 200) this.respond(tx, 500);
    });
  }

  /** §11.2: OPTIONS says what we allow, accept and support. We are the target. */
  private options(req: SipRequest, tx: ServerTransaction): void {
    const headers: [string, string][] = [
      ['Allow', this.caps.allow.join(', ')],
      ['Accept', this.caps.accept.join(', ')],
      ['Accept-Encoding', 'identity'],
      ['Accept-Language', 'en'],
    ];
    // Supported is sent even when empty: "no extensions" is an answer too (§20.37).
    headers.push(['Supported', this.caps.supported.join(', ')]);
    this.respond(tx, 200, { headers });
  }

  private domainOf(req: SipRequest): string {
    return req.requestUri()?.host ?? '';
  }

  private async register(req: SipRequest, tx: ServerTransaction, source: Peer): Promise<void> {
    // §10.3 step 5 needs a SIP AOR in To; without one there is nothing to bind (unksm2).
    if (!req.toSipUri()) return this.respond(tx, 400, { reason: 'To is not a SIP address of record' });
    const found = this.opts.directory.tenantFor(this.domainOf(req));
    const tenant = found instanceof Promise ? await found : found;
    if (!tenant) return this.respond(tx, 404, { reason: 'Domain not served here' });
    let cred: SipCredentialRecord | undefined;
    const result = await this.opts.auth.verify(req, {
      realm: tenant.realm,
      source,
      proxy: false,
      // The record found for the digest check is the credential that registers.
      lookup: (u) => {
        const c = this.opts.directory.credential(tenant.tenantId, u);
        if (c instanceof Promise) return c.then((v) => (cred = v));
        return (cred = c);
      },
    });
    if (!result.ok) return this.respond(tx, result.status, { ...(result.reason ? { reason: result.reason } : {}), headers: result.headers });
    const r = this.opts.registrar.handle(req, {
      tenantId: tenant.tenantId,
      credentialId: cred?.id ?? null,
      username: result.username,
      source,
    });
    if (r.status === 200) this.counters.registrations++;
    this.respond(tx, r.status, { ...(r.reason ? { reason: r.reason } : {}), headers: r.headers });
  }

  private async forApplication(req: SipRequest, tx: ServerTransaction, source: Peer): Promise<void> {
    const app = this.app;
    if (app) {
      // Requests inside a dialog and CANCELs belong to something the application has
      // already: they go up at once, in arrival order, with no tenant lookup.
      if (req.method === 'CANCEL' || isInDialog(req)) return app({ req, tx, source, tenantId: undefined });
      const tenant = await this.opts.directory.tenantFor(this.domainOf(req));
      app({ req, tx, source, tenantId: tenant?.tenantId });
      return;
    }
    // No application attached yet: authenticate like the B2BUA will (407 for dialog
    // requests, as a proxy-style UAS), then say nobody can take the call.
    const tenant = await this.opts.directory.tenantFor(this.domainOf(req));
    if (!tenant) return this.respond(tx, 404);
    if (req.method === 'INVITE') {
      const result = await this.authenticate(req, source, { proxy: true });
      if (!result.ok) return this.respond(tx, result.status, { ...(result.reason ? { reason: result.reason } : {}), headers: result.headers });
      return this.respond(tx, 480);
    }
    // §9.2: a CANCEL that matches a transaction is answered 200 whatever became of the
    // INVITE (here it has its final answer already); one that matches nothing gets 481.
    if (req.method === 'CANCEL' && this.transactions.findInvite(req)) return this.respond(tx, 200);
    // BYE, INFO... outside any dialog we know.
    this.respond(tx, 481);
  }
}
