// Digest authentication of incoming requests (RFC 3261 §22, RFC 7616, RFC 8760):
// challenges with stateless nonces, verification against stored HA1 values, nonce
// count replay rejection, lockout after repeated failures, and security log lines.
//
// The caller (registrar, INVITE handling) asks `verify()` and either proceeds with
// the authenticated username or sends the response it is handed:
//
//   const r = await auth.verify(req, { realm, source, lookup });
//   if (!r.ok) return send(createResponse(req, r.status, { headers: r.headers, reason: r.reason }));
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { SipRequest } from '../message/message.js';
import type { Peer } from '../transaction/transaction-layer.js';
import { constantTimeEqual } from './constant-time.js';
import { digestResponse, MD5, SHA256, type DigestAlgorithm } from './digest-algorithm.js';
import { selectCredentials, type DigestCredentials } from './digest-credentials.js';
import { quoteParam } from './digest-params.js';
import { digestUriMatches } from './digest-uri.js';
import { Lockout, type LockoutOptions } from './lockout.js';
import { NonceCounts } from './nonce-counts.js';
import { NonceIssuer, type NonceCheck } from './nonce.js';
import { SecurityLog, type AuthFailureReason, type SecurityLogger } from './security-log.js';

/** The digests a credential store keeps per user and realm (never the password). */
export interface Ha1Record {
  ha1Md5: string;
  ha1Sha256: string;
}

/** A credential store's answer; a cached one may be a plain value rather than a promise. */
export type Ha1Lookup = (username: string, realm: string) => Ha1Record | undefined | Promise<Ha1Record | undefined>;

export interface DigestServerOptions {
  /** HMAC key for nonces, at least 16 bytes. Nodes of a cluster share it. */
  secret: Buffer | string;
  /** Wall-clock milliseconds. Default Date.now. */
  now?: () => number;
  /** How long a nonce stays good. Default 5 minutes. */
  nonceTtlMs?: number;
  /** Make a nonce valid only from the address it was sent to. Default false. */
  bindNonceToAddress?: boolean;
  /**
   * Algorithms offered, in challenge order; only these are accepted. Default
   * ['SHA-256', 'MD5'] (RFC 8760). Clients that answer only the first challenge and
   * know only MD5 (SIPp 3.6) need MD5 first — at the price of RFC 7616 clients that
   * take the first challenge they support picking MD5 too.
   */
  algorithms?: readonly ('SHA-256' | 'MD5')[];
  /** Accept MD5 credentials without qop (RFC 2069 clients). Default true. */
  acceptRfc2069?: boolean;
  /** Require the credential's uri to match the Request-URI (400 otherwise). Default true. */
  checkDigestUri?: boolean;
  /** Nonces whose highest nc is remembered. Default 100,000. */
  maxTrackedNonces?: number;
  /** Lockout thresholds, a shared Lockout, or false for none. Default: DEFAULT_LOCKOUT. */
  lockout?: Partial<LockoutOptions> | Lockout | false;
  /** Where security events go (a pino logger). Default: nowhere. */
  log?: SecurityLogger;
  /** Randomness (tests make it deterministic). Default crypto.randomBytes. */
  randomBytes?: (n: number) => Buffer;
}

export interface VerifyOptions {
  realm: string;
  /** Where the request came from: its address keys lockout and, optionally, nonces. */
  source: Peer;
  /** Proxy-Authorization and 407 instead of Authorization and 401. */
  proxy?: boolean;
  lookup: Ha1Lookup;
}

/** Why a request was not authenticated: for metrics and tests; never sent to the client. */
export type VerifyOutcome = 'no_credentials' | 'malformed' | 'locked' | AuthFailureReason;

export type VerifyResult =
  | { ok: true; username: string; algorithm: 'MD5' | 'SHA-256' }
  | {
      ok: false;
      status: 400 | 401 | 403 | 407;
      /** Reason phrase for a 400 (which part of the credential was wrong). */
      reason?: string;
      /** Header fields for the response: the challenges of a 401/407. */
      headers: [string, string][];
      outcome: VerifyOutcome;
    };

export interface ChallengeOptions {
  /** The previous credential was right but its nonce was not (RFC 7616 §3.3). */
  stale?: boolean;
  proxy?: boolean;
  /** Needed when nonces are bound to the client's address. */
  source?: Peer;
}

/**
 * RFC 8760 §2.4: a server offering several algorithms sends one challenge per
 * algorithm, the preferred one first; SHA-256 comes first and MD5 stays for the
 * phones that know nothing else.
 */
const DEFAULT_ALGORITHMS = ['SHA-256', 'MD5'] as const;

const DEFAULT_NONCE_TTL_MS = 5 * 60_000;
const DEFAULT_TRACKED_NONCES = 100_000;
/** Realms whose challenge prefix is cached; there is one realm per tenant. */
const MAX_CACHED_REALMS = 1024;

export class DigestServer {
  private readonly now: () => number;
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCounts;
  private readonly lockout: Lockout | undefined;
  private readonly log: SecurityLog;
  private readonly acceptRfc2069: boolean;
  private readonly checkDigestUri: boolean;
  private readonly offered: readonly DigestAlgorithm[];
  /** Stand-in HA1s for unknown users, so they cost the same hashing as known ones. */
  private readonly dummyHa1: Ha1Record;
  private readonly realmPrefix = new Map<string, string>();

  constructor(opts: DigestServerOptions) {
    const random = opts.randomBytes ?? cryptoRandomBytes;
    this.now = opts.now ?? Date.now;
    const ttl = opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS;
    this.nonces = new NonceIssuer({
      secret: opts.secret,
      ttlMs: ttl,
      now: this.now,
      counterSeed: random(4).readUInt32BE(0),
      bindSourceAddress: opts.bindNonceToAddress ?? false,
    });
    this.counts = new NonceCounts(opts.maxTrackedNonces ?? DEFAULT_TRACKED_NONCES, ttl);
    this.lockout = opts.lockout === false ? undefined : opts.lockout instanceof Lockout ? opts.lockout : new Lockout(opts.lockout);
    this.log = new SecurityLog(opts.log);
    this.acceptRfc2069 = opts.acceptRfc2069 ?? true;
    this.checkDigestUri = opts.checkDigestUri ?? true;
    const names = opts.algorithms ?? DEFAULT_ALGORITHMS;
    const known = new Map([['SHA-256', SHA256], ['MD5', MD5]]);
    if (names.length === 0 || new Set(names).size !== names.length || !names.every((n) => known.has(n))) {
      throw new RangeError('algorithms must be distinct, not empty, and each SHA-256 or MD5');
    }
    this.offered = names.map((n) => known.get(n)!);
    this.dummyHa1 = { ha1Md5: random(16).toString('hex'), ha1Sha256: random(32).toString('hex') };
  }

  /**
   * The challenge for a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate): one value
   * per offered algorithm, all with the same fresh nonce.
   */
  challenge(realm: string, opts: ChallengeOptions = {}): [string, string[]] {
    const name = opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const nonce = this.nonces.issue(realm, opts.source?.address ?? '');
    const prefix = this.prefix(realm);
    // RFC 3261 §22.4 item 8: "servers MUST always send a "qop" parameter in
    // WWW-Authenticate and Proxy-Authenticate header field values."
    const tail = opts.stale ? ', qop="auth", stale=true' : ', qop="auth"';
    const values: string[] = [];
    for (const alg of this.offered) values.push(`${prefix}${nonce}", algorithm=${alg.name}${tail}`);
    return [name, values];
  }

  /** Decides whether `req` carries valid credentials for `realm`. */
  async verify(req: SipRequest, opts: VerifyOptions): Promise<VerifyResult> {
    const { realm, source } = opts;
    const address = source.address;
    const lockout = this.lockout;
    // While locked, nothing is checked, for known and unknown accounts alike.
    if (lockout && lockout.addressLockedMs(address, this.now()) > 0) return forbidden();

    const selected = selectCredentials(req.getAll(opts.proxy ? 'proxy-authorization' : 'authorization'), realm, {
      offered: this.offered,
      acceptRfc2069: this.acceptRfc2069,
    });
    if (selected.kind === 'none') return this.reject(realm, opts, false, 'no_credentials');
    if (selected.kind === 'malformed') return badRequest(selected.why, 'malformed');
    const cred = selected.credentials;
    if (lockout && lockout.accountLockedMs(realm, cred.username, this.now()) > 0) return forbidden();

    if (this.checkDigestUri && !digestUriMatches(cred.uri, req.uri)) {
      this.log.authFailed(address, cred.username, realm, 'uri_mismatch');
      return badRequest('Digest URI Mismatch', 'uri_mismatch');
    }

    const nonce = this.nonces.check(cred.nonce, realm, address);
    const found = opts.lookup(cred.username, realm);
    const record = found instanceof Promise ? await found : found;
    if (!this.passwordMatches(req.method, cred, record)) {
      const reason = record ? 'bad_password' : 'unknown_user';
      this.log.authFailed(address, cred.username, realm, reason);
      if (lockout) {
        for (const e of lockout.recordFailure(realm, cred.username, address, this.now())) {
          this.log.lockout(address, cred.username, realm, e.scope, e.backoffMs, e.level);
        }
      }
      // The same fresh challenge whether the user exists or not.
      return this.reject(realm, opts, false, reason);
    }

    // The password was right. Whatever is wrong now is the nonce, which a new
    // challenge fixes without asking the user again: stale=true.
    const nonceProblem = this.nonceProblem(nonce, cred);
    if (nonceProblem) {
      this.log.authFailed(address, cred.username, realm, nonceProblem);
      return this.reject(realm, opts, true, nonceProblem);
    }
    lockout?.recordSuccess(realm, cred.username);
    return { ok: true, username: cred.username, algorithm: cred.alg === SHA256 ? 'SHA-256' : 'MD5' };
  }

  /** Compares in constant time, and hashes as much for unknown users as for known ones. */
  private passwordMatches(method: string, cred: DigestCredentials, record: Ha1Record | undefined): boolean {
    const stored = record ?? this.dummyHa1;
    const ha1 = cred.alg === SHA256 ? stored.ha1Sha256 : stored.ha1Md5;
    const expected = digestResponse({
      alg: cred.alg,
      ha1,
      nonce: cred.nonce,
      method,
      uri: cred.uri,
      qop: cred.qop,
      nc: cred.nc,
      cnonce: cred.cnonce,
    });
    const same = constantTimeEqual(expected, cred.response.toLowerCase());
    return same && record !== undefined;
  }

  private nonceProblem(nonce: NonceCheck, cred: DigestCredentials): AuthFailureReason | undefined {
    // RFC 2617 §3.2.1: "The server should only set stale to TRUE if it receives a
    // request for which the nonce is invalid but with a valid digest for that nonce
    // (indicating that the client knows the correct username/password)."
    if (nonce.state === 'invalid') return 'bad_nonce';
    if (nonce.state === 'expired') return 'stale_nonce';
    if (!this.counts.accept(nonce.counter, nonce.issuedAt, cred.count, this.now())) return 'nc_replay';
    return undefined;
  }

  private reject(realm: string, opts: VerifyOptions, stale: boolean, outcome: VerifyOutcome): VerifyResult {
    const [name, values] = this.challenge(realm, { stale, proxy: opts.proxy, source: opts.source });
    const headers: [string, string][] = [];
    for (const v of values) headers.push([name, v]);
    return { ok: false, status: opts.proxy ? 407 : 401, headers, outcome };
  }

  /** `Digest realm="...", nonce="` for a realm, built once. */
  private prefix(realm: string): string {
    let p = this.realmPrefix.get(realm);
    if (p === undefined) {
      if (this.realmPrefix.size >= MAX_CACHED_REALMS) this.realmPrefix.clear();
      p = `Digest realm=${quoteParam(realm)}, nonce="`;
      this.realmPrefix.set(realm, p);
    }
    return p;
  }
}

function forbidden(): VerifyResult {
  return { ok: false, status: 403, headers: [], outcome: 'locked' };
}

function badRequest(reason: string, outcome: VerifyOutcome): VerifyResult {
  return { ok: false, status: 400, reason, headers: [], outcome };
}
