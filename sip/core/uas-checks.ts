// The checks a UAS makes before processing a request (RFC 3261 §8.2.1-§8.2.3), in the
// RFC's order: method, then headers (Request-URI scheme), content, extensions.
import type { SipRequest } from '../message/message.js';
import { KNOWN_METHODS, SipError } from '../message/validate.js';

/** What we answer and accept; the Allow/Accept/Supported of OPTIONS say the same. */
export interface Capabilities {
  /** Methods we process; others known to SIP get 405, unknown ones 501. */
  allow: string[];
  /** Option tags we support (Require containing anything else gets 420). */
  supported: string[];
  /** Body types accepted in INVITE and re-INVITE. */
  accept: string[];
}

export const DEFAULT_CAPABILITIES: Capabilities = {
  allow: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'REFER', 'NOTIFY'],
  supported: ['replaces'],
  accept: ['application/sdp'],
};

const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);

/** sip:, sips: or tel: (any case), checked without slicing in the common spellings. */
function hasSupportedScheme(uri: string): boolean {
  if (uri.startsWith('sip:') || uri.startsWith('sips:') || uri.startsWith('tel:')) return true;
  return URI_SCHEMES.has(uri.slice(0, uri.indexOf(':')).toLowerCase());
}

export function checkRequest(req: SipRequest, caps: Capabilities): void {
  // §8.2.1: "If a UAS does not understand a request method, it MUST respond with a 501".
  if (!KNOWN_METHODS.has(req.method)) throw new SipError(501, 'Not Implemented', [['Allow', caps.allow.join(', ')]]);
  // ... and 405 with Allow for a method it understands but does not allow.
  if (!caps.allow.includes(req.method)) throw new SipError(405, 'Method Not Allowed', [['Allow', caps.allow.join(', ')]]);

  // §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD
  // reject the request with a 416 (Unsupported URI Scheme) response."
  if (!hasSupportedScheme(req.uri)) throw new SipError(416, 'Unsupported URI Scheme');

  if (req.method === 'ACK' || req.method === 'CANCEL') return;

  // §8.2.2.3: unknown option tags in Require get 420 listing them in Unsupported.
  const required = req.tokens('require');
  if (required.length > 0) {
    const unsupported = required.filter((t) => !caps.supported.includes(t.toLowerCase()));
    if (unsupported.length > 0) throw new SipError(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
  }

  if (req.method === 'INVITE' || req.method === 'UPDATE') {
    // §8.2.3: a body of a type we do not understand gets 415 with Accept.
    const type = req.contentType();
    if (req.body.length > 0 && type !== undefined && !caps.accept.includes(type)) {
      throw new SipError(415, 'Unsupported Media Type', [['Accept', caps.accept.join(', ')]]);
    }
    const encoding = req.get('content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      throw new SipError(415, 'Unsupported Media Type', [['Accept-Encoding', 'identity']]);
    }
    // §20.1: when Accept is present and names nothing we could answer with, 406.
    const accept = req.list('accept').map((a) => a.split(';')[0]!.trim().toLowerCase());
    if (req.has('accept') && accept.length > 0 && !accept.some((a) => a === '*/*' || a === 'application/*' || caps.accept.includes(a))) {
      throw new SipError(406, 'Not Acceptable', [['Warning', '399 - "No acceptable session description format"']]);
    }
  }
}
