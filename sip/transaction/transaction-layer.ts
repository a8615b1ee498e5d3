// The transaction layer (RFC 3261 §17): matches incoming requests and responses to
// the transactions they belong to, creates server transactions for new requests and
// client transactions for the TU, and forgets each one when it terminates.
import type { SipRequest, SipResponse } from '../message/message.js';
import { MAGIC_COOKIE } from '../message/via.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { InviteClientTransaction, type ClientCallbacks } from './invite-client-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import type { TransactionEnv } from './transaction.js';
import { DEFAULT_TIMERS, type Clock, type TimerValues } from './timers.js';
import { CompletedResponses } from './completed-responses.js';

/** Where a message came from, or where one goes. */
export interface Peer {
  /** UDP, TCP, TLS, WS or WSS. */
  transport: string;
  address: string;
  port: number;
  /** For connection-oriented transports: the connection it arrived on, reused for replies. */
  connectionId?: string;
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

export interface TransactionUser {
  /**
   * A new request. `tx` is its server transaction; for an ACK that matched no
   * transaction (the ACK of a 2xx, §17.2.3) there is none.
   */
  onRequest(req: SipRequest, tx: ServerTransaction | undefined, source: Peer): void;
  /** A response that matched no client transaction (a late 2xx retransmission). */
  onStrayResponse?(res: SipResponse, source: Peer): void;
}

export interface TransactionLayerDeps {
  clock: Clock;
  /** Milliseconds, monotonic; for the expiry of completed transactions. Default performance.now. */
  now?: () => number;
  timers?: TimerValues;
  /**
   * Memory for completed UDP non-INVITE transactions (see completed-responses.ts).
   * Default 64 MiB: about 5 s of them at 12,000 REGISTER/s, all 32 s below 1,800/s.
   */
  completedArenaBytes?: number;
  send(msg: SipRequest | SipResponse, to: Peer): void;
  sendBytes(data: Buffer, to: Peer): void;
  isReliable(transport: string): boolean;
}

/** §17.2.3 server-side key; ACK and CANCEL are keyed to find the INVITE they belong to. */
export function serverKey(req: SipRequest, methodOverride?: string): string {
  const via = req.topVia();
  const branch = via.params.get('branch') ?? '';
  const method = methodOverride ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  if (branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
    return `${branch}|${via.host}:${via.port ?? ''}|${method}`;
  }
  // RFC 2543 fallback (§17.2.3): Request-URI, From tag, Call-ID, CSeq number and the
  // top Via identify the transaction; the To tag is compared separately for ACK.
  const toTag = req.method === 'INVITE' || req.method === 'ACK' ? '' : (req.to().params.get('tag') ?? '');
  return [
    '2543',
    req.uri,
    toTag,
    req.from().params.get('tag') ?? '',
    req.callId(),
    req.cseq().seq,
    method,
    req.getAll('via')[0] ?? '',
  ].join('|');
}

/** §17.1.3: a response matches the client transaction with its top Via branch and CSeq method. */
function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly timers: TimerValues;
  private readonly completed: CompletedResponses;
  tu: TransactionUser | undefined;

  constructor(private readonly deps: TransactionLayerDeps) {
    this.timers = deps.timers ?? DEFAULT_TIMERS;
    this.completed = new CompletedResponses({
      holdMs: 64 * this.timers.T1,
      now: deps.now ?? (() => performance.now()),
      ...(deps.completedArenaBytes !== undefined ? { arenaBytes: deps.completedArenaBytes } : {}),
    });
  }

  get size(): { servers: number; clients: number; completed: number; completedEvicted: number } {
    return {
      servers: this.servers.size,
      clients: this.clients.size,
      completed: this.completed.size,
      completedEvicted: this.completed.evicted,
    };
  }

  /** A completed non-INVITE server transaction's response, kept to absorb retransmissions. */
  retireCompleted(key: string, wire: Buffer, to: Peer): void {
    this.completed.add(key, wire, to);
  }

  get timerValues(): TimerValues {
    return this.timers;
  }

  /** Drops expired completed-transaction records; the stack calls it periodically. */
  expireCompleted(): void {
    this.completed.expire();
  }

  /** Where responses to a request go (§18.2.2, RFC 3581 §4). */
  static responseTarget(req: SipRequest, source: Peer): Peer {
    if (source.connectionId !== undefined || req.topVia().params.has('rport')) return source;
    // Without rport on UDP: the source address ("received") and the port in Via.
    return { transport: source.transport, address: source.address, port: req.topVia().port ?? 5060 };
  }

  receiveRequest(req: SipRequest, source: Peer): void {
    const key = serverKey(req);
    const done = this.completed.get(key);
    if (done) {
      // A retransmission of a request we answered: the same final response again.
      if (req.method !== 'ACK') this.deps.sendBytes(done.wire, done.to);
      return;
    }
    const existing = this.servers.get(key);
    if (existing) {
      if (req.method === 'ACK' && existing instanceof InviteServerTransaction) {
        // An ACK for a 2xx is a transaction of its own and goes to the TU (§17.2.3 with
        // RFC 6026: the Accepted state does not absorb it). With RFC 2543 keys the To
        // tag must also match the response's.
        if (existing.currentState === 'accepted') return this.tu?.onRequest(req, undefined, source);
        if (!key.startsWith('2543|') || sameToTag(req, existing.response)) existing.handle({ type: 'request', request: req });
        return;
      }
      if (existing instanceof InviteServerTransaction) existing.handle({ type: 'request', request: req });
      else existing.handle({ type: 'request', request: req });
      return;
    }
    if (req.method === 'ACK') return this.tu?.onRequest(req, undefined, source);

    const target = TransactionLayer.responseTarget(req, source);
    const env = new LayerEnv(this, this.deps, target, this.servers, key, req.method !== 'INVITE');
    const tx: ServerTransaction =
      req.method === 'INVITE' ? new InviteServerTransaction(req, env) : new NonInviteServerTransaction(req, env);
    this.servers.set(key, tx);
    this.tu?.onRequest(req, tx, source);
  }

  receiveResponse(res: SipResponse, source: Peer): void {
    const branch = res.topVia().params.get('branch') ?? '';
    const tx = this.clients.get(clientKey(branch, res.cseq().method));
    if (!tx) return this.tu?.onStrayResponse?.(res, source);
    if (tx instanceof InviteClientTransaction) tx.handle({ type: 'response', response: res });
    else tx.handle({ type: 'response', response: res });
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2): same key but the method. */
  findInvite(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.servers.get(serverKey(cancel, 'INVITE'));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Sends a request in a new client transaction. The request must carry its Via with a branch. */
  request(req: SipRequest, to: Peer, cb: ClientCallbacks): ClientTransaction {
    const branch = req.topVia().params.get('branch');
    if (!branch?.startsWith(MAGIC_COOKIE)) throw new Error('client requests need a z9hG4bK branch');
    const key = clientKey(branch, req.method === 'ACK' ? 'INVITE' : req.method);
    const env = new LayerEnv(this, this.deps, to, this.clients, key, false);
    const tx =
      req.method === 'INVITE' ? new InviteClientTransaction(req, env, cb) : new NonInviteClientTransaction(req, env, cb);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }
}

/**
 * A transaction's view of the layer: where its messages go and how it is forgotten.
 * One object per transaction with its methods on the prototype (not a bag of closures:
 * at thousands of transactions a second, allocation is what costs).
 */
class LayerEnv implements TransactionEnv {
  readonly reliable: boolean;
  /** Set when the machine may hand its completed state to the layer (see TransactionEnv.retire). */
  readonly retire: ((wire: Buffer) => void) | undefined;

  constructor(
    private readonly layer: TransactionLayer,
    private readonly deps: TransactionLayerDeps,
    private readonly to: Peer,
    private readonly table: Map<string, unknown>,
    private readonly key: string,
    retirable: boolean,
  ) {
    this.reliable = deps.isReliable(to.transport);
    this.retire = retirable ? LayerEnv.prototype.retireTo : undefined;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  get timers(): TimerValues {
    return this.layer.timerValues;
  }

  send(msg: SipRequest | SipResponse): void {
    this.deps.send(msg, this.to);
  }

  encode(msg: SipRequest | SipResponse): Buffer {
    return msg.toBuffer();
  }

  sendBytes(data: Buffer): void {
    this.deps.sendBytes(data, this.to);
  }

  terminated(): void {
    this.table.delete(this.key);
  }

  private retireTo(this: LayerEnv, wire: Buffer): void {
    this.layer.retireCompleted(this.key, wire, this.to);
  }
}

function sameToTag(ack: SipRequest, res: SipResponse | undefined): boolean {
  if (!res) return false;
  return ack.to().params.get('tag') === res.to().params.get('tag');
}
