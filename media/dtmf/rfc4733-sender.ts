// Sending DTMF as RFC 4733 telephone-events: the packet sequence of each queued digit, one packet
// (or none) per 20 ms engine tick.
//
//   tick      0     1     2     3     4     5     6     7     8     9    10
//   packet    M·160 320   480   640   E·800 E·800 E·800  -     -     -   M·160 (next digit)
//   ts        T0    T0    T0    T0    T0    T0    T0                      T0+1600
//             |<-------- 100 ms tone -------->|<------ 100 ms gap ------>|
//
// (M = marker, E = end bit, numbers = duration field at 8 kHz, 20 ms packets: the defaults.)
import { dtmfEventCode } from './digits.js';
import { MAX_EVENT_DURATION, TELEPHONE_EVENT_SIZE, writeTelephoneEvent } from './telephone-event.js';

export interface Rfc4733SenderOptions {
  /** RTP clock rate of the telephone-event payload type; equal to the audio codec's. Default 8000. */
  clockRate?: number;
  /** The engine's tick / packet interval. Default 20. */
  packetMs?: number;
  /** Default tone length per digit. Default 100. */
  toneMs?: number;
  /** Default silence after each digit, counted from the end of its tone. Default 100. */
  gapMs?: number;
  /** Volume field: tone power as -dBm0 (0–63). Default 10. */
  volume?: number;
  /** Copies of the end packet. Default 3 (§2.5.1.4). */
  endRepeats?: number;
}

/** What next() returns. The object and its payload are reused: read them before the next call. */
export interface TelephoneEventPacket {
  /** 4 bytes: the telephone-event payload. */
  payload: Uint8Array;
  /** RTP marker bit: set on the first packet of each digit. */
  marker: boolean;
  /**
   * Add to this tick's RTP timestamp (the one the tick's audio packet would carry) to get the
   * packet's timestamp: 0 on a digit's first packet, then -(units since the digit began), so that
   * every packet of a digit carries the timestamp of its start. Always ≤ 0.
   */
  timestampOffset: number;
}

/**
 * A processor the engine polls once per tick: next() returns the telephone-event packet to send on
 * this tick, or null (send audio as usual). Digits queue up with enqueue().
 *
 * While `busy` is true the stream is carrying a digit. An engine that also sends the same digit
 * in-band (or relays the caller's audio containing it) should mute that audio meanwhile, or a far
 * end that listens to both may detect the digit twice.
 *
 * Allocates in the constructor and in enqueue(); next() allocates nothing.
 */
export class Rfc4733Sender {
  private readonly samplesPerPacket: number;
  private readonly clockRate: number;
  private readonly packetMs: number;
  private readonly toneMs: number;
  private readonly gapMs: number;
  private readonly volume: number;
  private readonly endRepeats: number;
  private readonly payload = new Uint8Array(TELEPHONE_EVENT_SIZE);
  private readonly packet: TelephoneEventPacket;

  // Queue: parallel arrays with a read index (no per-tick allocation).
  private readonly queueCodes: number[] = [];
  private readonly queueToneUnits: number[] = [];
  private readonly queueGapTicks: number[] = [];
  private head = 0;

  // The digit in progress.
  private playing = false;
  private code = 0;
  /** Tick within the digit (0 = the marker packet). */
  private tick = 0;
  /** Tick carrying the first end packet. */
  private endTick = 0;
  private toneUnits = 0;
  /** Ticks in the digit's whole slot (tone, end repeats, gap). */
  private slotTicks = 0;

  private readonly stats = { digits: 0, packets: 0, cancelled: 0 };

  constructor(o: Rfc4733SenderOptions = {}) {
    this.clockRate = o.clockRate ?? 8000;
    this.packetMs = o.packetMs ?? 20;
    this.toneMs = o.toneMs ?? 100;
    this.gapMs = o.gapMs ?? 100;
    this.volume = o.volume ?? 10;
    this.endRepeats = Math.max(1, o.endRepeats ?? 3);
    if (!(this.volume >= 0 && this.volume <= 63)) throw new RangeError(`volume must be 0..63 (-dBm0), got ${this.volume}`);
    this.samplesPerPacket = Math.round((this.packetMs * this.clockRate) / 1000);
    if (!(this.samplesPerPacket > 0)) throw new RangeError('clockRate and packetMs must be positive');
    this.packet = { payload: this.payload, marker: false, timestampOffset: 0 };
  }

  /**
   * Queues digits (0-9 * # A-D, a-d accepted). Throws RangeError, queueing nothing, for any other
   * character or for a tone longer than one event can carry (0xFFFF units: 8.19 s at 8 kHz).
   */
  enqueue(digits: string, o: { toneMs?: number; gapMs?: number } = {}): void {
    const toneMs = o.toneMs ?? this.toneMs;
    const gapMs = o.gapMs ?? this.gapMs;
    const toneUnits = Math.round((toneMs * this.clockRate) / 1000);
    if (!(toneUnits >= 1 && toneUnits <= MAX_EVENT_DURATION)) {
      throw new RangeError(`DTMF tone of ${toneMs} ms does not fit one telephone-event at ${this.clockRate} Hz`);
    }
    if (!(gapMs >= 0)) throw new RangeError(`DTMF gap must be ≥ 0 ms, got ${gapMs}`);
    const codes: number[] = [];
    for (const ch of digits) {
      const code = dtmfEventCode(ch);
      if (code < 0) throw new RangeError(`not a DTMF digit: ${JSON.stringify(ch)} in ${JSON.stringify(digits)}`);
      codes.push(code);
    }
    const gapTicks = Math.round(gapMs / this.packetMs);
    for (const code of codes) {
      this.queueCodes.push(code);
      this.queueToneUnits.push(toneUnits);
      this.queueGapTicks.push(gapTicks);
    }
  }

  /** The packet for this tick, or null. Call exactly once per tick. Allocates nothing. */
  next(): TelephoneEventPacket | null {
    if (!this.playing && !this.startNext()) return null;
    const t = this.tick++;
    let result: TelephoneEventPacket | null = null;
    if (t < this.endTick + this.endRepeats) {
      const end = t >= this.endTick;
      // §2.3.5: the duration is how long the event "has so far lasted": through the end of this
      // tick's frame while the tone goes on, the whole tone once it has ended.
      const duration = end ? this.toneUnits : (t + 1) * this.samplesPerPacket;
      writeTelephoneEvent(this.payload, this.code, end, this.volume, duration);
      // §2.2.2: "The RTP marker bit indicates the beginning of a new event."
      this.packet.marker = t === 0;
      // §2.2.1: "the RTP timestamp identifies the beginning of the event, i.e., several RTP
      // packets may carry the same timestamp."
      this.packet.timestampOffset = -t * this.samplesPerPacket;
      this.stats.packets++;
      result = this.packet;
    }
    if (this.tick >= this.slotTicks) this.playing = false;
    return result;
  }

  /**
   * Drops the queued digits. A digit whose tone is playing is cut short: its end packets go out on
   * the next ticks, with the duration reached so far, so the far end never sees a stuck key.
   */
  cancel(): void {
    this.stats.cancelled += this.queueCodes.length - this.head;
    this.clearQueue();
    if (this.playing && this.tick < this.endTick) {
      this.endTick = this.tick;
      this.toneUnits = Math.max(1, this.tick * this.samplesPerPacket);
      this.slotTicks = this.endTick + this.endRepeats;
    }
  }

  /** True while a digit is playing (tone, end packets or gap) or queued. */
  get busy(): boolean {
    return this.playing || this.head < this.queueCodes.length;
  }

  /** Digits waiting behind the one in progress. */
  get queued(): number {
    return this.queueCodes.length - this.head;
  }

  toJSON(): Record<string, number | boolean> {
    return { ...this.stats, queued: this.queued, busy: this.busy };
  }

  private startNext(): boolean {
    if (this.head >= this.queueCodes.length) return false;
    const i = this.head++;
    this.code = this.queueCodes[i]!;
    this.toneUnits = this.queueToneUnits[i]!;
    const gapTicks = this.queueGapTicks[i]!;
    if (this.head === this.queueCodes.length) this.clearQueue();
    const toneTicks = Math.max(1, Math.ceil(this.toneUnits / this.samplesPerPacket));
    this.endTick = toneTicks - 1;
    // The end repeats go out even when the gap is shorter than they are.
    this.slotTicks = Math.max(toneTicks + gapTicks, this.endTick + this.endRepeats);
    this.tick = 0;
    this.playing = true;
    this.stats.digits++;
    return true;
  }

  private clearQueue(): void {
    this.queueCodes.length = 0;
    this.queueToneUnits.length = 0;
    this.queueGapTicks.length = 0;
    this.head = 0;
  }
}
