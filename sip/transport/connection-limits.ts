// The limits that keep connection-oriented transports (TCP, TLS, WS, WSS) usable when
// a peer misbehaves: how many connections one address and the whole process may hold,
// how long a connection may sit silent or dribble a message, and how large a message
// or a backlog may grow. Tests inject small values; production uses the defaults.
import { DEFAULT_LIMITS } from '../message/parse.js';

export interface ConnectionLimits {
  /** Concurrent inbound connections from one IPv4 address or one IPv6 /64. */
  maxConnectionsPerIp: number;
  /** Concurrent connections of every stream transport together, inbound and outbound. */
  maxConnections: number;
  /** Largest message framed on a stream, start line to end of body. */
  maxMessageBytes: number;
  /** From a message's first byte to its last (header block and body). */
  messageTimeoutMs: number;
  /** From accept (or, for WS, from accept to the first SIP message). */
  firstByteTimeoutMs: number;
  /** Without traffic (messages, keep-alives, WebSocket pongs) a connection is closed. */
  idleTimeoutMs: number;
  /** Outbound connect (and TLS handshake) must finish within this. */
  connectTimeoutMs: number;
  /** Bytes queued on a connection that is still connecting; more is a send error. */
  maxQueuedBytes: number;
  /** Bytes the peer has not read yet; beyond this the connection is closed (slow reader). */
  maxWriteBufferBytes: number;
  /** WebSocket ping interval; a peer that has not answered the previous ping is dropped. */
  wsPingIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnectionsPerIp: 64,
  maxConnections: 10_000,
  // The same ceiling as the parser's, so a framed message is never too large to parse.
  maxMessageBytes: DEFAULT_LIMITS.maxMessageBytes,
  messageTimeoutMs: 10_000,
  firstByteTimeoutMs: 30_000,
  idleTimeoutMs: 15 * 60_000,
  connectTimeoutMs: 10_000,
  maxQueuedBytes: 256 * 1024,
  maxWriteBufferBytes: 1024 * 1024,
  wsPingIntervalMs: 30_000,
});

export function connectionLimits(overrides: Partial<ConnectionLimits> = {}): ConnectionLimits {
  return { ...DEFAULT_CONNECTION_LIMITS, ...overrides };
}
