// The RTP transport on the native UDP I/O addon (native-io.ts, docs/media/native-io.md): the
// addon binds the two sockets, receives in batches into a shared arena and sends from the bytes
// it is given, synchronously, without copying them or allocating.
//
// connectRtp does not connect(2) the socket here: it stores the peer's address in the addon, so
// that sends to it skip parsing the address string; filtering other sources stays the latch's
// job (Endpoint), as it is before the latch anyway.
import type { NativeIo, NativeReceiver, NativeUdpAddon } from './native-io.js';
import { bindFailed, isPortTaken, type PortAllocator } from './port-allocator.js';
import type { PacketHandler, RtpTransport, UdpPairOptions } from './udp-pair.js';

const ignore: PacketHandler = () => {};

export class NativePair implements RtpTransport, NativeReceiver {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  errors = 0;
  onRtp: PacketHandler = ignore;
  onRtcp: PacketHandler = ignore;
  lastRtpFrom = '';
  lastRtcpFrom = '';
  private readonly io: NativeIo;
  private readonly addon: NativeUdpAddon;
  private readonly handle: number;
  private closed = false;
  private peerPort = 0;
  private peerAddress = '';
  private peerSet = false;

  private constructor(io: NativeIo, handle: number, port: number) {
    this.io = io;
    this.addon = io.addon;
    this.handle = handle;
    this.rtpPort = port;
    this.rtcpPort = port + 1;
    io.attach(handle, this);
  }

  /** Binds a pair from the allocator; a pair some other process holds is skipped, up to `attempts` times. */
  static open(io: NativeIo, ports: PortAllocator, o: UdpPairOptions, attempts = 16): NativePair {
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = ports.allocate();
      try {
        const handle = io.addon.open(o.address, port, o.receiveBufferBytes ?? 0, o.sendBufferBytes ?? 0);
        return new NativePair(io, handle, port);
      } catch (err) {
        ports.release(port);
        lastError = err;
        if (!isPortTaken(err)) break;
      }
    }
    throw bindFailed(o.address, lastError);
  }

  listen(onRtp: PacketHandler, onRtcp: PacketHandler): void {
    this.onRtp = onRtp;
    this.onRtcp = onRtcp;
  }

  sendRtp(bytes: Uint8Array, length: number, port: number, address: string): void {
    if (this.closed) return;
    const r =
      this.peerSet && port === this.peerPort && address === this.peerAddress
        ? this.addon.sendPeer(this.handle, bytes, length)
        : this.addon.send(this.handle, 0, bytes, length, port, address);
    // A full socket buffer (EAGAIN) or a peer gone away (ECONNREFUSED) costs this packet only.
    if (r < 0) this.errors++;
  }

  connectRtp(port: number, address: string): void {
    if (this.closed || this.isConnectedTo(port, address)) return;
    this.peerSet = this.addon.setPeer(this.handle, port, address);
    this.peerPort = port;
    this.peerAddress = address;
    if (!this.peerSet) this.errors++;
  }

  disconnectRtp(): void {
    this.peerSet = false;
    this.peerPort = 0;
    this.peerAddress = '';
  }

  isConnectedTo(port: number, address: string): boolean {
    return this.peerSet && port === this.peerPort && address === this.peerAddress;
  }

  get connected(): boolean {
    return this.peerSet;
  }

  sendRtcp(bytes: Uint8Array, length: number, port: number, address: string, mux: boolean): void {
    if (mux) return this.sendRtp(bytes, length, port, address);
    if (this.closed) return;
    if (this.addon.send(this.handle, 1, bytes, length, port, address) < 0) this.errors++;
  }

  /** Datagrams dropped because they did not fit a slot (larger than any RTP packet we handle). */
  get truncated(): number {
    return this.closed ? 0 : (this.addon.info(this.handle).truncated ?? 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.detach(this.handle);
    this.addon.close(this.handle);
  }
}
