// Picking and checking the Digest credentials meant for us out of a request's
// Authorization (or Proxy-Authorization) fields, before any password is looked at.
//
// RFC 3261 §22.3: a request may carry credentials for several realms (one per proxy
// on the path); each element uses the ones whose realm is its own.
import { SipSyntaxError } from '../message/scanner.js';
import { digestAlgorithm, MD5, type DigestAlgorithm } from './digest-algorithm.js';
import { credentialUsername, parseAuthHeader } from './digest-params.js';

export interface DigestCredentials {
  username: string;
  nonce: string;
  uri: string;
  response: string;
  alg: DigestAlgorithm;
  /** "auth" as the client spelled it (it is hashed as sent); absent for RFC 2069. */
  qop?: string;
  /** As sent (8 hex digits); absent without qop. */
  nc?: string;
  /** The nonce count as a number; 1 for an RFC 2069 credential (one use per nonce). */
  count: number;
  cnonce?: string;
}

export type CredentialSelection =
  | { kind: 'none' }
  | { kind: 'malformed'; why: string }
  | { kind: 'ok'; credentials: DigestCredentials };

export interface SelectionRules {
  /** Algorithms the server offers. */
  offered: readonly DigestAlgorithm[];
  /** Accept MD5 credentials without qop (RFC 2069 clients). */
  acceptRfc2069: boolean;
}

const NONE: CredentialSelection = Object.freeze({ kind: 'none' });
const NC = /^[0-9A-Fa-f]{8}$/;

/**
 * The first usable credential for `realm` among the header field values. Credentials
 * for other realms are ignored; a field we cannot parse only matters if no other
 * field gives us credentials.
 */
export function selectCredentials(values: readonly string[], realm: string, rules: SelectionRules): CredentialSelection {
  let problem: string | undefined;
  for (const value of values) {
    let schemes;
    try {
      schemes = parseAuthHeader(value);
    } catch (err) {
      if (!(err instanceof SipSyntaxError)) throw err;
      problem ??= 'Bad Authorization';
      continue;
    }
    for (const s of schemes) {
      if (s.scheme.toLowerCase() !== 'digest' || s.params.get('realm') !== realm) continue;
      const checked = checkCredential(s.params, rules);
      if (typeof checked !== 'string') return { kind: 'ok', credentials: checked };
      problem ??= checked;
    }
  }
  return problem === undefined ? NONE : { kind: 'malformed', why: problem };
}

/** The credential, or the reason phrase of the 400 it deserves. */
function checkCredential(p: Map<string, string>, rules: SelectionRules): DigestCredentials | string {
  const username = credentialUsername(p);
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return 'Incomplete Authorization';
  }
  const alg = digestAlgorithm(p.get('algorithm'));
  // RFC 7616 §3.4: the algorithm, like qop, must be one the challenge offered.
  if (!alg || !rules.offered.includes(alg)) return 'Unsupported Digest Algorithm';
  const qop = p.get('qop');
  if (qop === undefined) {
    // RFC 3261 §22.4: "SIP servers supporting RFC 2617 MUST ensure they are backwards
    // compatible with RFC 2069" -- whose clients send no qop, nc or cnonce. RFC 7616
    // requires qop, so only MD5 is accepted this way.
    if (!rules.acceptRfc2069 || alg !== MD5) return 'Missing qop';
    return { username, nonce, uri, response, alg, count: 1 };
  }
  if (qop.toLowerCase() !== 'auth') return 'Unsupported qop';
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  if (nc === undefined || cnonce === undefined || !NC.test(nc)) return 'Bad nc or cnonce';
  const count = parseInt(nc, 16);
  if (count === 0) return 'Bad nc or cnonce';
  return { username, nonce, uri, response, alg, qop, nc, count, cnonce };
}
