// Header names: case-insensitive (RFC 3261 §7.3.1), with the compact forms of §7.3.3
// and later RFCs. Messages keep the spelling they arrived with; lookups use the key,
// the lower-cased long form.

const COMPACT: Record<string, string> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
};

/** Canonical spellings used when we create headers. */
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
};

// Header names repeat from message to message ("Via", "From", "CSeq"...), so their
// keys are remembered; the cache is bounded because names come from the network.
const KEYS = new Map<string, string>();
const MAX_CACHED_NAMES = 2048;

/** The lookup key of a header name: compact forms expanded, lower case. */
export function headerKey(name: string): string {
  const hit = KEYS.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const key = COMPACT[lower] ?? lower;
  if (KEYS.size < MAX_CACHED_NAMES && isToken(name)) KEYS.set(name, key);
  return key;
}

/**
 * The key of a header name as the usual phones and trunks spell it, found by length and
 * comparison: every message has a dozen of these, and looking a freshly cut name up in
 * a Map means hashing it first.
 */
function usualKey(name: string): string | undefined {
  switch (name.length) {
    case 2:
      return name === 'To' ? 'to' : undefined;
    case 3:
      return name === 'Via' ? 'via' : undefined;
    case 4:
      return name === 'From' ? 'from' : name === 'CSeq' ? 'cseq' : undefined;
    case 5:
      return name === 'Allow' ? 'allow' : name === 'Route' ? 'route' : undefined;
    case 7:
      return name === 'Call-ID' ? 'call-id' : name === 'Contact' ? 'contact' : name === 'Expires' ? 'expires' : undefined;
    case 9:
      return name === 'Supported' ? 'supported' : undefined;
    case 10:
      return name === 'User-Agent' ? 'user-agent' : undefined;
    case 12:
      return name === 'Max-Forwards' ? 'max-forwards' : name === 'Content-Type' ? 'content-type' : name === 'Record-Route' ? 'record-route' : undefined;
    case 13:
      return name === 'Authorization' ? 'authorization' : undefined;
    case 14:
      return name === 'Content-Length' ? 'content-length' : undefined;
    default:
      return undefined;
  }
}

/** A header name that is a valid token, with its key; undefined when it is not a token. */
export function tokenHeaderKey(name: string): string | undefined {
  const usual = usualKey(name);
  if (usual !== undefined) return usual;
  const hit = KEYS.get(name);
  if (hit !== undefined) return hit;
  return isToken(name) ? headerKey(name) : undefined;
}

/** "content-length" → "Content-Length", keeping the usual exceptions (Call-ID, CSeq...). */
export function canonicalName(key: string): string {
  return CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** RFC 3261 §25.1 token characters. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/**
 * Headers whose values are comma-separated lists that may be split or combined
 * (§7.3.1). Others (WWW-Authenticate, Date, unknown headers) are kept whole.
 */
export const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'allow-events',
  'content-encoding',
  'in-reply-to',
]);

/** Headers that may appear at most once in a request (§20; multi01). */
export const SINGLE_HEADERS = ['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length', 'content-type'] as const;
