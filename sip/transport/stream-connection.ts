// One TCP or TLS connection: bytes in through the framer, messages out with
// backpressure, a queue while an outbound connection is still being set up, and the
// deadlines that close it when the peer stalls. The transport that owns it keeps the
// tables (by id, by address) and is told when the connection is gone.
import type { Socket } from 'node:net';
import type { TimerHandle } from '../transaction/timers.js';
import type { Peer } from './types.js';
import { StreamFramer, type FramerSink } from './stream-framer.js';
import { ConnectionDeadlines, type DeadlineReason } from './connection-deadlines.js';
import type { TransportEnv } from './transport-env.js';
import type { TransportStats } from './transport-stats.js';

export interface StreamConnectionOwner {
  readonly env: TransportEnv;
  readonly counters: TransportStats;
  /** A framed message arrived. */
  delivered(conn: StreamConnection, message: Buffer): void;
  /** The connection is closed; `undelivered` were queued and never written. */
  removed(conn: StreamConnection, undelivered: Buffer[], err: Error | undefined): void;
}

/** How an outbound connection tells us it is ready for data. */
export type ReadyEvent = 'connect' | 'secureConnect';

// RFC 5626 §5.4: "When a server receives a double CRLF sequence between SIP messages
// on a connection-oriented transport such as TCP or SCTP, it MUST immediately respond
// with a single CRLF over the same connection." (The client side is §4.4.1.)
const PONG = Buffer.from('\r\n');

export class StreamConnection implements FramerSink {
  private readonly framer: StreamFramer;
  private deadlines: ConnectionDeadlines | undefined;
  /** Writes waiting for an outbound connection to come up. */
  private queue: Buffer[] | undefined;
  private queuedBytes = 0;
  private connectTimer: TimerHandle | undefined;
  private closing = false;
  private finished = false;
  private error: Error | undefined;

  constructor(
    readonly id: string,
    readonly socket: Socket,
    /** Where messages on this connection come from; shared by every message (do not mutate). */
    readonly peer: Peer,
    /** The address-and-port key under which the owner finds this connection. */
    readonly endpoint: string,
    /** The per-address cap key (inbound), undefined for outbound connections. */
    readonly capKey: string | undefined,
    private readonly owner: StreamConnectionOwner,
    /** Set for an outbound connection: the event that says it is usable. */
    readyEvent?: ReadyEvent,
  ) {
    const { limits } = owner.env;
    this.framer = new StreamFramer(this, limits.maxMessageBytes);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (readyEvent) {
      this.queue = [];
      socket.once(readyEvent, this.onReady);
      this.connectTimer = owner.env.clock.setTimer(limits.connectTimeoutMs, this.onConnectTimeout);
    } else this.startDeadlines(true);
  }

  /** Connected (outbound) or accepted and not yet closed. */
  get open(): boolean {
    return !this.closing;
  }

  /**
   * Writes one message, or queues it while connecting. False when it cannot be
   * taken: closed, queue full, or the peer has stopped reading (then it closes).
   */
  write(data: Buffer): boolean {
    if (this.closing) return false;
    if (this.queue) {
      if (this.queuedBytes + data.length > this.owner.env.limits.maxQueuedBytes) return false;
      this.queue.push(data);
      this.queuedBytes += data.length;
      return true;
    }
    // A peer that reads nothing would make us buffer without bound.
    if (this.socket.writableLength > this.owner.env.limits.maxWriteBufferBytes) {
      this.destroy(new Error('peer is not reading'));
      return false;
    }
    this.socket.write(data);
    this.owner.counters.messagesOut++;
    return true;
  }

  /** Closes the connection now; queued messages are reported undelivered with `err`. */
  destroy(err?: Error): void {
    if (this.closing) return;
    this.error ??= err;
    this.closing = true;
    this.socket.destroy();
    this.finish();
  }

  frame(message: Buffer): void {
    this.owner.delivered(this, message);
  }

  ping(): void {
    this.owner.counters.keepAlives++;
    if (!this.closing) this.socket.write(PONG);
  }

  framingError(reason: string): void {
    this.owner.counters.framingErrors++;
    this.destroy(new Error(`framing: ${reason}`));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.owner.counters.bytesIn += chunk.length;
    this.framer.push(chunk);
    if (!this.closing) this.deadlines?.activity(this.framer.inMessage);
  };

  private readonly onError = (err: Error): void => {
    // 'close' follows; remember why so queued messages report it.
    this.error ??= err;
  };

  private readonly onClose = (): void => {
    this.closing = true;
    this.finish();
  };

  private readonly onReady = (): void => {
    this.connectTimer?.cancel();
    this.connectTimer = undefined;
    if (this.closing) return;
    const queued = this.queue ?? [];
    this.queue = undefined;
    this.queuedBytes = 0;
    // We spoke first, so there is no first byte to wait for.
    this.startDeadlines(false);
    for (const data of queued) this.write(data);
  };

  private readonly onConnectTimeout = (): void => {
    this.connectTimer = undefined;
    this.owner.counters.timeouts++;
    this.destroy(new Error(`connect to ${this.peer.address}:${this.peer.port} timed out`));
  };

  private readonly onDeadline = (reason: DeadlineReason): void => {
    this.owner.counters.timeouts++;
    this.destroy(new Error(`${reason} deadline passed`));
  };

  private startDeadlines(awaitFirstByte: boolean): void {
    const { limits, clock, now } = this.owner.env;
    this.deadlines = new ConnectionDeadlines(limits, clock, now, this.onDeadline, awaitFirstByte);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.framer.stop();
    this.deadlines?.stop();
    this.connectTimer?.cancel();
    const undelivered = this.queue ?? [];
    this.queue = undefined;
    this.owner.removed(this, undelivered, this.error);
  }
}
