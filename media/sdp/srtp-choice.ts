// Choosing the a=crypto line of an answer and the key we answer with (RFC 4568 §5.2, §5.4).
import { createSrtpKey, type CryptoAttribute, type SrtpKey, type SrtpSuite } from './crypto-attribute.js';
import type { MediaDescription } from './media-description.js';

export type UsableCrypto = CryptoAttribute & { key: SrtpKey; suite: SrtpSuite };

export const isUsable = (c: CryptoAttribute): c is UsableCrypto => c.key !== undefined;

/**
 * The offered crypto attribute we accept: the first usable one (the offerer lists them in its
 * order of preference, RFC 4568 §5.1) whose suite we allow. RFC 4568 §5.2 has the answerer
 * accept one attribute, or reject the stream when none is acceptable.
 */
export function chooseOfferedCrypto(offered: readonly CryptoAttribute[], suites: readonly SrtpSuite[]): UsableCrypto | undefined {
  return offered.find((c): c is UsableCrypto => isUsable(c) && suites.includes(c.key.suite));
}

/**
 * Our key for `suite`: the one our previous SDP in this dialog used for it, so a re-INVITE that
 * changes nothing else does not re-key the stream (RFC 4568 §5.4 lets an answerer keep its
 * key), or a fresh one.
 */
export function localKey(suite: SrtpSuite, previous: MediaDescription | undefined, random: (size: number) => Uint8Array): SrtpKey {
  const kept = previous?.crypto.find((c) => c.key?.suite === suite)?.key;
  if (kept) return { suite, masterKey: kept.masterKey, masterSalt: kept.masterSalt };
  return createSrtpKey(suite, random);
}
