// The RTP transport on node:dgram: the fallback when the native UDP I/O addon is not built or is
// switched off (SWITCHBOARD_MEDIA_NATIVE=0; docs/media/native-io.md). One JS callback, one Buffer
// and one RemoteInfo per datagram received, one uv_udp_send per datagram sent.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { bindFailed, isPortTaken, type PortAllocator } from './port-allocator.js';
import type { PacketHandler, RtpTransport, UdpPairOptions } from './udp-pair.js';

function bindSocket(type: 'udp4' | 'udp6', port: number, address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, reuseAddr: false });
    const onError = (err: Error): void => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ port, address, exclusive: true }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

export class DgramPair implements RtpTransport {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  errors = 0;
  private readonly rtp: Socket;
  private readonly rtcp: Socket;
  private closed = false;
  /** Where connect() was asked to go, and whether it completed. */
  private peerPort = 0;
  private peerAddress = '';
  private connectDone = false;
  private connecting = false;

  private constructor(rtp: Socket, rtcp: Socket, port: number) {
    this.rtp = rtp;
    this.rtcp = rtcp;
    this.rtpPort = port;
    this.rtcpPort = port + 1;
    // An unhandled 'error' would kill the worker: count and carry on (a peer gone away is not our failure).
    const onError = (): void => {
      this.errors++;
    };
    rtp.on('error', onError);
    rtcp.on('error', onError);
  }

  /**
   * Binds a pair from the allocator. A pair some other process holds is skipped (released to the
   * back of the queue) and the next one tried, up to `attempts` times.
   */
  static async open(ports: PortAllocator, o: UdpPairOptions, attempts = 16): Promise<DgramPair> {
    const type = isIPv6(o.address) ? 'udp6' : 'udp4';
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = ports.allocate();
      let rtp: Socket | null = null;
      try {
        rtp = await bindSocket(type, port, o.address);
        const rtcp = await bindSocket(type, port + 1, o.address);
        const pair = new DgramPair(rtp, rtcp, port);
        pair.tune(o);
        return pair;
      } catch (err) {
        rtp?.close();
        ports.release(port);
        lastError = err;
        if (!isPortTaken(err)) break;
      }
    }
    throw bindFailed(o.address, lastError);
  }

  private tune(o: UdpPairOptions): void {
    try {
      if (o.receiveBufferBytes) this.rtp.setRecvBufferSize(o.receiveBufferBytes);
      if (o.sendBufferBytes) this.rtp.setSendBufferSize(o.sendBufferBytes);
    } catch {
      // The OS caps these (net.core.rmem_max); the defaults still work.
    }
  }

  listen(onRtp: PacketHandler, onRtcp: PacketHandler): void {
    // node:dgram allocates the Buffer and the RemoteInfo per datagram (unavoidable here).
    this.rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => onRtp(msg, msg.length, rinfo.address, rinfo.port));
    this.rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => onRtcp(msg, msg.length, rinfo.address, rinfo.port));
  }

  sendRtp(bytes: Uint8Array, length: number, port: number, address: string): void {
    // node:dgram allocates per send (a send request, a list of buffers, a closure); there is no
    // sendmmsg. Connected, the send is synchronous (uv_udp_try_send) and skips dns.lookup's
    // process.nextTick round.
    if (this.connectDone) {
      if (port === this.peerPort && address === this.peerAddress) {
        if (bytes.length === length) this.rtp.send(bytes);
        else this.rtp.send(bytes, 0, length);
      }
      // A connected socket cannot send elsewhere; the endpoint disconnects before it would.
      return;
    }
    // node:dgram throws on a port it cannot send to; a bad peer must cost one packet, never
    // the worker and every call on it.
    if (port <= 0 || port > 65535) {
      this.errors++;
      return;
    }
    try {
      if (bytes.length === length) this.rtp.send(bytes, port, address);
      else this.rtp.send(bytes, 0, length, port, address);
    } catch {
      this.errors++;
    }
  }

  connectRtp(port: number, address: string): void {
    if (this.closed || this.connecting) return; // one at a time: the next packet asks again
    if (this.connectDone) {
      if (port === this.peerPort && address === this.peerAddress) return;
      this.disconnectRtp();
    }
    this.peerPort = port;
    this.peerAddress = address;
    this.connecting = true;
    try {
      this.rtp.connect(port, address, () => {
        this.connecting = false;
        if (this.closed) return;
        if (port !== this.peerPort || address !== this.peerAddress) {
          // Undone (or the peer moved) while the connect was in flight.
          this.quietDisconnect();
          return;
        }
        this.connectDone = true;
      });
    } catch {
      this.connecting = false;
      this.errors++;
    }
  }

  disconnectRtp(): void {
    // An in-flight connect keeps `connecting`; its callback sees the target cleared and undoes it.
    if (this.connectDone) {
      this.connectDone = false;
      this.quietDisconnect();
    }
    this.peerPort = 0;
    this.peerAddress = '';
  }

  private quietDisconnect(): void {
    if (this.closed) return;
    try {
      this.rtp.disconnect();
    } catch {
      this.errors++;
    }
  }

  isConnectedTo(port: number, address: string): boolean {
    return (this.connecting || this.connectDone) && port === this.peerPort && address === this.peerAddress;
  }

  get connected(): boolean {
    return this.connectDone;
  }

  sendRtcp(bytes: Uint8Array, length: number, port: number, address: string, mux: boolean): void {
    if (mux) return this.sendRtp(bytes, length, port, address);
    if (port <= 0 || port > 65535) {
      this.errors++;
      return;
    }
    try {
      this.rtcp.send(bytes, 0, length, port, address);
    } catch {
      this.errors++;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rtp.close();
    this.rtcp.close();
  }
}
