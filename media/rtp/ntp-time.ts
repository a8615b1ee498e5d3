// NTP timestamps as RTCP carries them (RFC 3550 §4): "the number of seconds relative to
// 0h UTC on 1 January 1900. The full resolution NTP timestamp is a 64-bit unsigned
// fixed-point number with the integer part in the first 32 bits and the fractional part
// in the last 32 bits." Where a compact form is needed (LSR, DLSR) "only the middle 32
// bits are used; that is, the low 16 bits of the integer part and the high 16 bits of the
// fractional part".
//
// Times here are milliseconds on the Unix epoch (what `performance.timeOrigin +
// performance.now()` gives); the NTP seconds field wraps in 2036 and is kept modulo 2^32.

/** Seconds from 1900-01-01 to 1970-01-01. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_32 = 4_294_967_296;

/** Integer seconds of the 64-bit NTP timestamp for a Unix time in ms. */
export function ntpSeconds(unixMs: number): number {
  return (Math.floor(unixMs / 1000) + NTP_UNIX_OFFSET_S) % TWO_32;
}

/** Fractional part (units of 2^-32 s) of the NTP timestamp for a Unix time in ms. */
export function ntpFraction(unixMs: number): number {
  const ms = unixMs - Math.floor(unixMs / 1000) * 1000;
  return Math.floor((ms / 1000) * TWO_32) >>> 0;
}

/** The compact "middle 32 bits" form: 16 bits of seconds, 16 bits of fraction. */
export function ntpMiddle(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** The compact form of a Unix time in ms (units of 1/65536 s). */
export function ntpShort(unixMs: number): number {
  return ntpMiddle(ntpSeconds(unixMs), ntpFraction(unixMs));
}

/** Milliseconds as units of 1/65536 s (DLSR, §6.4.1), clamped to 32 bits. */
export function msToNtpShortUnits(ms: number): number {
  const units = Math.floor((ms * 65536) / 1000);
  return units < 0 ? 0 : units >= TWO_32 ? TWO_32 - 1 : units;
}

/** Units of 1/65536 s as milliseconds. */
export function ntpShortUnitsToMs(units: number): number {
  return (units * 1000) / 65536;
}
