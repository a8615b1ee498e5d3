// What an SRTP crypto suite does to one packet, in place, once the session has worked out
// the packet index; and the error codes every SRTP call returns instead of throwing.

/** Negative results of the protect/unprotect calls (a non-negative result is a length). */
export const SrtpError = {
  /** Shorter than a header plus the suite's trailer. */
  TooShort: -1,
  /** The caller's buffer has no room for the trailer. */
  NoRoom: -2,
  /** Not an RTP header (version, CSRC or extension overrun). */
  BadHeader: -3,
  /** The MKI is not ours. */
  BadMki: -4,
  /** The authentication tag does not match: tampered, or the wrong key. */
  AuthFailed: -5,
  /** Already received (RFC 3711 §3.3.2). */
  Replayed: -6,
  /** Older than the replay window. */
  TooOld: -7,
  /** The SRTCP index would pass 2^31 - 1: the master key is spent (RFC 3711 §3.2.1, 2^31 SRTCP packets). */
  IndexExhausted: -8,
  /** Longer than the session's largest packet. */
  TooLong: -9,
} as const;
export type SrtpError = (typeof SrtpError)[keyof typeof SrtpError];

const NAMES: Record<number, string> = {
  [-1]: 'too-short',
  [-2]: 'no-room',
  [-3]: 'bad-header',
  [-4]: 'bad-mki',
  [-5]: 'auth-failed',
  [-6]: 'replayed',
  [-7]: 'too-old',
  [-8]: 'index-exhausted',
  [-9]: 'too-long',
};

/** "auth-failed" for SrtpError.AuthFailed, for logs and stats. */
export function srtpErrorName(code: number): string {
  return NAMES[code] ?? 'ok';
}

export interface SrtpTransform {
  /** Bytes SRTP adds to an RTP packet. */
  readonly rtpOverhead: number;
  /** Bytes SRTCP adds to an RTCP packet. */
  readonly rtcpOverhead: number;
  /** Encrypts `buf[header..end)`, appends the trailer; returns the new end or an SrtpError. */
  encryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number;
  /** Verifies and decrypts a packet ending at `end`; returns the plaintext end or an SrtpError. */
  decryptRtp(buf: Uint8Array, header: number, end: number, ssrc: number, roc: number, seq: number): number;
  encryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number): number;
  /** Where the E flag and SRTCP index sit in a packet ending at `end`. */
  rtcpIndexAt(end: number): number;
  decryptRtcp(buf: Uint8Array, end: number, ssrc: number, index: number, encrypted: boolean): number;
}
