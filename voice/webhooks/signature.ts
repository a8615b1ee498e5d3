// The signature receivers check: HMAC-SHA256 keyed with the tenant's whole secret
// string ("whsec_..." as UTF-8) over "<timestamp>.<raw body>". The timestamp is
// inside the MAC so a captured request cannot be replayed later with a fresh
// timestamp; receivers refuse old timestamps (docs/webhooks.md).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

/** Hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The Switchboard-Signature header value: "v1=<hex>". */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `${SIGNATURE_VERSION}=${signPayload(secret, timestamp, body)}`;
}

export interface VerifyOptions {
  /** Seconds a timestamp may differ from `nowSeconds` (default 300). */
  toleranceSeconds?: number;
  nowSeconds: number;
}

/**
 * What a receiver does: true when the header carries a v1 signature of this body and
 * timestamp under the secret, and the timestamp is recent. Several comma-separated
 * signatures are accepted so a future overlap of two secrets needs no new format.
 */
export function verifySignature(
  secret: string,
  header: string,
  timestampHeader: string,
  body: string,
  opts: VerifyOptions,
): boolean {
  if (!/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  if (Math.abs(opts.nowSeconds - timestamp) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body), 'hex');
  for (const part of header.split(',')) {
    const [version, hex] = part.trim().split('=', 2);
    if (version !== SIGNATURE_VERSION || !hex || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    if (timingSafeEqual(expected, Buffer.from(hex, 'hex'))) return true;
  }
  return false;
}
