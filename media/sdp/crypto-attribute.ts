// SDES key exchange: the a=crypto attribute of RFC 4568.
//
//   a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]          RFC 4568 §9.1
//   key-params = "inline:" <base64(master key || master salt)> ["|" lifetime] ["|" MKI ":" length]
//
//   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4
//            │ │                              │                                         │    └ MKI 1, 4 bytes
//            │ └ suite                        └ 16-byte key + 14-byte salt, base64       └ lifetime 2^20 packets
//            └ tag: the answer names the offer's tag it accepts
import { randomBytes } from 'node:crypto';

/** The suites media/rtp/srtp.ts implements (AES-CM per RFC 3711/4568, AES-GCM per RFC 7714). */
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM';

export const SRTP_SUITES: readonly SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'];

/**
 * Master key and salt lengths. RFC 4568 §6.2.1: AES_CM_128_HMAC_SHA1_80 has a 128-bit master key
 * and a 112-bit master salt. RFC 7714 §12: AEAD_AES_128_GCM has a 128-bit key and a 96-bit salt.
 */
export const SUITE_KEY_LENGTHS: Readonly<Record<SrtpSuite, { key: number; salt: number }>> = {
  AES_CM_128_HMAC_SHA1_80: { key: 16, salt: 14 },
  AEAD_AES_128_GCM: { key: 16, salt: 12 },
};

export interface SrtpKey {
  suite: SrtpSuite;
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** Packets the key may protect (RFC 4568 §6.1 lifetime); undefined when not stated. */
  lifetime?: number;
  /** Master key identifier carried in every packet (RFC 3711 §3.1), when the peer uses one. */
  mki?: { value: number; length: number };
}

/** One a=crypto line as offered or answered. `key` is set only when we can use the line. */
export interface CryptoAttribute {
  tag: number;
  suite: string;
  key?: SrtpKey;
  /** Why we cannot use the line, when `key` is absent. */
  unusable?: string;
}

/** The a=crypto fields as sdp-transform reads them: key-params in `config`, the first session param in `sessionConfig`. */
export interface RawCrypto {
  id: number | string;
  suite: string;
  config: string;
  sessionConfig?: string;
}

export const isSrtpSuite = (s: string): s is SrtpSuite => s === 'AES_CM_128_HMAC_SHA1_80' || s === 'AEAD_AES_128_GCM';

const MAX_TAG = 999_999_999; // RFC 4568 §9.1: tag = 1*9DIGIT
const MAX_MKI_LENGTH = 128; // RFC 4568 §6.1: MKI length 1..128 bytes

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Standard base64 (RFC 4648 §4), padding optional: Buffer.from would skip foreign characters instead of failing. */
function decodeBase64(s: string): Uint8Array | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (s.length - end > 2 || end % 4 === 1) return undefined;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return undefined;
  }
  return new Uint8Array(Buffer.from(s.slice(0, end), 'base64'));
}

/** RFC 4568 §6.1 lifetime: "2^n" or a decimal count of packets. */
function parseLifetime(s: string): number | undefined {
  if (s.startsWith('2^')) {
    const exp = s.slice(2);
    return isDigits(exp) && Number(exp) <= 64 ? 2 ** Number(exp) : undefined;
  }
  return isDigits(s) && s.length <= 20 ? Number(s) : undefined;
}

type KeyResult = { key: SrtpKey } | { unusable: string };

function parseKeyParams(suite: SrtpSuite, keyParams: string): KeyResult {
  // Several keys (";"-separated, told apart by MKI) would need per-packet key selection.
  if (keyParams.includes(';')) return { unusable: 'more than one key' };
  if (!keyParams.startsWith('inline:')) return { unusable: 'key method is not inline' };
  const [keySalt = '', ...rest] = keyParams.slice('inline:'.length).split('|');
  if (rest.length > 2) return { unusable: 'too many key fields' };
  const bytes = decodeBase64(keySalt);
  const lengths = SUITE_KEY_LENGTHS[suite];
  if (!bytes || bytes.length !== lengths.key + lengths.salt) return { unusable: `key is not ${lengths.key + lengths.salt} bytes of base64` };
  const key: SrtpKey = { suite, masterKey: bytes.slice(0, lengths.key), masterSalt: bytes.slice(lengths.key) };
  for (const field of rest) {
    const colon = field.indexOf(':');
    if (colon >= 0) {
      const value = field.slice(0, colon);
      const length = field.slice(colon + 1);
      if (!isDigits(value) || value.length > 20 || !isDigits(length) || Number(length) < 1 || Number(length) > MAX_MKI_LENGTH) {
        return { unusable: 'MKI is not <value>:<length 1..128>' };
      }
      key.mki = { value: Number(value), length: Number(length) };
    } else {
      const lifetime = parseLifetime(field);
      if (lifetime === undefined) return { unusable: 'lifetime is not a number' };
      key.lifetime = lifetime;
    }
  }
  return { key };
}

/**
 * Reads one a=crypto line. A line we cannot use is kept with the reason, not thrown: RFC 4568
 * §5.2 has the answerer skip crypto attributes it does not support and pick another.
 */
export function parseCrypto(raw: RawCrypto): CryptoAttribute | undefined {
  const tag = typeof raw.id === 'number' ? raw.id : Number.NaN;
  if (!Number.isInteger(tag) || tag < 0 || tag > MAX_TAG) return undefined;
  const suite = String(raw.suite);
  const attr: CryptoAttribute = { tag, suite };
  if (!isSrtpSuite(suite)) {
    attr.unusable = `suite ${suite} is not supported`;
  } else if (raw.sessionConfig !== undefined) {
    // RFC 4568 §6.3 session parameters (KDR, UNENCRYPTED_SRTP, FEC_ORDER...) change how SRTP runs;
    // we implement none, and a line that asks for one cannot be accepted as if it did not.
    attr.unusable = `session parameter ${raw.sessionConfig.slice(0, 32)} is not supported`;
  } else {
    const result = parseKeyParams(suite, String(raw.config));
    if ('key' in result) attr.key = result.key;
    else attr.unusable = result.unusable;
  }
  return attr;
}

/** A fresh master key and salt for `suite`, from `random` (node:crypto's randomBytes unless injected). */
export function createSrtpKey(suite: SrtpSuite, random: (size: number) => Uint8Array = randomBytes): SrtpKey {
  const lengths = SUITE_KEY_LENGTHS[suite];
  const bytes = random(lengths.key + lengths.salt);
  if (bytes.length !== lengths.key + lengths.salt) throw new RangeError('random source returned the wrong number of bytes');
  return { suite, masterKey: Uint8Array.from(bytes.subarray(0, lengths.key)), masterSalt: Uint8Array.from(bytes.subarray(lengths.key)) };
}

/** The key-params we write: inline key and salt only; we send no lifetime and no MKI. */
export function formatKeyParams(key: SrtpKey): string {
  const both = new Uint8Array(key.masterKey.length + key.masterSalt.length);
  both.set(key.masterKey, 0);
  both.set(key.masterSalt, key.masterKey.length);
  return `inline:${Buffer.from(both).toString('base64')}`;
}
