// The two UDP sockets of one RTP leg: RTP on an even port, RTCP on the next (RFC 3550 §11). Both
// are bound even when rtcp-mux is negotiated, so a re-INVITE that drops rtcp-mux still has its
// RTCP port, and the port after ours is never handed to another leg.
//
// Endpoint sees only the narrow `RtpTransport` below (unit tests can pass a fake one). Two
// implementations: NativePair (native-pair.ts: the native UDP I/O addon, batched receives, no
// per-packet allocation; the default when built) and DgramPair (dgram-pair.ts: node:dgram, the
// fallback). `UdpPair.open` picks one; docs/media/native-io.md.
import { DgramPair } from './dgram-pair.js';
import { nativeIo } from './native-io.js';
import { NativePair } from './native-pair.js';
import type { PortAllocator } from './port-allocator.js';

/**
 * One datagram: bytes[0..length) from address:port. The bytes are the handler's to change (SRTP
 * decrypts and the relay rewrites in place) but only until it returns: the native transport
 * reuses the memory for the next batch.
 */
export type PacketHandler = (bytes: Uint8Array, length: number, address: string, port: number) => void;

export interface RtpTransport {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  /**
   * Sends bytes[0..length) from the RTP socket. Pass a buffer of exactly `length` bytes when you
   * can: node:dgram then sends it as it is, without making a slice of it.
   */
  sendRtp(bytes: Uint8Array, length: number, port: number, address: string): void;
  /**
   * Ties the RTP socket to the latched peer: sends to it skip the address lookup (and with
   * node:dgram, connect(2) makes the kernel deliver only its datagrams). Idempotent; node:dgram's
   * is asynchronous (sends keep their address until it completes).
   */
  connectRtp(port: number, address: string): void;
  /** Undoes connectRtp: datagrams from anyone reach us again (to let another source latch). */
  disconnectRtp(): void;
  /** Whether the RTP socket is connected (or connecting) to port/address. */
  isConnectedTo(port: number, address: string): boolean;
  readonly connected: boolean;
  /** Sends bytes[0..length) from the RTCP socket (or the RTP socket with rtcp-mux). */
  sendRtcp(bytes: Uint8Array, length: number, port: number, address: string, mux: boolean): void;
  listen(onRtp: PacketHandler, onRtcp: PacketHandler): void;
  close(): void;
  /** Send errors seen (ICMP unreachable surfaces as ECONNREFUSED on a later send or receive). */
  readonly errors: number;
}

export interface UdpPairOptions {
  /** Address to bind (a local address, or 0.0.0.0). */
  address: string;
  /** Socket buffer sizes, bytes; default: the OS's. */
  receiveBufferBytes?: number;
  sendBufferBytes?: number;
}

export const UdpPair = {
  /**
   * Binds a pair from the allocator, on the native I/O layer when it is loaded in this thread,
   * else on node:dgram. A pair some other process holds is skipped (released to the back of the
   * queue) and the next one tried, up to `attempts` times.
   */
  open(ports: PortAllocator, o: UdpPairOptions, attempts = 16): Promise<RtpTransport> {
    const io = nativeIo();
    if (io !== null) return Promise.resolve(NativePair.open(io, ports, o, attempts));
    return DgramPair.open(ports, o, attempts);
  },
};
