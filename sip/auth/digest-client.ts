// Answering a 401/407 challenge as a UAC (Switchboard registering to, or calling
// through, a carrier with a trunk's credentials). RFC 3261 §22.2-22.3, RFC 7616 §3.4.
//
// The caller re-sends the request with the returned header field added, a new Via
// branch and, per §22.2, a new CSeq: the UAC "MUST increment the CSeq header field
// value as it would normally when sending an updated request".
// Answering the same challenge twice in a row is the caller's loop to break: a
// second 401 without stale=true means the credentials are wrong (RFC 7616 §3.3).
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { SipRequest, SipResponse } from '../message/message.js';
import { SipSyntaxError } from '../message/scanner.js';
import { digestAlgorithm, digestResponse, ha1Of, type DigestAlgorithm, type DigestAlgorithmName } from './digest-algorithm.js';
import { parseAuthHeader, quoteParam } from './digest-params.js';

export interface DigestClientCredentials {
  username: string;
  password: string;
}

export interface DigestAnswer {
  header: 'Authorization' | 'Proxy-Authorization';
  value: string;
  realm: string;
  algorithm: DigestAlgorithmName;
  /** The server said the previous nonce was stale, not the password wrong. */
  stale: boolean;
}

export interface DigestClientStateOptions {
  /** Client nonce generator (tests pin it). Default: 16 random bytes, base64url. */
  cnonce?: () => string;
  randomBytes?: (n: number) => Buffer;
}

/** Nonces whose counts a client remembers: a carrier has one or two live at a time. */
const MAX_NONCES = 64;

/** Per-trunk client state: the nonce count of every nonce used so far. */
export class DigestClientState {
  private readonly counts = new Map<string, number>();
  private readonly makeCnonce: () => string;

  constructor(opts: DigestClientStateOptions = {}) {
    const random = opts.randomBytes ?? cryptoRandomBytes;
    this.makeCnonce = opts.cnonce ?? (() => random(16).toString('base64url'));
  }

  /**
   * RFC 7616 §3.4: nc is "the hexadecimal count of the number of requests (including
   * the current request) that the client has sent with the nonce value in this request."
   */
  nextCount(nonce: string): number {
    const n = (this.counts.get(nonce) ?? 0) + 1;
    this.counts.delete(nonce);
    if (this.counts.size >= MAX_NONCES) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(nonce, n);
    return n;
  }

  cnonce(): string {
    return this.makeCnonce();
  }
}

interface Usable {
  realm: string;
  nonce: string;
  alg: DigestAlgorithm;
  qop: 'auth' | 'auth-int' | undefined;
  opaque: string | undefined;
  stale: boolean;
}

/**
 * The credentials answering a 401 or 407: one per challenging realm (several proxies
 * may challenge one request, §22.3), each with the strongest algorithm that realm
 * offered. Empty when nothing offered is usable.
 */
export function answerChallenge(
  res: SipResponse,
  req: SipRequest,
  creds: DigestClientCredentials,
  state: DigestClientState,
): DigestAnswer[] {
  if (res.status !== 401 && res.status !== 407) return [];
  const proxy = res.status === 407;
  const best = new Map<string, Usable>();
  for (const field of res.getAll(proxy ? 'proxy-authenticate' : 'www-authenticate')) {
    let schemes;
    try {
      schemes = parseAuthHeader(field);
    } catch (err) {
      if (err instanceof SipSyntaxError) continue; // one broken field does not spoil the others
      throw err;
    }
    for (const s of schemes) {
      if (s.scheme.toLowerCase() !== 'digest') continue;
      const u = usable(s.params);
      if (!u) continue;
      // RFC 7616 §3.7 has the client "use the first challenge it supports, unless a
      // local policy dictates otherwise"; ours is to take the strongest, which for a
      // server following RFC 8760 (SHA-256 listed first) is the same challenge.
      const prev = best.get(u.realm);
      if (!prev || u.alg.strength > prev.alg.strength) best.set(u.realm, u);
    }
  }
  const header = proxy ? 'Proxy-Authorization' : 'Authorization';
  const out: DigestAnswer[] = [];
  for (const u of best.values()) {
    out.push({ header, value: credentialValue(u, req, creds, state), realm: u.realm, algorithm: u.alg.name, stale: u.stale });
  }
  return out;
}

function usable(p: Map<string, string>): Usable | undefined {
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const alg = digestAlgorithm(p.get('algorithm'));
  if (realm === undefined || nonce === undefined || !alg) return undefined;
  let qop: Usable['qop'];
  const offered = p.get('qop');
  if (offered !== undefined) {
    const list = offered.split(',').map((q) => q.trim().toLowerCase());
    if (list.includes('auth')) qop = 'auth';
    else if (list.includes('auth-int')) qop = 'auth-int';
    else return undefined;
  } else if (alg.sess) {
    // RFC 3261 §22.4 item 8: algorithms that depend on the cnonce (-sess) "require
    // that the qop directive be sent"; without it the server could not verify us.
    return undefined;
  }
  return { realm, nonce, alg, qop, opaque: p.get('opaque'), stale: p.get('stale')?.toLowerCase() === 'true' };
}

function credentialValue(u: Usable, req: SipRequest, creds: DigestClientCredentials, state: DigestClientState): string {
  const ha1 = ha1Of(u.alg, creds.username, u.realm, creds.password);
  let value = `Digest username=${quoteParam(creds.username)}, realm=${quoteParam(u.realm)}, nonce=${quoteParam(u.nonce)}`;
  // RFC 3261 §22.4 item 2: "For SIP, the 'uri' MUST be enclosed in quotation marks."
  value += `, uri=${quoteParam(req.uri)}`;
  if (u.qop === undefined) {
    const response = digestResponse({ alg: u.alg, ha1, nonce: u.nonce, method: req.method, uri: req.uri });
    value += `, response="${response}", algorithm=${u.alg.name}`;
  } else {
    const nc = state.nextCount(u.nonce).toString(16).padStart(8, '0');
    const cnonce = state.cnonce();
    const response = digestResponse({
      alg: u.alg,
      ha1,
      nonce: u.nonce,
      method: req.method,
      uri: req.uri,
      qop: u.qop,
      nc,
      cnonce,
      body: req.body,
    });
    // RFC 7616 §3.4: qop and nc are tokens, cnonce a quoted string.
    value += `, response="${response}", algorithm=${u.alg.name}, qop=${u.qop}, nc=${nc}, cnonce=${quoteParam(cnonce)}`;
  }
  // RFC 7616 §3.3: opaque "SHOULD be returned by the client unchanged".
  if (u.opaque !== undefined) value += `, opaque=${quoteParam(u.opaque)}`;
  return value;
}
