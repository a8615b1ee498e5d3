// SIP over TLS (RFC 3261 §18, §26.3.1): the shared stream transport with TLS on top.
// Accepted sockets pass the admission guard before any handshake work is done, so a
// flood of connections costs no cryptography.
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { connect, createSecureContext, TLSSocket, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { Peer } from './types.js';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';
import type { ReadyEvent } from './stream-connection.js';

export interface TlsTransportOptions extends StreamTransportOptions {
  /** PEM certificate (chain) and private key (see certificate.ts). */
  cert: string | Buffer;
  key: string | Buffer;
  /**
   * For connections we open (trunks): CA bundle, verification... Node verifies the
   * server certificate by default (rejectUnauthorized true).
   */
  client?: Pick<ConnectionOptions, 'ca' | 'rejectUnauthorized' | 'checkServerIdentity' | 'minVersion'>;
  /**
   * The host name to verify an outbound peer's certificate against (and send as SNI).
   * A Peer carries only an address; without a name the certificate must name the IP.
   */
  serverNameFor?: (to: Peer) => string | undefined;
}

export class TlsTransport extends StreamTransport {
  readonly name = 'TLS' as const;
  private readonly context: SecureContext;
  private readonly client: TlsTransportOptions['client'];
  private readonly serverNameFor: TlsTransportOptions['serverNameFor'];

  constructor(opts: TlsTransportOptions) {
    super(opts, 5061);
    this.context = createSecureContext({ cert: opts.cert, key: opts.key, minVersion: 'TLSv1.2' });
    this.client = opts.client;
    this.serverNameFor = opts.serverNameFor;
  }

  protected wrapAccepted(raw: Socket): Socket {
    return new TLSSocket(raw, { isServer: true, secureContext: this.context });
  }

  protected connectTo(to: Peer): { socket: Socket; ready: ReadyEvent } {
    const name = this.serverNameFor?.(to);
    // localAddress reaches the underlying socket.connect(); the typings omit it.
    const options: ConnectionOptions & { localAddress?: string } = {
      minVersion: 'TLSv1.2',
      ...this.client,
      host: to.address,
      port: to.port,
      localAddress: this.localAddress,
      // Node checks the certificate against servername (else host). SNI carries host
      // names only (RFC 6066 §3), so an IP is left to the host check.
      servername: name !== undefined && isIP(name) === 0 ? name : undefined,
    };
    const socket = connect(options);
    socket.setNoDelay(true);
    return { socket, ready: 'secureConnect' };
  }
}
