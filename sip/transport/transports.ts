// Builds the configured set of transports in one call, so the composition root wires
// SIP networking with one object: listen, close, route a send by transport name, and
// read every transport's counters.
import type { ListenAddress, Peer, SipTransport, TransportName } from './types.js';
import type { ConnectionLimits } from './connection-limits.js';
import { connectionLimits } from './connection-limits.js';
import { ConnectionGuard } from './connection-guard.js';
import { transportEnv, type TransportEnvOptions } from './transport-env.js';
import type { ObservableTransport, TransportStats } from './transport-stats.js';
import { UdpTransport } from './udp-transport.js';
import { TcpTransport } from './tcp-transport.js';
import { TlsTransport, type TlsTransportOptions } from './tls-transport.js';
import { WsTransport } from './ws-transport.js';

export interface TransportsOptions extends Omit<TransportEnvOptions, 'limits' | 'guard'> {
  /** Listen address for every transport. Default 0.0.0.0. */
  host?: string;
  /** UDP port; omit (or null) for no UDP. 0 binds an ephemeral port. */
  udpPort?: number | null;
  /** TCP port; defaults to the UDP port (§18: the same port for both); null for no TCP. */
  tcpPort?: number | null;
  /** TLS port (needs `tls`); omit for no TLS. */
  tlsPort?: number | null;
  /** WebSocket port; omit for no WS. */
  wsPort?: number | null;
  /** Secure WebSocket port (needs `tls`); omit for no WSS. */
  wssPort?: number | null;
  /** Certificate and key for TLS and WSS (see ensureCertificate). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Outbound TLS verification (trunks); see TlsTransportOptions. */
  tlsClient?: TlsTransportOptions['client'];
  serverNameFor?: TlsTransportOptions['serverNameFor'];
  limits?: Partial<ConnectionLimits>;
  /** Kernel buffer size of the UDP socket. Default 4 MiB. */
  udpBufferBytes?: number;
}

export type AnyTransport = SipTransport & ObservableTransport;

export class TransportSet {
  private readonly byName = new Map<TransportName, AnyTransport>();
  onSendError: (to: Peer, err: Error) => void = () => undefined;

  constructor(readonly all: readonly AnyTransport[]) {
    for (const t of all) this.byName.set(t.name, t);
  }

  get(name: TransportName): AnyTransport | undefined {
    return this.byName.get(name);
  }

  /** Sets the message handler of every transport. */
  setMessageHandler(handler: (data: Buffer, source: Peer) => void): void {
    for (const t of this.all) t.onMessage = handler;
  }

  /** Sets the send-error handler of every transport (and of sends to a transport we lack). */
  setSendErrorHandler(handler: (to: Peer, err: Error) => void): void {
    this.onSendError = handler;
    for (const t of this.all) t.onSendError = handler;
  }

  /** Stream transports need no retransmissions (§17.1.1.2, §17.1.2.2). */
  isReliable(transport: string): boolean {
    return this.byName.get(transport.toUpperCase() as TransportName)?.reliable ?? false;
  }

  /** Sends on the transport the peer names (Peer.transport, any case). */
  send(data: Buffer, to: Peer): void {
    const t = this.byName.get(to.transport as TransportName) ?? this.byName.get(to.transport.toUpperCase() as TransportName);
    if (t) t.send(data, to);
    else this.onSendError(to, new Error(`no ${to.transport} transport is configured`));
  }

  /** Starts every transport; if one cannot listen, the others are closed again. */
  async listen(): Promise<ListenAddress[]> {
    const results = await Promise.allSettled(this.all.map((t) => t.listen()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason;
    }
    return results.map((r) => (r as PromiseFulfilledResult<ListenAddress>).value);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all.map((t) => t.close()));
  }

  /** Counters per transport. */
  stats(): Partial<Record<TransportName, TransportStats>> {
    const out: Partial<Record<TransportName, TransportStats>> = {};
    for (const t of this.all) out[t.name] = t.stats();
    return out;
  }
}

export function createTransports(opts: TransportsOptions): TransportSet {
  const limits = connectionLimits(opts.limits);
  // One guard for all connection-oriented transports: the caps are per process.
  const env = transportEnv({ ...opts, limits, guard: new ConnectionGuard(limits) });
  const host = opts.host ?? '0.0.0.0';
  const common = { ...env, host, limits };
  const list: AnyTransport[] = [];
  const given = (p: number | null | undefined): p is number => typeof p === 'number';

  if (given(opts.udpPort)) {
    list.push(
      new UdpTransport({ host, port: opts.udpPort, log: env.log, recvBufferBytes: opts.udpBufferBytes, sendBufferBytes: opts.udpBufferBytes }),
    );
  }
  const tcpPort = opts.tcpPort === undefined ? opts.udpPort : opts.tcpPort;
  if (given(tcpPort)) list.push(new TcpTransport({ ...common, port: tcpPort }));
  const needsTls = given(opts.tlsPort) || given(opts.wssPort);
  if (needsTls && !opts.tls) throw new Error('TLS and WSS need a certificate and key (tls)');
  if (given(opts.tlsPort)) {
    list.push(new TlsTransport({ ...common, port: opts.tlsPort, cert: opts.tls!.cert, key: opts.tls!.key, client: opts.tlsClient, serverNameFor: opts.serverNameFor }));
  }
  if (given(opts.wsPort)) list.push(new WsTransport({ ...common, port: opts.wsPort }));
  if (given(opts.wssPort)) list.push(new WsTransport({ ...common, port: opts.wssPort, tls: opts.tls }));
  return new TransportSet(list);
}
