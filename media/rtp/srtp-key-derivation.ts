// SRTP session keys from a master key and salt: RFC 3711 §4.3 with the AES-CM PRF (§4.3.3).
//
// §4.3.1: "Let r = index DIV key_derivation_rate ... key_id = <label> || r ...
// x = key_id XOR master_salt, where key_id and master_salt are aligned so that their
// least significant bits agree (right-alignment)." SDES keys (RFC 4568) leave the key
// derivation rate at its default of 0, so r = 0 and key derivation runs once per key.
// §4.3.3: "PRF_n(k_master, x) = AES_CM(k_master, x * 2^16, n)".
//
// With the 112-bit salt of the AES-CM profiles the one-byte label lands on byte 7 of the
// salt. The AEAD profiles (RFC 7714 §11) use this same KDF with a 96-bit master salt; like
// libsrtp (and so everyone who interoperates with it) we place the 96-bit salt where the
// 112-bit one goes, zero-filled on the right, so the label is still at byte 7.
import { AES_BLOCK, AesCounterMode } from './aes-cm.js';

/** §4.3.2's labels. */
export const SrtpLabel = {
  RtpEncryption: 0x00,
  RtpAuthentication: 0x01,
  RtpSalt: 0x02,
  RtcpEncryption: 0x03,
  RtcpAuthentication: 0x04,
  RtcpSalt: 0x05,
} as const;
export type SrtpLabel = (typeof SrtpLabel)[keyof typeof SrtpLabel];

export interface SrtpSessionKeys {
  rtpKey: Uint8Array;
  rtpSalt: Uint8Array;
  /** Empty for AEAD profiles (the GCM tag needs no separate key). */
  rtpAuthKey: Uint8Array;
  rtcpKey: Uint8Array;
  rtcpSalt: Uint8Array;
  rtcpAuthKey: Uint8Array;
}

/** Lengths in bytes of what to derive. */
export interface SrtpKeyLengths {
  key: number;
  salt: number;
  /** 20 for HMAC-SHA1 (RFC 3711 §8.2: n_a = 160), 0 for AEAD. */
  auth: number;
}

/** §4.3.3's PRF for one label: `length` bytes of AES-CM keystream from the master key. */
export function srtpKdf(masterKey: Uint8Array, masterSalt: Uint8Array, label: SrtpLabel, length: number): Uint8Array {
  if (masterSalt.length > 14) throw new RangeError('SRTP master salts are at most 112 bits');
  const x = new Uint8Array(AES_BLOCK);
  x.set(masterSalt);
  x[7]! ^= label;
  const out = new Uint8Array(length);
  if (length > 0) new AesCounterMode(masterKey, length).xor(x, out, 0, length);
  return out;
}

/** All six session keys (§4.3.2) for one master key. */
export function deriveSrtpSessionKeys(masterKey: Uint8Array, masterSalt: Uint8Array, lengths: SrtpKeyLengths): SrtpSessionKeys {
  return {
    rtpKey: srtpKdf(masterKey, masterSalt, SrtpLabel.RtpEncryption, lengths.key),
    rtpAuthKey: srtpKdf(masterKey, masterSalt, SrtpLabel.RtpAuthentication, lengths.auth),
    rtpSalt: srtpKdf(masterKey, masterSalt, SrtpLabel.RtpSalt, lengths.salt),
    rtcpKey: srtpKdf(masterKey, masterSalt, SrtpLabel.RtcpEncryption, lengths.key),
    rtcpAuthKey: srtpKdf(masterKey, masterSalt, SrtpLabel.RtcpAuthentication, lengths.auth),
    rtcpSalt: srtpKdf(masterKey, masterSalt, SrtpLabel.RtcpSalt, lengths.salt),
  };
}
