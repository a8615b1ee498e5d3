// The SIP UDP socket through the native addon (sip/transport/native/sip_udp.c,
// docs/sip-native-udp.md): datagrams arrive in batches, one JS call per wakeup, and sends are
// one sendto(2) each with no request object or completion callback. Loaded once per thread;
// null when the addon is not built or SWITCHBOARD_SIP_NATIVE_UDP=0 (node:dgram is used then).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What sip_udp.c exports. send returns 0 or a negative errno. */
interface SipUdpAddon {
  open(address: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): number;
  port(handle: number): number;
  start(handle: number, arena: ArrayBuffer, meta: ArrayBuffer, slots: number, slotSize: number, onBatch: (count: number) => void, resource: object): void;
  send(handle: number, bytes: Uint8Array, length: number, port: number, address: string): number;
  close(handle: number): void;
  stats(handle: number): { received: number; batches: number; sendErrors: number };
}

/** One datagram: its bytes (a copy, the caller's to keep) and where it came from. */
export type NativeDatagramHandler = (data: Buffer, address: string, port: number) => void;

/** Datagrams per batch; a slot holds the largest UDP payload, so nothing is ever cut. */
const SLOTS = 64;
const SLOT_BYTES = 65_536;
const RECORD_INTS = 8;
/** Peer address texts remembered (IPv4, by their 32-bit value): phones come back. */
const MAX_CACHED_ADDRESSES = 4096;

let loaded: SipUdpAddon | null | undefined;

function addonPaths(): string[] {
  const rel = 'native/build/Release/switchboard_sip_udp.node';
  // From dist/sip/transport/ (the built server) or sip/transport/ (sources run directly).
  return [new URL(`../../../sip/transport/${rel}`, import.meta.url), new URL(`./${rel}`, import.meta.url)].map((u) => fileURLToPath(u));
}

/** The addon, or null (not built, not Linux, or switched off); the reason is in `why`. */
export function loadSipUdpAddon(env: NodeJS.ProcessEnv = process.env): { addon: SipUdpAddon | null; why?: string } {
  if (env.SWITCHBOARD_SIP_NATIVE_UDP === '0') return { addon: null, why: 'SWITCHBOARD_SIP_NATIVE_UDP=0' };
  if (loaded !== undefined) return { addon: loaded, ...(loaded ? {} : { why: 'not built' }) };
  const require = createRequire(import.meta.url);
  let why = 'not built';
  for (const path of addonPaths()) {
    try {
      loaded = require(path) as SipUdpAddon;
      return { addon: loaded };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'MODULE_NOT_FOUND') why = e.message;
    }
  }
  loaded = null;
  return { addon: null, why };
}

export class NativeUdpSocket {
  private readonly arena = new ArrayBuffer(SLOTS * SLOT_BYTES);
  private readonly bytes = new Uint8Array(this.arena);
  private readonly metaBuffer = new ArrayBuffer(SLOTS * RECORD_INTS * 4);
  private readonly meta = new Int32Array(this.metaBuffer);
  private readonly v4Text = new Map<number, string>();
  private handle: number;

  private constructor(
    private readonly addon: SipUdpAddon,
    handle: number,
    private readonly onDatagram: NativeDatagramHandler,
  ) {
    this.handle = handle;
  }

  /** Binds address:port (port 0: any) and starts delivering datagrams to `onDatagram`. Throws on bind errors. */
  static open(addon: SipUdpAddon, address: string, port: number, bufferBytes: { receive: number; send: number }, onDatagram: NativeDatagramHandler): NativeUdpSocket {
    const handle = addon.open(address, port, bufferBytes.receive, bufferBytes.send);
    const s = new NativeUdpSocket(addon, handle, onDatagram);
    addon.start(handle, s.arena, s.metaBuffer, SLOTS, SLOT_BYTES, s.onBatch, s);
    return s;
  }

  get port(): number {
    return this.addon.port(this.handle);
  }

  /** 0, or a negative errno (the datagram was not sent). */
  send(data: Uint8Array, port: number, address: string): number {
    if (this.handle < 0) return -9; // EBADF
    return this.addon.send(this.handle, data, data.length, port, address);
  }

  close(): void {
    if (this.handle < 0) return;
    this.addon.close(this.handle);
    this.handle = -1;
  }

  private readonly onBatch = (count: number): void => {
    const meta = this.meta;
    for (let i = 0; i < count && this.handle >= 0; i++) {
      const o = i * RECORD_INTS;
      const length = meta[o]!;
      // A copy: the slot is refilled by the next batch, and the parser keeps the body.
      const data = Buffer.allocUnsafe(length);
      data.set(this.bytes.subarray(i * SLOT_BYTES, i * SLOT_BYTES + length));
      this.onDatagram(data, meta[o + 2] === 4 ? this.ipv4(meta[o + 4]!) : ipv6(meta, o + 4), meta[o + 1]!);
    }
  };

  private ipv4(word: number): string {
    let text = this.v4Text.get(word);
    if (text === undefined) {
      text = `${(word >>> 24) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
      if (this.v4Text.size >= MAX_CACHED_ADDRESSES) this.v4Text.clear();
      this.v4Text.set(word, text);
    }
    return text;
  }
}

/** The RFC 5952 text of an IPv6 address given as four big-endian 32-bit words. */
function ipv6(meta: Int32Array, at: number): string {
  const bytes = new Uint8Array(16);
  for (let w = 0; w < 4; w++) {
    const v = meta[at + w]!;
    bytes[w * 4] = (v >>> 24) & 0xff;
    bytes[w * 4 + 1] = (v >>> 16) & 0xff;
    bytes[w * 4 + 2] = (v >>> 8) & 0xff;
    bytes[w * 4 + 3] = v & 0xff;
  }
  const groups: number[] = [];
  for (let g = 0; g < 8; g++) groups.push((bytes[g * 2]! << 8) | bytes[g * 2 + 1]!);
  // The longest run of two or more zero groups becomes "::" (RFC 5952 §4.2).
  let bestAt = -1;
  let bestLen = 1;
  for (let g = 0; g < 8; ) {
    if (groups[g] !== 0) {
      g++;
      continue;
    }
    let e = g;
    while (e < 8 && groups[e] === 0) e++;
    if (e - g > bestLen) {
      bestAt = g;
      bestLen = e - g;
    }
    g = e;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}
