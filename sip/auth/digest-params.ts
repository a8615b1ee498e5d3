// The parameter lists of WWW-Authenticate / Proxy-Authenticate challenges and of
// Authorization / Proxy-Authorization credentials (RFC 3261 §25.1, RFC 7616 §3.3-3.4):
//
//   challenge   = "Digest" LWS digest-cln *(COMMA digest-cln)
//   credentials = "Digest" LWS dig-resp *(COMMA dig-resp)
//   auth-param  = auth-param-name EQUAL ( token / quoted-string )
//
// One field may carry several challenges (`Digest a=1, Digest b=2`): a token that
// is not followed by "=" starts a new one. Parameter names are case-insensitive and
// returned lower-cased; values are returned with quotes and escapes removed.
import { SipSyntaxError } from '../message/scanner.js';
import { ParamMap } from '../message/param-map.js';

export interface AuthScheme {
  /** The scheme as written ("Digest", "digest"...). */
  scheme: string;
  params: Map<string, string>;
}

/** More parameters than any real challenge has: a guard, not a protocol limit. */
const MAX_PARAMS = 32;

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWs(c: number): boolean {
  return c === SP || c === HTAB || c === CR || c === LF;
}

/** Parses one header field value into its challenges or credentials. Throws SipSyntaxError. */
export function parseAuthHeader(value: string): AuthScheme[] {
  const out: AuthScheme[] = [];
  let current: AuthScheme | undefined;
  const n = value.length;
  let i = 0;
  for (;;) {
    while (i < n && (isWs(value.charCodeAt(i)) || value.charCodeAt(i) === COMMA)) i++;
    if (i >= n) break;
    const start = i;
    while (i < n) {
      const c = value.charCodeAt(i);
      if (isWs(c) || c === COMMA || c === EQUALS || c === DQUOTE) break;
      i++;
    }
    if (i === start) throw new SipSyntaxError('expected a token in an authentication header');
    const word = value.slice(start, i);
    while (i < n && isWs(value.charCodeAt(i))) i++;
    if (i >= n || value.charCodeAt(i) !== EQUALS) {
      // A token not followed by "=" is a scheme name.
      current = { scheme: word, params: new ParamMap() };
      out.push(current);
      continue;
    }
    if (!current) throw new SipSyntaxError('authentication parameter before the scheme');
    i++; // "="
    while (i < n && isWs(value.charCodeAt(i))) i++;
    let v: string;
    if (i < n && value.charCodeAt(i) === DQUOTE) {
      i++;
      const vStart = i;
      let escaped = false;
      while (i < n && value.charCodeAt(i) !== DQUOTE) {
        if (value.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (i >= n) throw new SipSyntaxError('unterminated quoted string in an authentication header');
      v = escaped ? unescapeQuoted(value.slice(vStart, i)) : value.slice(vStart, i);
      i++; // closing quote
    } else {
      const vStart = i;
      while (i < n && !isWs(value.charCodeAt(i)) && value.charCodeAt(i) !== COMMA) i++;
      if (i === vStart) throw new SipSyntaxError(`authentication parameter ${word} has no value`);
      v = value.slice(vStart, i);
    }
    const name = hasUpper(word) ? word.toLowerCase() : word;
    // RFC 7616 §3.3-3.4 allow each directive once; two realms or two responses in one
    // credential would leave the meaning to whichever copy a reader happens to take.
    if (current.params.has(name)) throw new SipSyntaxError(`duplicate authentication parameter ${name}`);
    if (current.params.size >= MAX_PARAMS) throw new SipSyntaxError('too many authentication parameters');
    current.params.set(name, v);
    while (i < n && isWs(value.charCodeAt(i))) i++;
    if (i < n && value.charCodeAt(i) !== COMMA) throw new SipSyntaxError('expected "," between authentication parameters');
  }
  return out;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

/** quoted-pair = "\" (any char): the char stands for itself (§25.1). */
function unescapeQuoted(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === BACKSLASH && i + 1 < s.length) i++;
    out += s[i];
  }
  return out;
}

/** A quoted-string for a header value: `"` and `\` escaped. */
export function quoteParam(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${s}"`;
  let out = '"';
  for (const ch of s) out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  return `${out}"`;
}

/**
 * The username of a credential: `username`, or the RFC 7616 §3.4.4 extended form
 * `username*=UTF-8''J%C3%A4s%C3%B8n` used for names that do not fit a quoted-string.
 */
export function credentialUsername(params: Map<string, string>): string | undefined {
  const plain = params.get('username');
  if (plain !== undefined) return params.has('username*') ? undefined : plain;
  const ext = params.get('username*');
  if (ext === undefined) return undefined;
  const m = /^UTF-8'[^']*'(.*)$/i.exec(ext);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}
