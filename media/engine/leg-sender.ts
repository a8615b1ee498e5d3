// What one leg sends: the room's mix once per tick, RFC 4733 events in its place while a digit
// goes out, or packets relayed from the other leg of a bridge as they arrive. All of it under the
// leg's one SendStream (SSRC, sequence, timestamp), SRTP-protected when negotiated, to the
// latched source (else the SDP address).
//
//   writeFrame(mix) ─► telephone-event due? ─► event packet ─┐
//                   └► encode ────────────────────────────────┴► SendStream header ─► SRTP ─► socket
//   relay(packet)   ─► header rewritten in place ─────────────────────────────────► SRTP ─► socket
//
// Allocates nothing per packet: 8 packet buffers in rotation (node:dgram may still hold one when
// ticks run back to back after a stall), exact-length views cached per buffer so node:dgram sends
// them without slicing. The buffers are made at the first mixed frame sent (one 16 KB block), the
// SRTP relay buffer at the first SRTP packet relayed: a relayed bridge without SRTP, or a leg that
// never sends, never allocates them.
import type { AudioCodec } from '../codecs/index.js';
import type { Rfc4733Sender } from '../dtmf/rfc4733.js';
import type { FrameSink } from '../room/frame.js';
import type { RtcpSession } from '../rtp/rtcp-session.js';
import type { SrtpSession } from '../rtp/srtp.js';
import type { LegCounters } from './leg-counters.js';
import type { SendStream } from './send-stream.js';
import type { SourceLatch } from './source-latch.js';
import type { RtpTransport } from './udp-pair.js';

const RING = 8;
/** Largest packet we build: header, the biggest payload (L16 at 48 kHz: 1920 bytes), SRTP tag. */
const MAX_PACKET = 12 + 1920 + 64;
const EMPTY = new Uint8Array(0);

export class LegSender implements FrameSink {
  readonly stream: SendStream;
  /** Negotiated, and the direction lets us send. */
  enabled = false;
  /** The relay feeds this leg: the tick's frames are not sent. */
  relaying = false;
  payloadType = 0;
  eventPayloadType = -1;
  encoder: AudioCodec;
  srtp: SrtpSession | null = null;
  dtmf: Rfc4733Sender | null = null;
  rtcp: RtcpSession;

  private readonly transport: RtpTransport;
  private readonly latch: SourceLatch;
  private readonly counters: LegCounters;
  /** Empty until the first mixed frame is sent. */
  private readonly ring: Uint8Array[] = [];
  private readonly payloads: Uint8Array[] = [];
  private readonly views: Uint8Array[] = [];
  private at = 0;
  private relayBuf: Uint8Array | null = null;
  private relayView: Uint8Array = EMPTY;

  constructor(o: { transport: RtpTransport; latch: SourceLatch; counters: LegCounters; encoder: AudioCodec; rtcp: RtcpSession; stream: SendStream }) {
    this.transport = o.transport;
    this.latch = o.latch;
    this.counters = o.counters;
    this.encoder = o.encoder;
    this.rtcp = o.rtcp;
    this.stream = o.stream;
  }

  private allocateRing(): void {
    const block = new ArrayBuffer(RING * MAX_PACKET);
    for (let i = 0; i < RING; i++) {
      const b = new Uint8Array(block, i * MAX_PACKET, MAX_PACKET);
      this.ring.push(b);
      this.payloads.push(b.subarray(12));
      this.views.push(b.subarray(0, 0));
    }
  }

  /** Whether RTP may go out now: enabled and we know where to. */
  canSend(): boolean {
    return this.enabled && this.latch.sendAddress !== null;
  }

  /** FrameSink: this leg's mix, once per tick. */
  writeFrame(frame: Int16Array): void {
    if (this.relaying || !this.canSend()) return;
    if (this.ring.length === 0) this.allocateRing();
    const i = this.at;
    this.at = i + 1 === RING ? 0 : i + 1;
    const buf = this.ring[i]!;
    let payloadBytes: number;
    const ev = this.dtmf !== null ? this.dtmf.next() : null;
    if (ev !== null) {
      this.stream.writeEventHeader(buf, this.eventPayloadType, ev.marker, ev.timestampOffset);
      const p = ev.payload;
      buf[12] = p[0]!;
      buf[13] = p[1]!;
      buf[14] = p[2]!;
      buf[15] = p[3]!;
      payloadBytes = 4;
    } else {
      payloadBytes = this.encoder.encode(frame, this.payloads[i]!);
      this.stream.writeFrameHeader(buf, this.payloadType);
    }
    let length = 12 + payloadBytes;
    if (this.srtp !== null) {
      length = this.srtp.protectRtp(buf, length);
      if (length < 0) return;
    }
    this.rtcp.onRtpSent(this.stream.lastTimestamp, payloadBytes);
    let view = this.views[i]!;
    if (view.length !== length) {
      view = buf.subarray(0, length);
      this.views[i] = view;
    }
    this.put(view, length);
  }

  /** A packet from the other leg of a relayed bridge (header as received; ssrc and ts as int32). */
  relay(buf: Uint8Array, length: number, inSsrc: number, inSeq: number, inTs: number, payloadLength: number): void {
    if (!this.canSend()) return;
    this.stream.rewriteRelayed(buf, this.payloadType, inSsrc, inSeq, inTs);
    let out = buf;
    if (this.srtp !== null) {
      // SRTP needs room for the tag: move to our own buffer.
      let r = this.relayBuf;
      if (r === null) {
        r = new Uint8Array(MAX_PACKET);
        this.relayBuf = r;
      }
      for (let i = 0; i < length; i++) r[i] = buf[i]!;
      length = this.srtp.protectRtp(r, length);
      if (length < 0) return;
      if (this.relayView.length !== length) this.relayView = r.subarray(0, length);
      out = this.relayView;
    }
    this.rtcp.onRtpSent(this.stream.lastTimestamp, payloadLength);
    this.counters.relayedOut++;
    this.put(out, length);
  }

  private put(buf: Uint8Array, length: number): void {
    const address = this.latch.sendAddress;
    if (address === null) return;
    this.counters.packetsOut++;
    this.counters.bytesOut += length;
    this.transport.sendRtp(buf, length, this.latch.sendPort, address);
  }

  /** Queues RFC 4733 digits; false when telephone-event was not negotiated. */
  sendDtmf(digits: string, o: { toneMs?: number; gapMs?: number }): boolean {
    if (this.dtmf === null) return false;
    this.dtmf.enqueue(digits, o);
    this.counters.dtmfSent += digits.length;
    return true;
  }

  /** A digit is queued or going out. */
  get sendingDtmf(): boolean {
    return this.dtmf !== null && (this.dtmf.busy || this.dtmf.queued > 0);
  }
}
