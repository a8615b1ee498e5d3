// The one interface every SIP transport (UDP, TCP, TLS, WS, WSS) offers the stack
// above it: framed messages in, bytes out to a peer.
import type { Peer } from '../transaction/transaction-layer.js';

export type { Peer };

export type TransportName = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

/** Where a transport listens, as put in Via sent-by and Contact. */
export interface ListenAddress {
  transport: TransportName;
  host: string;
  port: number;
}

export interface SipTransport {
  readonly name: TransportName;
  /** Stream transports (everything but UDP) need no retransmissions (§17). */
  readonly reliable: boolean;
  /** Starts listening; resolves with the address actually bound (port 0 → real port). */
  listen(): Promise<ListenAddress>;
  /**
   * Sends one serialized message. With `to.connectionId` the message goes on that
   * connection if it is still open; otherwise a stream transport opens (or reuses) a
   * connection to `to.address:to.port`. Errors are reported through `onSendError`.
   */
  send(data: Buffer, to: Peer): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** One complete SIP message (framed by Content-Length on streams) and where it came from. */
  onMessage: (data: Buffer, source: Peer) => void;
  /** A send that could not be delivered (connection refused or closed). */
  onSendError: (to: Peer, err: Error) => void;
}
