// The RFC 4733 telephone-event payload ("named events"), one 4-byte block:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     event     |E|R| volume    |          duration             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   event     0–255; DTMF is 0–15 (digits.ts)
//   E         end of the event
//   R         reserved
//   volume    tone power as -dBm0, 0–63 (larger is quieter)
//   duration  16 bits, network order, in RTP timestamp units since the packet's RTP timestamp
//
// These readers take the payload bytes in place (no copy, no object) so the receiver's per-packet
// path allocates nothing; parseTelephoneEvent() is the convenient, allocating form.

/** Bytes in one event block. */
export const TELEPHONE_EVENT_SIZE = 4;
/** Largest duration one block can carry; longer events are split into segments (§2.5.1.3). */
export const MAX_EVENT_DURATION = 0xffff;

export interface TelephoneEvent {
  event: number;
  /** E bit. */
  end: boolean;
  /** 0–63, the tone level as -dBm0. */
  volume: number;
  /** In RTP timestamp units. */
  duration: number;
}

/** True when `payload` holds at least one event block. */
export function isTelephoneEvent(payload: Uint8Array): boolean {
  return payload.length >= TELEPHONE_EVENT_SIZE;
}

/** Event code of the block at `offset`. */
export function eventOf(payload: Uint8Array, offset = 0): number {
  return payload[offset]!;
}

/**
 * RFC 4733 §2.3.2: "If set to a value of one, the "end" bit indicates that this packet contains the
 * end of the event."
 */
export function endOf(payload: Uint8Array, offset = 0): boolean {
  return (payload[offset + 1]! & 0x80) !== 0;
}

/**
 * RFC 4733 §2.3.4: the volume field "describes the power level of the tone, expressed in dBm0 after
 * dropping the sign." The R bit between E and volume is masked off: §2.3.3 "The sender MUST set it to
 * zero, and the receiver MUST ignore it."
 */
export function volumeOf(payload: Uint8Array, offset = 0): number {
  return payload[offset + 1]! & 0x3f;
}

/** Duration field of the block at `offset` (unsigned 16-bit, network order). */
export function durationOf(payload: Uint8Array, offset = 0): number {
  return (payload[offset + 2]! << 8) | payload[offset + 3]!;
}

/** Reads the first block, or returns null when the payload is shorter than 4 bytes. Allocates the result. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (!isTelephoneEvent(payload)) return null;
  return { event: eventOf(payload), end: endOf(payload), volume: volumeOf(payload), duration: durationOf(payload) };
}

/**
 * Writes one block at out[offset..offset+4) and returns 4. Allocates nothing. Throws RangeError for
 * values the fields cannot hold rather than silently truncating them.
 */
export function writeTelephoneEvent(
  out: Uint8Array,
  event: number,
  end: boolean,
  volume: number,
  duration: number,
  offset = 0,
): number {
  if (!(event >= 0 && event <= 255) || !(volume >= 0 && volume <= 63) || !(duration >= 0 && duration <= MAX_EVENT_DURATION)) {
    throw new RangeError(`telephone-event out of range: event ${event}, volume ${volume}, duration ${duration}`);
  }
  if (out.length < offset + TELEPHONE_EVENT_SIZE) throw new RangeError('telephone-event buffer too small');
  out[offset] = event;
  out[offset + 1] = (end ? 0x80 : 0) | volume; // R stays 0 (§2.3.3)
  out[offset + 2] = duration >>> 8;
  out[offset + 3] = duration & 0xff;
  return TELEPHONE_EVENT_SIZE;
}

/** A new 4-byte payload for `e`. Allocates; use writeTelephoneEvent on hot paths. */
export function buildTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(TELEPHONE_EVENT_SIZE);
  writeTelephoneEvent(out, e.event, e.end, e.volume, e.duration);
  return out;
}
