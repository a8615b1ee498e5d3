// SDES keys as the SDP layer reads them (media/sdp SrtpKey) → what SrtpSession takes.
import type { SrtpMasterKey } from '../rtp/srtp-profile.js';
import type { SrtpKey } from '../sdp/index.js';

/** RFC 4568 §6.1: "|MKI:length" gives the MKI as a decimal value and its length in bytes (big endian on the wire). */
export function srtpMasterKey(k: SrtpKey): SrtpMasterKey {
  const key: SrtpMasterKey = { profile: k.suite, masterKey: k.masterKey, masterSalt: k.masterSalt };
  if (k.mki) {
    const b = new Uint8Array(k.mki.length);
    let v = k.mki.value;
    for (let i = k.mki.length - 1; i >= 0; i--) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
    key.mki = b;
  }
  return key;
}

/** Identity of a key: a session is kept across re-INVITEs while this is unchanged. */
export function srtpKeyId(k: SrtpKey): string {
  return `${k.suite}:${Buffer.from(k.masterKey).toString('hex')}:${Buffer.from(k.masterSalt).toString('hex')}`;
}
