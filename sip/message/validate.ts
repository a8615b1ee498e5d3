// What a request must satisfy before any transaction or application sees it
// (RFC 3261 §8.2 and §16.3, with the torture cases of RFC 4475 as the yardstick).
// Each failure is a SipError carrying the response to send; a request whose Via
// cannot be read gets no response at all (there is nowhere to send it).
import { SINGLE_HEADERS } from './header-names.js';
import type { SipRequest, SipResponse } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { SipSyntaxError } from './scanner.js';

export class SipError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    /** Extra header fields for the response (Allow, Unsupported, Accept...). */
    readonly headers: [string, string][] = [],
  ) {
    super(`${status} ${reason}`);
    this.name = 'SipError';
  }
}

/**
 * Whether a response can be sent to a request that failed its checks: it needs a Via
 * to copy, even a malformed one (badinv01 gets its 400). Such responses go straight
 * back to the packet's source, never to an address named in the message.
 */
export function canRespond(req: SipRequest): boolean {
  return req.has('via');
}

/** Methods this stack knows; others are answered 501 by the UAS core (§8.2.1). */
export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);


/** The field a header key names in error responses. */
const MISSING: Record<string, string> = { via: 'Via', from: 'From', to: 'To', 'call-id': 'Call-ID', cseq: 'CSeq' };
/** Bit of each may-appear-once header in the duplicate check. */
const SINGLE = new Map<string, number>(SINGLE_HEADERS.map((k, i) => [k, 1 << i]));
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>]+$/;
const SIP_SCHEME = /^sips?:/i;
const DIGITS = /^\s*\d{1,10}\s*$/;

/**
 * Counts beyond which a request is refused (400) before anything acts on it: a Via
 * list this long is a loop or an attack (Max-Forwards starts at 70, so no real path is longer), and no
 * phone registers dozens of contacts in one request.
 */
export const MAX_VIAS = 70;
export const MAX_CONTACTS = 32;

/** Structural checks every request passes (a stateless element's §16.3 plus §8.2.2 basics). */
export function validateRequest(req: SipRequest): void {
  // One pass over the fields: presence of the five core headers, no duplicates of the
  // ones that may appear once (multi01).
  let seen = 0;
  let singles = 0;
  for (const h of req.headers) {
    const k = h.key;
    if (k === 'via') seen |= 1;
    else if (k === 'from') seen |= 2;
    else if (k === 'to') seen |= 4;
    else if (k === 'call-id') seen |= 8;
    else if (k === 'cseq') seen |= 16;
    const bit = SINGLE.get(k);
    if (bit !== undefined) {
      if ((singles & bit) !== 0) throw new SipError(400, `Duplicate ${k}`);
      singles |= bit;
    }
  }
  if (seen !== 31) {
    const missing = ['via', 'from', 'to', 'call-id', 'cseq'].find((_k, i) => (seen & (1 << i)) === 0)!;
    throw new SipError(400, `Missing ${MISSING[missing]}`);
  }
  let what = 'Via';
  try {
    if (req.vias().length > MAX_VIAS) throw new SipError(400, 'Too Many Via Header Fields');
    what = 'From';
    req.from();
    what = 'To';
    req.to();
    what = 'Call-ID';
    req.callId();
    what = 'CSeq';
    req.cseq();
    what = 'Contact';
    const contacts = req.contacts();
    if (contacts !== '*' && contacts.length > MAX_CONTACTS) throw new SipError(400, 'Too Many Contacts');
    what = 'Route';
    req.routes();
    what = 'Record-Route';
    req.recordRoutes();
  } catch (err) {
    if (err instanceof SipSyntaxError) throw new SipError(400, `Bad ${what}`);
    throw err;
  }
  // CSeq's method must be the request's (§8.1.1.5, mismatch01). An unknown method is
  // left to the UAS core, which answers 501 (mismatch02 prefers that).
  if (KNOWN_METHODS.has(req.method) && req.cseq().method !== req.method) throw new SipError(400, 'CSeq method does not match');
  const mf = req.get('max-forwards');
  if (mf !== undefined && !DIGITS.test(mf)) throw new SipError(400, 'Bad Max-Forwards');
  // Request-URI: an absolute URI, never <...> or with spaces (ltgtruri, lwsruri).
  if (!ABSOLUTE_URI.test(req.uri)) throw new SipError(400, 'Bad Request-URI');
  if (SIP_SCHEME.test(req.uri) && req.requestUri() === undefined) throw new SipError(400, 'Bad Request-URI');
}

export function validateResponse(res: SipResponse): void {
  // Responses with an unusable status or broken core headers are dropped (scalarlg, bigcode).
  if (res.status < 100 || res.status > 699) throw new SipError(0, 'bad status');
  res.topVia();
  res.callId();
  res.cseq();
  parseNameAddr(res.get('from') ?? '');
  parseNameAddr(res.get('to') ?? '');
}
