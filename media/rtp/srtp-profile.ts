// The two SRTP crypto suites we offer and accept over SDES (RFC 4568), and how their key
// material splits.
//
// RFC 4568 §6.2.1, AES_CM_128_HMAC_SHA1_80: RFC 3711's default transforms — AES counter
// mode with a 128-bit master key and 112-bit master salt, HMAC-SHA1 with an 80-bit tag.
// RFC 7714 §14.1 registers AEAD_AES_128_GCM for SDES: AES-GCM with a 128-bit key, a 96-bit
// salt (§12) and a 16-octet tag — the tag is part of the cipher, so there is no separate
// authentication key.
// RFC 4568 §6.1: the inline key-params are "the concatenated master key and salt, base64
// encoded", so the decoded bytes split at the key length.

export type SrtpProfileName = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM';

export interface SrtpProfile {
  name: SrtpProfileName;
  keyBytes: number;
  saltBytes: number;
  /** Authentication tag appended to each packet. */
  tagBytes: number;
  /** Session authentication key length (0 for AEAD). */
  authKeyBytes: number;
  aead: boolean;
}

export const SRTP_PROFILES: Readonly<Record<SrtpProfileName, SrtpProfile>> = {
  AES_CM_128_HMAC_SHA1_80: { name: 'AES_CM_128_HMAC_SHA1_80', keyBytes: 16, saltBytes: 14, tagBytes: 10, authKeyBytes: 20, aead: false },
  AEAD_AES_128_GCM: { name: 'AEAD_AES_128_GCM', keyBytes: 16, saltBytes: 12, tagBytes: 16, authKeyBytes: 0, aead: true },
};

export function isSrtpProfileName(name: string): name is SrtpProfileName {
  return Object.hasOwn(SRTP_PROFILES, name);
}

export interface SrtpMasterKey {
  profile: SrtpProfileName;
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** RFC 3711 §3.1 Master Key Identifier, when the crypto line has one (RFC 4568 "|mki:length"). */
  mki?: Uint8Array;
}

/** Splits decoded inline key-params into master key and salt; throws if the length is wrong for the suite. */
export function splitKeyingMaterial(profile: SrtpProfileName, keyAndSalt: Uint8Array, mki?: Uint8Array): SrtpMasterKey {
  const p = SRTP_PROFILES[profile];
  if (keyAndSalt.length !== p.keyBytes + p.saltBytes) {
    throw new RangeError(`${profile} needs ${p.keyBytes + p.saltBytes} bytes of key and salt, got ${keyAndSalt.length}`);
  }
  return {
    profile,
    masterKey: keyAndSalt.slice(0, p.keyBytes),
    masterSalt: keyAndSalt.slice(p.keyBytes),
    ...(mki ? { mki } : {}),
  };
}

/** Fresh key material for our own crypto line: `randomBytes` is injected (node:crypto's in production). */
export function generateKeyingMaterial(profile: SrtpProfileName, randomBytes: (n: number) => Uint8Array): Uint8Array {
  const p = SRTP_PROFILES[profile];
  return randomBytes(p.keyBytes + p.saltBytes);
}
