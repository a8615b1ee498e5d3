// The digest computations of RFC 7616 §3.4.1-3.4.3 (and RFC 2069's for clients that
// send no qop), shared by the server verifier and the client:
//
//   response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))   qop present
//   response = KD(H(A1), nonce ":" H(A2))                             RFC 2069, no qop
//   KD(secret, data) = H(secret ":" data)
//   A1 = username ":" realm ":" passwd                        (H(A1) is what the store keeps)
//   A1 = H(username ":" realm ":" passwd) ":" nonce ":" cnonce  for the -sess variants
//   A2 = method ":" digest-uri                                 qop=auth or none
//   A2 = method ":" digest-uri ":" H(entity-body)              qop=auth-int
import { hash } from 'node:crypto';

export type DigestAlgorithmName = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

export interface DigestAlgorithm {
  name: DigestAlgorithmName;
  /** The node:crypto hash. */
  hash: 'md5' | 'sha256' | 'sha512-256';
  sess: boolean;
  /** Higher is stronger; -sess ranks just below its plain form. */
  strength: number;
  /** Length of a digest in hex characters. */
  hexLength: number;
}

const ALGORITHMS: DigestAlgorithm[] = [
  { name: 'MD5', hash: 'md5', sess: false, strength: 10, hexLength: 32 },
  { name: 'MD5-sess', hash: 'md5', sess: true, strength: 9, hexLength: 32 },
  { name: 'SHA-256', hash: 'sha256', sess: false, strength: 20, hexLength: 64 },
  { name: 'SHA-256-sess', hash: 'sha256', sess: true, strength: 19, hexLength: 64 },
  { name: 'SHA-512-256', hash: 'sha512-256', sess: false, strength: 30, hexLength: 64 },
  { name: 'SHA-512-256-sess', hash: 'sha512-256', sess: true, strength: 29, hexLength: 64 },
];

const BY_NAME = new Map(ALGORITHMS.map((a) => [a.name.toLowerCase(), a]));

export const MD5 = BY_NAME.get('md5')!;
export const SHA256 = BY_NAME.get('sha-256')!;

/**
 * The algorithm named by an `algorithm` parameter (case-insensitive).
 * RFC 7616 §3.3: "If this is not present, it is assumed to be "MD5"."
 */
export function digestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  return name === undefined ? MD5 : BY_NAME.get(name.toLowerCase());
}

export function hexDigest(alg: DigestAlgorithm, text: string | Buffer): string {
  return hash(alg.hash, text, 'hex');
}

export interface DigestInput {
  alg: DigestAlgorithm;
  /** H(username:realm:password), lower-case hex. */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  /** "auth" or "auth-int" as sent (it is hashed as is); absent for an RFC 2069 response. */
  qop?: string;
  /** 8 hex digits, as sent. */
  nc?: string;
  cnonce?: string;
  /** The message body, for qop=auth-int. */
  body?: Buffer;
}

/** The `response` value the client sends and the server expects, as hex. */
export function digestResponse(d: DigestInput): string {
  const h = d.alg.hash;
  const ha1 = d.alg.sess ? hash(h, `${d.ha1}:${d.nonce}:${d.cnonce ?? ''}`, 'hex') : d.ha1;
  const a2 = d.qop === 'auth-int' ? `${d.method}:${d.uri}:${hash(h, d.body ?? Buffer.alloc(0), 'hex')}` : `${d.method}:${d.uri}`;
  const ha2 = hash(h, a2, 'hex');
  if (d.qop === undefined) return hash(h, `${ha1}:${d.nonce}:${ha2}`, 'hex');
  return hash(h, `${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`, 'hex');
}

/** H(username ":" realm ":" password): what a credential store keeps instead of the password. */
export function ha1Of(alg: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hash(alg.hash, `${username}:${realm}:${password}`, 'hex');
}
