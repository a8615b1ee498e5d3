// The RTP stream one endpoint sends: one SSRC for the life of the endpoint, and sequence numbers
// and timestamps the far end can follow whatever feeds it — mixed frames on the tick, telephone-
// events, packets relayed from the other leg as they arrive, pauses while the SDP direction
// forbids sending.
//
// RFC 3550 §5.1: "The sequence number increments by one for each RTP data packet sent", and the
// timestamp "MUST be derived from a clock that increments monotonically and linearly in time".
// So the sequence number moves per packet *sent* (a pause is not a loss), and the timestamp moves
// with the tick count (a pause of k ticks moves it k frames).
//
// Relayed packets keep their spacing: out = in + offset, for sequence numbers and timestamps, so
// the far end sees the upstream loss and reordering as they are. The offsets are chosen again
// ("rebase") on the first relayed packet, and when the upstream source changes (new SSRC, or a
// sequence/timestamp jump: the peer restarted), so that the stream continues from the last packet
// sent: seq + 1, ts + the ticks elapsed. The first packet after a rebase has the marker bit set
// (RFC 3551 §4.1: the marker flags "the first packet in a talkspurt", where a receiver re-times
// its playout).
//
// The room's per-participant OutputClock stamps one packet per tick; this stream is the engine's
// equivalent on the wire, because the relay path sends between ticks and a forbidden direction
// sends nothing at all.
//
// Allocates nothing per packet. Sequence numbers and timestamps are kept as int32 so V8 never boxes them.
import { randomInt } from 'node:crypto';

/** RFC 3550 A.1: a step back beyond MAX_MISORDER or forward beyond MAX_DROPOUT is a restarted source. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export interface SendStreamOptions {
  /** RTP timestamp units per 20 ms tick (160 for G.711 and G.722, 960 for Opus). */
  unitsPerTick: number;
  /** Uniform integers in [0, 2^32) for the SSRC and the initial sequence number and timestamp. */
  random?: () => number;
}

export class SendStream {
  readonly ssrc: number;
  private readonly ssrcI32: number;
  private unitsPerTick: number;
  /** Ticks since creation; tick() is called on every engine tick, sending or not. */
  private tickNow = 0;
  /** The last sequence number sent (int, 0..65535). */
  private seq: number;
  /** The timestamp time of the last packet sent (int32): a tick's time for an event packet. */
  private ts: number;
  private sentTick = -1;
  private sentAny = false;
  // Relay state: the upstream source the offsets belong to.
  private relaySsrc = 0;
  private relayActive = false;
  private relayLastSeq = 0;
  private relayLastTs = 0;
  private seqOffset = 0;
  private tsOffset = 0;

  packets = 0;
  rebases = 0;
  /** Timestamp of the packet last written (what went out on the wire), unsigned. */
  lastTimestamp = 0;
  lastSequence = 0;

  constructor(o: SendStreamOptions) {
    const random = o.random ?? (() => randomInt(0, 0x1_0000_0000));
    this.unitsPerTick = o.unitsPerTick;
    this.ssrc = random() >>> 0;
    this.ssrcI32 = this.ssrc | 0;
    // RFC 3550 §5.1: the initial sequence number and timestamp "SHOULD be random (unpredictable)".
    this.seq = (random() - 1) & 0xffff;
    this.ts = random() | 0;
  }

  /** A re-INVITE changed the codec's clock (G.711 → Opus): later ticks move the timestamp by the new amount. */
  setUnitsPerTick(units: number): void {
    this.unitsPerTick = units;
  }

  /** Once per engine tick, before anything is sent on it. */
  tick(): void {
    this.tickNow++;
  }

  /** The timestamp a packet carrying this tick's audio gets (int32): continuity from the last one sent. */
  private tickTimestamp(): number {
    if (!this.sentAny) return this.ts;
    const elapsed = this.tickNow - this.sentTick;
    return (this.ts + this.unitsPerTick * (elapsed > 1 ? elapsed : 1)) | 0;
  }

  /**
   * Writes the 12-byte header of this tick's audio packet at packet[0..11]. The marker is set on
   * the first packet of the stream and after a pause (a tick without a packet).
   */
  writeFrameHeader(packet: Uint8Array, payloadType: number): void {
    const marker = !this.sentAny || this.tickNow - this.sentTick > 1;
    const ts = this.tickTimestamp();
    this.relayActive = false;
    this.commit(ts);
    this.write(packet, 0x80, payloadType, marker, this.seq, ts);
  }

  /**
   * Writes the header of a telephone-event packet sent on this tick instead of audio (RFC 4733
   * §2.3.1: all packets of an event carry the timestamp of its start): `timestampOffset` is the
   * Rfc4733Sender's (≤ 0, from this tick's timestamp).
   */
  writeEventHeader(packet: Uint8Array, payloadType: number, marker: boolean, timestampOffset: number): void {
    const ts = this.tickTimestamp();
    this.relayActive = false;
    this.commit(ts);
    this.write(packet, 0x80, payloadType, marker, this.seq, (ts + timestampOffset) | 0);
  }

  /**
   * Rewrites, in place, the header of a packet relayed from the other leg: payload type, sequence
   * number, timestamp and SSRC; the marker is kept, and set after a rebase. `inSeq`, `inTs` and
   * `inSsrc` are the upstream header's (pass ts and ssrc as int32).
   */
  rewriteRelayed(packet: Uint8Array, payloadType: number, inSsrc: number, inSeq: number, inTs: number): void {
    let marker = (packet[1]! & 0x80) !== 0;
    if (!this.relayActive || inSsrc !== this.relaySsrc || this.jumped(inSeq, inTs)) {
      const ts = this.tickTimestamp();
      this.seqOffset = (this.seq + 1 - inSeq) & 0xffff;
      this.tsOffset = (ts - inTs) | 0;
      this.relayActive = true;
      this.relaySsrc = inSsrc;
      this.rebases++;
      marker = true;
    }
    const seq = (inSeq + this.seqOffset) & 0xffff;
    const ts = (inTs + this.tsOffset) | 0;
    // Only a packet ahead of the last one moves the stream on; a reordered one goes out in its place.
    const d = (((seq - this.seq) & 0xffff) << 16) >> 16;
    if (d > 0) {
      this.seq = seq;
      this.ts = ts;
      this.sentTick = this.tickNow;
      this.sentAny = true;
      this.relayLastSeq = inSeq;
      this.relayLastTs = inTs;
    }
    this.packets++;
    // Keep the upstream first byte's padding, extension and CSRC count: those bytes travel unchanged.
    this.write(packet, (packet[0]! & 0x3f) | 0x80, payloadType, marker, seq, ts);
  }

  /** Whether the upstream stream restarted without changing SSRC (RFC 3550 A.1 limits, or a timestamp leap). */
  private jumped(inSeq: number, inTs: number): boolean {
    const ds = (((inSeq - this.relayLastSeq) & 0xffff) << 16) >> 16;
    if (ds > MAX_DROPOUT || ds < -MAX_MISORDER) return true;
    // The timestamp should move with the sequence number; more than 10 s off (either way) is a new timeline.
    const dt = (inTs - this.relayLastTs) | 0;
    const expected = ds * this.unitsPerTick;
    const off = dt - expected;
    return off > this.unitsPerTick * 500 || off < -this.unitsPerTick * 500;
  }

  private commit(ts: number): void {
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = ts;
    this.sentTick = this.tickNow;
    this.sentAny = true;
    this.packets++;
  }

  private write(p: Uint8Array, firstByte: number, payloadType: number, marker: boolean, seq: number, ts: number): void {
    const ssrc = this.ssrcI32;
    p[0] = firstByte;
    p[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    p[2] = seq >>> 8;
    p[3] = seq & 0xff;
    p[4] = (ts >>> 24) & 0xff;
    p[5] = (ts >>> 16) & 0xff;
    p[6] = (ts >>> 8) & 0xff;
    p[7] = ts & 0xff;
    p[8] = (ssrc >>> 24) & 0xff;
    p[9] = (ssrc >>> 16) & 0xff;
    p[10] = (ssrc >>> 8) & 0xff;
    p[11] = ssrc & 0xff;
    this.lastSequence = seq;
    this.lastTimestamp = ts >>> 0;
  }

  toJSON(): { ssrc: number; packets: number; rebases: number; sequence: number; timestamp: number } {
    return { ssrc: this.ssrc, packets: this.packets, rebases: this.rebases, sequence: this.lastSequence, timestamp: this.lastTimestamp };
  }
}
