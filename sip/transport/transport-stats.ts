// Counters every transport keeps, read through `stats()` (plain numbers, cheap to
// copy) so the metrics endpoint and tests can see traffic, refusals and failures.

export interface TransportStats {
  /** Messages handed to onMessage. */
  messagesIn: number;
  /** Messages written to the network. */
  messagesOut: number;
  /** Bytes received (whole datagrams, stream chunks, WebSocket messages). */
  bytesIn: number;
  /** CRLF keep-alive pings answered (streams) or keep-alive datagrams/frames ignored. */
  keepAlives: number;
  /** Connections open now (0 for UDP). */
  connectionsOpen: number;
  /** Connections accepted since start (inbound). */
  connectionsAccepted: number;
  /** Connections refused at accept by a per-address or the process cap, or a bad WebSocket handshake. */
  connectionsRefused: number;
  /** Connections closed because a message could not be framed (no or bad Content-Length, too large). */
  framingErrors: number;
  /** Connections closed by the first-byte, message or idle deadline (or a missing WebSocket pong). */
  timeouts: number;
  /** Sends that failed (onSendError was called). */
  sendErrors: number;
  /** Exceptions thrown by onMessage, caught so the transport keeps running. */
  handlerErrors: number;
}

export function emptyStats(): TransportStats {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    keepAlives: 0,
    connectionsOpen: 0,
    connectionsAccepted: 0,
    connectionsRefused: 0,
    framingErrors: 0,
    timeouts: 0,
    sendErrors: 0,
    handlerErrors: 0,
  };
}

/** A transport that can report its counters. */
export interface ObservableTransport {
  stats(): TransportStats;
}
