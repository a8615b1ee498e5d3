// Receiving DTMF as RFC 4733 telephone-events: turns the packet stream of each key press (a marker
// packet, updates every 20–50 ms with a growing duration, three copies of the end packet) into one
// digit, whatever was lost, duplicated or reordered on the way.
import { dtmfDigit } from './digits.js';
import { MAX_EVENT_DURATION, TELEPHONE_EVENT_SIZE, durationOf, endOf, eventOf, volumeOf } from './telephone-event.js';

/** One key press, reported once, when it ends. */
export interface ReceivedDigit {
  /** 0-9 * # A-D */
  digit: string;
  /** RFC 4733 event code 0–15. */
  event: number;
  /** RTP timestamp of the start of the event (of its first segment): the event's identity. */
  timestamp: number;
  /** Total length in RTP timestamp units, over all segments, as far as the packets told. */
  duration: number;
  durationMs: number;
  /** Last volume field seen: tone power as -dBm0. */
  volume: number;
  /**
   * True when an end packet (E bit) closed the event; false when its end packets were all lost and
   * the event was closed by the timeout (poll), by the next event, or by flush().
   */
  endSeen: boolean;
}

export interface Rfc4733ReceiverOptions {
  /** Called once per key press, when it ends. */
  onDigit: (digit: ReceivedDigit) => void;
  /** Called when a key press is first seen (for barge-in: stop a prompt at key-down). Optional. */
  onDigitStart?: (digit: string, timestamp: number) => void;
  /** RTP clock rate of the telephone-event payload type (the a=rtpmap rate). Default 8000. */
  clockRate?: number;
  /** An event whose packets stop for this long is closed as ended (its end packets were lost). Default 250. */
  endTimeoutMs?: number;
  /** Monotonic milliseconds. Default performance.now. */
  now?: () => number;
}

/** Signed distance a − b between two 32-bit RTP timestamps (RFC 3550 serial arithmetic). */
function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * A synchronous processor: push() every telephone-event packet of one RTP stream, call poll() on
 * the engine's tick (it closes events whose end packets were lost), flush() when the stream ends.
 *
 * Allocates nothing per packet; one ReceivedDigit object per reported digit.
 */
export class Rfc4733Receiver {
  private readonly onDigit: (digit: ReceivedDigit) => void;
  private readonly onDigitStart: ((digit: string, timestamp: number) => void) | undefined;
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  /** Packets this far (in timestamp units) behind the last closed event are late copies of it. */
  private readonly staleWindow: number;
  /** A new segment may start this far (in units) past where the last seen update said the previous one ended. */
  private readonly segmentSlack: number;
  private readonly now: () => number;

  // The event in progress.
  private active = false;
  private code = 0;
  /** RTP timestamp of the first segment (the reported identity). */
  private firstTs = 0;
  /** RTP timestamp of the current segment. */
  private segmentTs = 0;
  /** Duration of the current segment so far. */
  private segmentDuration = 0;
  /** Sum of the lengths of the segments before the current one. */
  private previousSegments = 0;
  private volume = 0;
  private lastPacketAt = 0;

  // The last closed event, to recognise its redundant end packets and late updates.
  private closed = false;
  private closedSegmentTs = 0;

  private readonly stats = {
    packets: 0,
    digits: 0,
    duplicates: 0,
    stale: 0,
    ignored: 0,
    malformed: 0,
    lostStarts: 0,
    lostEnds: 0,
    segments: 0,
  };

  constructor(o: Rfc4733ReceiverOptions) {
    this.onDigit = o.onDigit;
    this.onDigitStart = o.onDigitStart;
    this.clockRate = o.clockRate ?? 8000;
    this.endTimeoutMs = o.endTimeoutMs ?? 250;
    this.now = o.now ?? (() => performance.now());
    this.staleWindow = this.clockRate; // 1 s: reordering is never that deep; a jump that big is a new source
    this.segmentSlack = Math.ceil((this.endTimeoutMs * this.clockRate) / 1000);
  }

  /** One telephone-event packet: its RTP timestamp, marker bit and payload. Allocates nothing. */
  push(timestamp: number, marker: boolean, payload: Uint8Array): void {
    if (payload.length < TELEPHONE_EVENT_SIZE) {
      this.stats.malformed++;
      return;
    }
    // Several blocks in one packet (§2.5.1.5) carry earlier events as redundancy; the first block
    // is the one the RTP timestamp describes, and it is all common senders put in a packet.
    const code = eventOf(payload);
    const duration = durationOf(payload);
    const end = endOf(payload);
    if (dtmfDigit(code) === null) {
      this.stats.ignored++; // flash-hook, fax and modem tones: not digits
      return;
    }
    // §2.3.5: "The receiver SHOULD ignore an event report with zero duration if the event is not a
    // state." (DTMF is not a state; sipp's captures begin each digit with such a packet.)
    if (duration === 0) {
      this.stats.ignored++;
      return;
    }
    this.stats.packets++;
    const ts = timestamp >>> 0;
    const now = this.now();

    // §2.2.1: "For events that span multiple RTP packets, the RTP timestamp identifies the beginning
    // of the event, i.e., several RTP packets may carry the same timestamp." Same timestamp, same event.
    if (this.active && ts === this.segmentTs) {
      if (duration > this.segmentDuration) this.segmentDuration = duration;
      this.volume = volumeOf(payload);
      this.lastPacketAt = now;
      if (end) this.close(true);
      return;
    }
    if (this.closed) {
      const behind = tsDiff(this.closedSegmentTs, ts);
      if (behind === 0) {
        // §2.5.1.4: "The final packet for each event and for each segment SHOULD be sent a total of
        // three times at the interval used by the source for updates." The 2nd and 3rd land here,
        // as does anything late from an event that a timeout already closed.
        this.stats.duplicates++;
        return;
      }
      if (behind > 0 && behind <= this.staleWindow) {
        this.stats.stale++; // reordered: a packet of an event before the one we closed last
        return;
      }
    }
    if (this.active) {
      const ahead = tsDiff(ts, this.segmentTs);
      if (ahead < 0 && ahead >= -this.staleWindow) {
        this.stats.stale++; // older than the event in progress: reordered
        return;
      }
      if (!marker && code === this.code && this.continuesSegment(ts)) {
        // §2.5.1.3: a long press is split into segments of at most 0xFFFF units, each with its own
        // timestamp; §2.2.2: "only the first segment will have the marker bit set". Still one key press.
        this.previousSegments += tsDiff(ts, this.segmentTs);
        this.segmentTs = ts;
        this.segmentDuration = duration;
        this.volume = volumeOf(payload);
        this.lastPacketAt = now;
        this.stats.segments++;
        if (end) this.close(true);
        return;
      }
      // A new event began before this one's end arrived: its end packets were lost.
      this.stats.lostEnds++;
      this.close(false);
    }
    // §2.2.2: "The RTP marker bit indicates the beginning of a new event." Without it the first
    // packets were lost; the timestamp still identifies the event, so it starts here.
    if (!marker) this.stats.lostStarts++;
    this.active = true;
    this.code = code;
    this.firstTs = ts;
    this.segmentTs = ts;
    this.segmentDuration = duration;
    this.previousSegments = 0;
    this.volume = volumeOf(payload);
    this.lastPacketAt = now;
    this.onDigitStart?.(dtmfDigit(code)!, ts);
    if (end) this.close(true); // only the end packets got through
  }

  /** Closes the event in progress if its packets stopped endTimeoutMs ago. Call on the engine tick. */
  poll(): void {
    if (this.active && this.now() - this.lastPacketAt >= this.endTimeoutMs) {
      this.stats.lostEnds++;
      this.close(false);
    }
  }

  /** Closes and reports the event in progress, if any (the stream ended or the leg is going away). */
  flush(): void {
    if (this.active) {
      this.stats.lostEnds++;
      this.close(false);
    }
  }

  /** Forgets all state (after an SSRC change the timestamps start afresh). Counters are kept. */
  reset(): void {
    this.active = false;
    this.closed = false;
  }

  /** The digit currently held down, or null. */
  get current(): string | null {
    return this.active ? dtmfDigit(this.code) : null;
  }

  toJSON(): Record<string, number | string | null> {
    return { ...this.stats, current: this.current };
  }

  /** A packet with timestamp ts starts the segment that follows the current one. */
  private continuesSegment(ts: number): boolean {
    const offset = tsDiff(ts, this.segmentTs);
    return (
      offset > 0 &&
      offset <= MAX_EVENT_DURATION &&
      offset >= this.segmentDuration &&
      offset - this.segmentDuration <= this.segmentSlack
    );
  }

  private close(endSeen: boolean): void {
    this.active = false;
    this.closed = true;
    this.closedSegmentTs = this.segmentTs;
    this.stats.digits++;
    const duration = this.previousSegments + this.segmentDuration;
    this.onDigit({
      digit: dtmfDigit(this.code)!,
      event: this.code,
      timestamp: this.firstTs,
      duration,
      durationMs: (duration * 1000) / this.clockRate,
      volume: this.volume,
      endSeen,
    });
  }
}
