// The native UDP I/O addon of this thread (media/native/udp_io.c, docs/media/native-io.md):
// loaded once per thread (each media worker has its own sockets, epoll set and receive arena),
// or null when it is not built, fails to load, or SWITCHBOARD_MEDIA_NATIVE=0 switches it off;
// the node:dgram transport is then used, after one warning.
//
// Receive: the addon fills slots of an arena shared with us and calls `onBatch(count)` once per
// wakeup; each slot has a record of 4 int32 (handle << 1 | rtcp, length, source port, source
// address text length: 0 when the source is the previous datagram's on that socket).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PacketHandler } from './udp-pair.js';

/** What udp_io.c exports. Sends return 0 or a negative errno. */
export interface NativeUdpAddon {
  init(arena: ArrayBuffer, meta: ArrayBuffer, text: ArrayBuffer, slotSize: number, onBatch: (count: number) => void, resource: object): number;
  open(address: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): number;
  close(handle: number): void;
  send(handle: number, rtcp: number, bytes: Uint8Array, length: number, port: number, address: string): number;
  setPeer(handle: number, port: number, address: string): boolean;
  sendPeer(handle: number, bytes: Uint8Array, length: number): number;
  info(handle?: number): Record<string, number>;
}

/** The receiving side of one handle (a NativePair). */
export interface NativeReceiver {
  onRtp: PacketHandler;
  onRtcp: PacketHandler;
  /** The source of the last datagram per socket (the addon sends the text only when it changes). */
  lastRtpFrom: string;
  lastRtcpFrom: string;
}

/** Datagrams per batch, and the room for one: RTP/RTCP we handle is at most ~2 KB (L16 48 kHz 20 ms + SRTP tag). */
const SLOTS = 512;
const SLOT_BYTES = 2048;
const RECORD_INTS = 4;
const ADDRESS_TEXT = 48;

export class NativeIo {
  readonly addon: NativeUdpAddon;
  /** handle → receiver; undefined once closed (a batch may still hold its datagrams). */
  private readonly receivers: (NativeReceiver | undefined)[] = [];
  private readonly slots: Uint8Array[] = [];
  private readonly meta: Int32Array;
  private readonly text: Uint8Array;
  /** Handler exceptions: the batch goes on, then the first one is rethrown (a bug must not pass unseen). */
  handlerErrors = 0;

  constructor(addon: NativeUdpAddon) {
    this.addon = addon;
    const arena = new ArrayBuffer(SLOTS * SLOT_BYTES);
    const meta = new ArrayBuffer(SLOTS * RECORD_INTS * 4);
    const text = new ArrayBuffer(SLOTS * ADDRESS_TEXT);
    for (let i = 0; i < SLOTS; i++) this.slots.push(new Uint8Array(arena, i * SLOT_BYTES, SLOT_BYTES));
    this.meta = new Int32Array(meta);
    this.text = new Uint8Array(text);
    addon.init(arena, meta, text, SLOT_BYTES, this.onBatch, this);
  }

  attach(handle: number, r: NativeReceiver): void {
    this.receivers[handle] = r;
  }

  detach(handle: number): void {
    this.receivers[handle] = undefined;
  }

  private readonly onBatch = (count: number): void => {
    const meta = this.meta;
    let failure: unknown = null;
    for (let i = 0; i < count; i++) {
      const o = i * RECORD_INTS;
      const key = meta[o]!;
      const r = this.receivers[key >> 1];
      if (r === undefined) continue;
      const rtcp = (key & 1) === 1;
      const textLength = meta[o + 3]!;
      let address: string;
      if (textLength > 0) {
        address = this.address(i * ADDRESS_TEXT, textLength);
        if (rtcp) r.lastRtcpFrom = address;
        else r.lastRtpFrom = address;
      } else {
        address = rtcp ? r.lastRtcpFrom : r.lastRtpFrom;
      }
      try {
        if (rtcp) r.onRtcp(this.slots[i]!, meta[o + 1]!, address, meta[o + 2]!);
        else r.onRtp(this.slots[i]!, meta[o + 1]!, address, meta[o + 2]!);
      } catch (err) {
        this.handlerErrors++;
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
  };

  private address(at: number, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.text[at + i]!);
    return s;
  }
}

let loaded: NativeIo | null | undefined;
const THREAD_IO = Symbol.for('switchboard.nativeUdpIo');

/** Where the built addon is, from the source tree (vitest) or from dist/ (the server). */
function candidates(): string[] {
  const rel = 'native/build/Release/switchboard_udp.node';
  return [new URL(`../${rel}`, import.meta.url), new URL(`../../../media/${rel}`, import.meta.url)].map((u) => fileURLToPath(u));
}

/** This thread's native I/O, loaded on first use; null: use node:dgram. */
export function nativeIo(): NativeIo | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.SWITCHBOARD_MEDIA_NATIVE === '0') return null;
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const path of candidates()) {
    try {
      // The addon is loaded once per thread, whereas this module may be instantiated again (a
      // test runner's fresh module graph): the thread's one NativeIo rides on the addon's exports.
      const addon = require(path) as NativeUdpAddon & { [THREAD_IO]?: NativeIo };
      loaded = addon[THREAD_IO] ??= new NativeIo(addon);
      return loaded;
    } catch (err) {
      errors.push((err as Error).message.split('\n')[0]!);
    }
  }
  process.emitWarning(`native UDP I/O unavailable (build it: npm run build:native); RTP goes through node:dgram. ${errors.join('; ')}`, {
    code: 'SWITCHBOARD_MEDIA_NATIVE',
  });
  return null;
}
