// SIP over UDP (RFC 3261 §18): one datagram is one message. Bytes go up as they
// came; the parser above cuts a body longer than Content-Length (§18.3). Keep-alives
// stop here: STUN Binding requests (RFC 5626 §4.4.2) are answered, and the bare-CRLF
// datagrams many phones send to hold their NAT binding open are dropped.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import type { ListenAddress, Peer, SipTransport } from './types.js';
import { normaliseAddress } from './peer-address.js';
import { bindingResponse, canMapAddress, isBindingRequest, isStun } from './stun-binding.js';
import { silentLog, type TransportLog } from './transport-env.js';
import { emptyStats, type ObservableTransport, type TransportStats } from './transport-stats.js';
import { loadSipUdpAddon, NativeUdpSocket } from './native-udp.js';

export interface UdpTransportOptions {
  /** Default 0.0.0.0; an IPv6 address (or ::) opens a dual-stack udp6 socket. */
  host?: string;
  port?: number;
  /**
   * Kernel socket buffers. The registrar benchmark moves ~25k datagrams/s each way;
   * the default (~200 KiB) overflows in bursts. Capped by net.core.rmem_max/wmem_max.
   */
  recvBufferBytes?: number;
  sendBufferBytes?: number;
  log?: TransportLog;
  /**
   * Use the native batched I/O when it is built (default true; SWITCHBOARD_SIP_NATIVE_UDP=0
   * also switches it off). node:dgram otherwise.
   */
  native?: boolean;
}

const BUFFER_BYTES = 4 * 1024 * 1024;
const ignore = (): void => undefined;

/** Send errors carry the destination (Node's ExceptionWithHostPort). */
interface AddressedError extends Error {
  address?: string;
  port?: number;
}

export class UdpTransport implements SipTransport, ObservableTransport {
  readonly name = 'UDP' as const;
  readonly reliable = false;
  onMessage: (data: Buffer, source: Peer) => void = ignore;
  onSendError: (to: Peer, err: Error) => void = ignore;

  private readonly counters = emptyStats();
  private socket: Socket | undefined;
  private nativeSocket: NativeUdpSocket | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly log: TransportLog;

  constructor(private readonly opts: UdpTransportOptions = {}) {
    this.host = opts.host ?? '0.0.0.0';
    this.port = opts.port ?? 5060;
    this.log = opts.log ?? silentLog;
  }

  /** Whether datagrams go through the native addon (false: node:dgram). */
  get native(): boolean {
    return this.nativeSocket !== undefined;
  }

  async listen(): Promise<ListenAddress> {
    if (this.opts.native !== false) {
      const { addon, why } = loadSipUdpAddon();
      if (addon) {
        const buffers = { receive: this.opts.recvBufferBytes ?? BUFFER_BYTES, send: this.opts.sendBufferBytes ?? BUFFER_BYTES };
        this.nativeSocket = NativeUdpSocket.open(addon, this.host, this.port, buffers, (data, address, port) => this.onDatagram(data, address, port));
        return { transport: 'UDP', host: this.host, port: this.nativeSocket.port };
      }
      // Worth a line in the log: the dgram path costs noticeably more CPU per message.
      if (why !== 'SWITCHBOARD_SIP_NATIVE_UDP=0') this.log.warn({ why }, 'SIP UDP uses node:dgram: the native I/O addon is not built');
    }
    // Destinations are always IP addresses here (the layers above resolve names), so the
    // lookup answers at once instead of through dns.lookup's deferred callback: one
    // tick and one async-hooks scope less per datagram sent.
    const socket = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4', lookup: ipLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.host, port: this.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.setBuffers(socket);
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.onDatagram(data, normaliseAddress(rinfo.address), rinfo.port));
    // ICMP errors and the like: never let them crash the process.
    socket.on('error', (err) => this.log.warn({ err, transport: 'UDP' }, 'SIP UDP socket error'));
    this.socket = socket;
    const bound = socket.address();
    return { transport: 'UDP', host: bound.address, port: bound.port };
  }

  send(data: Buffer, to: Peer): void {
    if (this.sendRaw(data, to)) this.counters.messagesOut++;
  }

  /** Puts a datagram on the wire (a SIP message or a STUN answer); false when it could not. */
  private sendRaw(data: Buffer, to: Peer): boolean {
    const native = this.nativeSocket;
    if (native) {
      const rc = native.send(data, to.port, to.address);
      if (rc !== 0) this.sendFailed(to, new Error(`sendto failed (errno ${-rc})`));
      return rc === 0;
    }
    const socket = this.socket;
    if (!socket) {
      this.sendFailed(to, new Error('UDP transport is not listening'));
      return false;
    }
    try {
      // One shared callback: the error itself names the destination.
      socket.send(data, to.port, to.address, this.afterSend);
      return true;
    } catch (err) {
      this.sendFailed(to, err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  async close(): Promise<void> {
    this.nativeSocket?.close();
    this.nativeSocket = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  private setBuffers(socket: Socket): void {
    try {
      socket.setRecvBufferSize(this.opts.recvBufferBytes ?? BUFFER_BYTES);
      socket.setSendBufferSize(this.opts.sendBufferBytes ?? BUFFER_BYTES);
    } catch (err) {
      this.log.warn({ err }, 'could not enlarge the UDP socket buffers');
    }
  }

  /** One datagram from `address` (normalised: IPv4 as dotted quad) and `port`. */
  private onDatagram(data: Buffer, address: string, port: number): void {
    this.counters.bytesIn += data.length;
    if (isKeepAlive(data)) {
      this.counters.keepAlives++;
      return;
    }
    // A SIP message starts with a letter, a STUN message with two zero bits.
    if (data[0]! < 0x40 && isStun(data)) {
      this.counters.keepAlives++;
      if (isBindingRequest(data) && canMapAddress(address)) this.sendRaw(bindingResponse(data, address, port), { transport: 'UDP', address, port });
      return;
    }
    this.counters.messagesIn++;
    try {
      this.onMessage(data, { transport: 'UDP', address, port });
    } catch (err) {
      this.counters.handlerErrors++;
      this.log.warn({ err, transport: 'UDP' }, 'SIP message handler threw');
    }
  }

  private readonly afterSend = (err: Error | null): void => {
    if (!err) return;
    const e = err as AddressedError;
    this.sendFailed({ transport: 'UDP', address: e.address ?? '', port: e.port ?? 0 }, err);
  };

  private sendFailed(to: Peer, err: Error): void {
    this.counters.sendErrors++;
    try {
      this.onSendError(to, err);
    } catch (e) {
      this.counters.handlerErrors++;
      this.log.warn({ err: e, transport: 'UDP' }, 'SIP send-error handler threw');
    }
  }
}

/** A datagram of nothing but CR, LF and spaces (empty keep-alives; some phones send "\r\n\r\n"). */
function isKeepAlive(data: Buffer): boolean {
  if (data.length > 8) return false;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== 0x0d && c !== 0x0a && c !== 0x20) return false;
  }
  return true;
}

/** dgram's lookup: IP literals answered synchronously, names through DNS. */
function ipLookup(
  address: string,
  family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const kind = isIP(address);
  if (kind !== 0) return callback(null, address, kind);
  dnsLookup(address, family as number, callback);
}
