// Download URLs of recordings, signed so that the URL itself is the permission: anyone
// holding one may fetch that one file until it expires (24 h), and nothing else. Like an
// S3 presigned URL, it can be handed to a browser or a CRM without an API key.
//
//   /api/v1/voice/recordings/{rec_id}/download?expires=<unix s>&signature=<hex>
//   signature = HMAC-SHA256(key, "<rec_id>\n<expires>"), key = secrets.derive('recording-urls')
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/index.js';

export const RECORDING_URL_TTL_SECONDS = 24 * 3600;

export function recordingDownloadPath(recordingId: string): string {
  return `/api/v1/voice/recordings/${encodeURIComponent(recordingId)}/download`;
}

export type UrlCheck = 'ok' | 'expired' | 'invalid';

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

const SIGNATURE = /^[0-9a-f]{64}$/;
const EXPIRES = /^[0-9]{1,12}$/;

export class RecordingUrlSigner {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => Date = () => new Date(),
    private readonly ttlSeconds = RECORDING_URL_TTL_SECONDS,
  ) {}

  static forStore(store: Pick<Store, 'secrets' | 'now'>): RecordingUrlSigner {
    return new RecordingUrlSigner(store.secrets.derive('recording-urls'), store.now);
  }

  private mac(recordingId: string, expires: string): Buffer {
    return createHmac('sha256', this.key).update(`${recordingId}\n${expires}`).digest();
  }

  /** An absolute URL under `baseUrl` (scheme and host, no trailing slash). */
  sign(recordingId: string, baseUrl: string): SignedUrl {
    const expires = Math.floor(this.now().getTime() / 1000) + this.ttlSeconds;
    const sig = this.mac(recordingId, String(expires)).toString('hex');
    return {
      url: `${baseUrl}${recordingDownloadPath(recordingId)}?expires=${expires}&signature=${sig}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /**
   * The signature is checked first, in constant time, so a changed `expires` is
   * "invalid" rather than "expired"; only a genuine URL past its time is "expired".
   */
  verify(recordingId: string, expires: unknown, signature: unknown): UrlCheck {
    if (typeof expires !== 'string' || typeof signature !== 'string') return 'invalid';
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature)) return 'invalid';
    const expected = this.mac(recordingId, expires);
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';
    return Number(expires) * 1000 < this.now().getTime() ? 'expired' : 'ok';
  }
}
