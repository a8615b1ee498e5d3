// Download URLs of voicemail recordings: the same 24 h HMAC scheme as call recordings
// (voice/calls/recording-urls.ts), under a key of their own and a path of their own, so a
// recording URL can never be replayed against a message or the other way round.
//
//   /api/v1/voice/voicemails/{vmsg_id}/recording?expires=<unix s>&signature=<hex>
import type { Store } from '../../store/index.js';
import { RecordingUrlSigner, type SignedUrl, type UrlCheck } from '../calls/recording-urls.js';

export function voicemailDownloadPath(messageId: string): string {
  return `/api/v1/voice/voicemails/${encodeURIComponent(messageId)}/recording`;
}

export class VoicemailUrlSigner {
  constructor(private readonly signer: RecordingUrlSigner) {}

  static forStore(store: Pick<Store, 'secrets' | 'now'>): VoicemailUrlSigner {
    return new VoicemailUrlSigner(new RecordingUrlSigner(store.secrets.derive('voicemail-urls'), store.now));
  }

  /** An absolute URL under `baseUrl` (scheme and host, no trailing slash). */
  sign(messageId: string, baseUrl: string): SignedUrl {
    // The signer builds a recordings URL; its query (expires + signature) is what is signed.
    const signed = this.signer.sign(messageId, '');
    const query = signed.url.slice(signed.url.indexOf('?'));
    return { url: `${baseUrl}${voicemailDownloadPath(messageId)}${query}`, expiresAt: signed.expiresAt };
  }

  verify(messageId: string, expires: unknown, signature: unknown): UrlCheck {
    return this.signer.verify(messageId, expires, signature);
  }
}
