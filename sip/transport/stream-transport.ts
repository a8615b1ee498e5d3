// What TCP and TLS share (RFC 3261 §18): a listening server whose accepted
// connections pass the admission guard, outbound connections opened on demand, and
// connection reuse — a reply goes back on the connection its request came in on
// (§18.2.2), and a request to an address we already have a connection to uses it.
import { createServer, type Server, type Socket } from 'node:net';
import type { ListenAddress, Peer, SipTransport } from './types.js';
import { StreamConnection, type ReadyEvent, type StreamConnectionOwner } from './stream-connection.js';
import { transportEnv, type TransportEnv, type TransportEnvOptions } from './transport-env.js';
import { emptyStats, type ObservableTransport, type TransportStats } from './transport-stats.js';
import { endpointKey, normaliseAddress } from './peer-address.js';
import { listenServer } from './listen.js';

export interface StreamTransportOptions extends TransportEnvOptions {
  /** Address to listen on (and to connect from when it is not a wildcard). Default 0.0.0.0. */
  host?: string;
  port?: number;
}

const ignore = (): void => undefined;

export abstract class StreamTransport implements SipTransport, ObservableTransport, StreamConnectionOwner {
  abstract readonly name: 'TCP' | 'TLS';
  readonly reliable = true;
  onMessage: (data: Buffer, source: Peer) => void = ignore;
  onSendError: (to: Peer, err: Error) => void = ignore;

  readonly env: TransportEnv;
  readonly counters = emptyStats();
  private readonly byId = new Map<string, StreamConnection>();
  private readonly byEndpoint = new Map<string, StreamConnection>();
  private server: Server | undefined;
  private nextId = 1;
  protected readonly host: string;
  private readonly port: number;

  constructor(opts: StreamTransportOptions, defaultPort: number) {
    this.env = transportEnv(opts);
    this.host = opts.host ?? '0.0.0.0';
    this.port = opts.port ?? defaultPort;
  }

  /** The socket a connection's messages are read from: the accepted one, or TLS over it. */
  protected abstract wrapAccepted(raw: Socket): Socket;
  /** Starts an outbound connection and names the event that says it is usable. */
  protected abstract connectTo(to: Peer): { socket: Socket; ready: ReadyEvent };

  async listen(): Promise<ListenAddress> {
    const server = createServer({ noDelay: true }, this.onConnection);
    const bound = await listenServer(server, this.host, this.port, this.env.log, this.name);
    this.server = server;
    return { transport: this.name, host: bound.address, port: bound.port };
  }

  send(data: Buffer, to: Peer): void {
    let conn = to.connectionId !== undefined ? this.byId.get(to.connectionId) : undefined;
    conn ??= this.byEndpoint.get(endpointKey(to.address, to.port));
    conn ??= this.open(to);
    if (conn && !conn.write(data)) this.sendFailed(to, new Error(`${this.name} connection ${conn.id} cannot take the message`));
  }

  async close(): Promise<void> {
    for (const conn of [...this.byId.values()]) conn.destroy(new Error('transport closed'));
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): TransportStats {
    return { ...this.counters, connectionsOpen: this.byId.size };
  }

  /** Open connections, for tests and diagnostics. */
  get connectionCount(): number {
    return this.byId.size;
  }

  delivered(conn: StreamConnection, message: Buffer): void {
    this.counters.messagesIn++;
    try {
      this.onMessage(message, conn.peer);
    } catch (err) {
      this.counters.handlerErrors++;
      this.env.log.warn({ err, transport: this.name, connectionId: conn.id }, 'SIP message handler threw');
    }
  }

  removed(conn: StreamConnection, undelivered: Buffer[], err: Error | undefined): void {
    if (this.byId.get(conn.id) !== conn) return;
    this.byId.delete(conn.id);
    if (this.byEndpoint.get(conn.endpoint) === conn) this.byEndpoint.delete(conn.endpoint);
    this.env.guard.release(conn.capKey);
    for (let i = 0; i < undelivered.length; i++) this.sendFailed(conn.peer, err ?? new Error('connection closed'));
  }

  private readonly onConnection = (raw: Socket): void => {
    raw.on('error', ignore);
    const remote = raw.remoteAddress;
    if (remote === undefined) {
      raw.destroy();
      return;
    }
    const address = normaliseAddress(remote);
    const capKey = this.env.guard.admit(address);
    if (capKey === undefined) {
      // Refused at once, with a reset: no handshake, no buffers, no TIME_WAIT here.
      this.counters.connectionsRefused++;
      raw.resetAndDestroy();
      return;
    }
    this.counters.connectionsAccepted++;
    let socket: Socket;
    try {
      socket = this.wrapAccepted(raw);
    } catch (err) {
      this.env.guard.release(capKey);
      this.env.log.warn({ err, transport: this.name }, 'could not set up an accepted connection');
      raw.destroy();
      return;
    }
    const id = this.newId();
    const port = raw.remotePort ?? 0;
    const peer: Peer = Object.freeze({ transport: this.name, address, port, connectionId: id });
    this.add(new StreamConnection(id, socket, peer, endpointKey(address, port), capKey, this));
  };

  private open(to: Peer): StreamConnection | undefined {
    if (!this.env.guard.admitOutbound()) {
      this.sendFailed(to, new Error('connection limit reached'));
      return undefined;
    }
    let started: { socket: Socket; ready: ReadyEvent };
    try {
      started = this.connectTo(to);
    } catch (err) {
      this.env.guard.release();
      this.sendFailed(to, err instanceof Error ? err : new Error(String(err)));
      return undefined;
    }
    const id = this.newId();
    const address = normaliseAddress(to.address);
    const peer: Peer = Object.freeze({ transport: this.name, address, port: to.port, connectionId: id });
    const conn = new StreamConnection(id, started.socket, peer, endpointKey(address, to.port), undefined, this, started.ready);
    this.add(conn);
    return conn;
  }

  /** The local address outbound connections bind to, when one was configured. */
  protected get localAddress(): string | undefined {
    return this.host === '0.0.0.0' || this.host === '::' ? undefined : this.host;
  }

  private add(conn: StreamConnection): void {
    this.byId.set(conn.id, conn);
    this.byEndpoint.set(conn.endpoint, conn);
  }

  private newId(): string {
    return `${this.name.toLowerCase()}-${this.nextId++}`;
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
