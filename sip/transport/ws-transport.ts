// SIP over WebSocket, WS and WSS (RFC 7118), on an HTTP(S) server of its own port.
// The per-address caps apply to the TCP connection before any HTTP or TLS work; the
// upgrade must name the "sip" subprotocol; each socket then becomes a WsConnection.
// There are no outbound WebSocket connections: browsers connect to us, and a request
// for a browser goes on the connection it registered over.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TimerHandle } from '../transaction/timers.js';
import type { ListenAddress, Peer, SipTransport } from './types.js';
import { WsConnection, type WsConnectionOwner } from './ws-connection.js';
import { transportEnv, type TransportEnv, type TransportEnvOptions } from './transport-env.js';
import { emptyStats, type ObservableTransport, type TransportStats } from './transport-stats.js';
import { endpointKey, normaliseAddress } from './peer-address.js';
import { listenServer } from './listen.js';

export interface WsTransportOptions extends TransportEnvOptions {
  /** Default 0.0.0.0. */
  host?: string;
  /** Default 8080 (WS) or 8443 (WSS). */
  port?: number;
  /** Serve WSS: HTTPS with this certificate (see certificate.ts). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** RFC 7118 §4.1 registers "sip" as the WebSocket subprotocol for SIP. */
export const SIP_SUBPROTOCOL = 'sip';

const ignore = (): void => undefined;

export class WsTransport implements SipTransport, ObservableTransport, WsConnectionOwner {
  readonly name: 'WS' | 'WSS';
  readonly reliable = true;
  onMessage: (data: Buffer, source: Peer) => void = ignore;
  onSendError: (to: Peer, err: Error) => void = ignore;

  readonly env: TransportEnv;
  readonly counters = emptyStats();
  private readonly byId = new Map<string, WsConnection>();
  private readonly byEndpoint = new Map<string, WsConnection>();
  /** HTTP sockets that have not upgraded yet, with the timer that ends their wait. */
  private readonly waiting = new WeakMap<Duplex, TimerHandle>();
  private readonly wss: WebSocketServer;
  private server: HttpServer | HttpsServer | undefined;
  private nextId = 1;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly opts: WsTransportOptions = {}) {
    this.name = opts.tls ? 'WSS' : 'WS';
    this.env = transportEnv(opts);
    this.host = opts.host ?? '0.0.0.0';
    this.port = opts.port ?? (opts.tls ? 8443 : 8080);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.env.limits.maxMessageBytes,
      // Compression buys little for SIP and opens the door to decompression bombs.
      perMessageDeflate: false,
      handleProtocols: () => SIP_SUBPROTOCOL,
    });
  }

  async listen(): Promise<ListenAddress> {
    const { limits } = this.env;
    // Slow HTTP before the upgrade: Node's own checks, plus the first-byte timer below.
    const http = { headersTimeout: limits.messageTimeoutMs, requestTimeout: limits.messageTimeoutMs };
    const server = this.opts.tls
      ? createHttpsServer({
          ...http,
          cert: this.opts.tls.cert,
          key: this.opts.tls.key,
          minVersion: 'TLSv1.2',
          handshakeTimeout: limits.firstByteTimeoutMs,
        })
      : createHttpServer(http);
    server.on('connection', this.onTcpConnection);
    // The socket that carries HTTP: the TCP one for WS, the TLS one for WSS.
    server.on(this.opts.tls ? 'secureConnection' : 'connection', this.onHttpSocket);
    server.on('upgrade', this.onUpgrade);
    server.on('request', onPlainRequest);
    server.on('clientError', (_err: Error, socket: Duplex) => socket.destroy());
    const bound = await listenServer(server, this.host, this.port, this.env.log, this.name);
    this.server = server;
    return { transport: this.name, host: bound.address, port: bound.port };
  }

  send(data: Buffer, to: Peer): void {
    let conn = to.connectionId !== undefined ? this.byId.get(to.connectionId) : undefined;
    conn ??= this.byEndpoint.get(endpointKey(to.address, to.port));
    if (!conn) return this.sendFailed(to, new Error(`no ${this.name} connection to ${to.address}:${to.port}`));
    if (!conn.write(data)) this.sendFailed(to, new Error(`${this.name} connection ${conn.id} cannot take the message`));
  }

  async close(): Promise<void> {
    for (const conn of [...this.byId.values()]) conn.destroy();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): TransportStats {
    return { ...this.counters, connectionsOpen: this.byId.size };
  }

  delivered(conn: WsConnection, message: Buffer): void {
    this.counters.messagesIn++;
    try {
      this.onMessage(message, conn.peer);
    } catch (err) {
      this.counters.handlerErrors++;
      this.env.log.warn({ err, transport: this.name, connectionId: conn.id }, 'SIP message handler threw');
    }
  }

  removed(conn: WsConnection): void {
    if (this.byId.get(conn.id) !== conn) return;
    this.byId.delete(conn.id);
    if (this.byEndpoint.get(conn.endpoint) === conn) this.byEndpoint.delete(conn.endpoint);
  }

  private readonly onTcpConnection = (raw: Socket): void => {
    raw.on('error', ignore);
    const remote = raw.remoteAddress;
    const capKey = remote === undefined ? undefined : this.env.guard.admit(normaliseAddress(remote));
    if (capKey === undefined) {
      this.counters.connectionsRefused++;
      raw.resetAndDestroy();
      return;
    }
    this.counters.connectionsAccepted++;
    raw.once('close', () => this.env.guard.release(capKey));
  };

  private readonly onHttpSocket = (socket: Socket): void => {
    if (socket.destroyed) return;
    // Until the upgrade, the first-byte deadline bounds the whole HTTP exchange.
    const timer = this.env.clock.setTimer(this.env.limits.firstByteTimeoutMs, () => {
      this.counters.timeouts++;
      socket.destroy();
    });
    this.waiting.set(socket, timer);
    socket.once('close', () => timer.cancel());
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.waiting.get(socket)?.cancel();
    this.waiting.delete(socket);
    socket.on('error', ignore);
    // RFC 7118 §4.1: the client offers "sip" in Sec-WebSocket-Protocol. Without it
    // the other end does not speak SIP over this socket, so there is no point in it.
    if (!offersSip(req.headers['sec-websocket-protocol'])) {
      this.counters.connectionsRefused++;
      refuse(socket, 'the "sip" WebSocket subprotocol is required (RFC 7118)');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
  };

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    const id = `${this.name.toLowerCase()}-${this.nextId++}`;
    const address = normaliseAddress(req.socket.remoteAddress ?? '');
    const port = req.socket.remotePort ?? 0;
    const peer: Peer = Object.freeze({ transport: this.name, address, port, connectionId: id });
    const conn = new WsConnection(id, ws, peer, endpointKey(address, port), this);
    this.byId.set(id, conn);
    this.byEndpoint.set(conn.endpoint, conn);
  }

  private sendFailed(to: Peer, err: Error): void {
    this.counters.sendErrors++;
    try {
      this.onSendError(to, err);
    } catch (e) {
      this.counters.handlerErrors++;
      this.env.log.warn({ err: e, transport: this.name }, 'SIP send-error handler threw');
    }
  }
}

/** Whether a Sec-WebSocket-Protocol header offers "sip" (a comma-separated list). */
export function offersSip(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const p of header.split(',')) if (p.trim() === SIP_SUBPROTOCOL) return true;
  return false;
}

function refuse(socket: Duplex, why: string): void {
  const body = `${why}\n`;
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** A plain HTTP request on the WebSocket port: say what is expected here. */
function onPlainRequest(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(426, { Upgrade: 'websocket', Connection: 'close', 'Content-Type': 'text/plain' });
  res.end('SIP over WebSocket (RFC 7118): upgrade with subprotocol "sip"\n');
  req.resume();
}
