// One SIP-over-WebSocket connection (RFC 7118): each WebSocket message is one SIP
// message, so there is no framing to do; what is left is liveness (ping/pong), the
// deadlines, and writing with backpressure.
import { isUtf8 } from 'node:buffer';
import { WebSocket, type RawData } from 'ws';
import type { TimerHandle } from '../transaction/timers.js';
import type { Peer } from './types.js';
import { ConnectionDeadlines } from './connection-deadlines.js';
import type { TransportEnv } from './transport-env.js';
import type { TransportStats } from './transport-stats.js';

export interface WsConnectionOwner {
  readonly env: TransportEnv;
  readonly counters: TransportStats;
  delivered(conn: WsConnection, message: Buffer): void;
  removed(conn: WsConnection): void;
}

const PING = '\r\n\r\n';
const PONG = '\r\n';
// RFC 7118 §5.1 leaves the frame type to the sender; text frames must be UTF-8, so a
// message with a binary body goes as a binary frame.
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

export class WsConnection {
  private readonly deadlines: ConnectionDeadlines;
  private pingTimer: TimerHandle | undefined;
  private awaitingPong = false;
  /** A SIP message has arrived: from then on pongs also count as traffic. */
  private spoke = false;
  private finished = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    /** Where messages on this connection come from; shared by every message (do not mutate). */
    readonly peer: Peer,
    readonly endpoint: string,
    private readonly owner: WsConnectionOwner,
  ) {
    const { limits, clock, now } = owner.env;
    this.deadlines = new ConnectionDeadlines(limits, clock, now, this.onDeadline);
    ws.on('message', this.onMessage);
    ws.on('pong', this.onPong);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
    this.pingTimer = clock.setTimer(limits.wsPingIntervalMs, this.onPingTimer);
  }

  write(data: Buffer): boolean {
    if (this.finished || this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount > this.owner.env.limits.maxWriteBufferBytes) {
      this.destroy();
      return false;
    }
    this.ws.send(data, isUtf8(data) ? TEXT : BINARY);
    this.owner.counters.messagesOut++;
    return true;
  }

  destroy(): void {
    if (this.finished) return;
    this.ws.terminate();
    this.finish();
  }

  private readonly onMessage = (data: RawData): void => {
    if (this.finished) return;
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    this.owner.counters.bytesIn += buf.length;
    this.deadlines.activity(false);
    // The CRLF keep-alive of RFC 5626 §4.4.1, as sip.js and JsSIP send it over WebSocket.
    if (buf.length <= 4 && isCrlfOnly(buf)) {
      this.owner.counters.keepAlives++;
      if (buf.length === 4) this.ws.send(PONG, TEXT);
      return;
    }
    this.spoke = true;
    this.owner.delivered(this, buf);
  };

  private readonly onPong = (): void => {
    this.awaitingPong = false;
    if (this.spoke) this.deadlines.activity(false);
  };

  private readonly onPingTimer = (): void => {
    this.pingTimer = undefined;
    if (this.finished) return;
    if (this.awaitingPong) {
      // The previous ping went unanswered for a whole interval: the peer is gone.
      this.owner.counters.timeouts++;
      this.destroy();
      return;
    }
    this.awaitingPong = true;
    try {
      this.ws.ping();
    } catch {
      this.destroy();
      return;
    }
    this.pingTimer = this.owner.env.clock.setTimer(this.owner.env.limits.wsPingIntervalMs, this.onPingTimer);
  };

  private readonly onDeadline = (): void => {
    this.owner.counters.timeouts++;
    this.destroy();
  };

  private readonly onError = (): void => {
    // Protocol errors (bad UTF-8, oversized message): 'close' follows.
  };

  private readonly onClose = (): void => {
    this.finish();
  };

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.deadlines.stop();
    this.pingTimer?.cancel();
    this.owner.removed(this);
  }
}

function isCrlfOnly(buf: Buffer): boolean {
  const s = buf.toString('latin1');
  return s === PING || s === PONG;
}
