// SIP over TCP (RFC 3261 §18): the shared stream transport on plain sockets.
import { connect, type Socket } from 'node:net';
import type { Peer } from './types.js';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';
import type { ReadyEvent } from './stream-connection.js';

export type TcpTransportOptions = StreamTransportOptions;

export class TcpTransport extends StreamTransport {
  readonly name = 'TCP' as const;

  constructor(opts: TcpTransportOptions = {}) {
    super(opts, 5060);
  }

  protected wrapAccepted(raw: Socket): Socket {
    return raw;
  }

  protected connectTo(to: Peer): { socket: Socket; ready: ReadyEvent } {
    const socket = connect({ host: to.address, port: to.port, noDelay: true, localAddress: this.localAddress });
    return { socket, ready: 'connect' };
  }
}
