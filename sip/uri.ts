// SIP and SIPS URIs (RFC 3261 §19.1, grammar in §25.1):
//
//   sip:user:password@host:port;uri-parameters?headers
//
// Parsing is strict about the parts a server acts on (scheme, host, port) and keeps
// parameters and headers as ordered maps with their escapes undone.
import { ParamMap } from './message/param-map.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  /** Host name (lower-cased), IPv4 address, or IPv6 reference without brackets. */
  host: string;
  hostKind: 'name' | 'ipv4' | 'ipv6';
  port: number | undefined;
  /** URI parameters (`;transport=tcp;lr`); a parameter without value maps to ''. */
  params: Map<string, string>;
  headers: Map<string, string>;
}

export class SipUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipUriError';
  }
}

// RFC 3261 §25.1: unreserved / escaped / user-unreserved for the user part.
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PARAM_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;
const HEADER_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/;

function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SipUriError(`bad escape in ${JSON.stringify(s)}`);
  }
}

function isIpv6(text: string): boolean {
  let s = text;
  // Structure check per RFC 4291 text forms, with an optional embedded IPv4 tail.
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return false;
  // RFC 3261's ABNF lets "::" be followed by the ":" of an IPv4 tail, so some
  // implementations write "2001:db8:::192.0.2.1"; RFC 5118 §4.10 asks parsers to accept it.
  s = s.replace(/:::(?=\d+\.\d+\.\d+\.\d+$)/, '::');
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(dbl[0]!);
  const tail = dbl.length === 2 ? groups(dbl[1]!) : [];
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!IPV4.test(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

export function parseSipUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon < 0) throw new SipUriError('missing scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') throw new SipUriError(`scheme must be sip or sips, not ${scheme}`);
  let rest = text.slice(colon + 1);

  let headersText: string | undefined;
  // '@' is never unescaped outside the userinfo, but '?' may appear in the user part
  // (user-unreserved), so the headers start at the first '?' after the host begins.
  const at = rest.lastIndexOf('@');
  const hostStart = at >= 0 ? at + 1 : 0;
  const qAfterHost = rest.indexOf('?', hostStart);
  if (qAfterHost >= 0) {
    headersText = rest.slice(qAfterHost + 1);
    rest = rest.slice(0, qAfterHost);
  }

  let user: string | undefined;
  let password: string | undefined;
  let hostport = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostport = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    const u = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    if (!USER.test(u)) throw new SipUriError('bad user part');
    user = unescape(u);
    if (pc >= 0) {
      const p = userinfo.slice(pc + 1);
      if (!PASSWORD.test(p)) throw new SipUriError('bad password part');
      password = unescape(p);
    }
  }

  const params = new ParamMap();
  const semi = hostport.indexOf(';');
  if (semi >= 0) {
    for (const p of hostport.slice(semi + 1).split(';')) {
      const eq = p.indexOf('=');
      const name = eq >= 0 ? p.slice(0, eq) : p;
      const value = eq >= 0 ? p.slice(eq + 1) : '';
      if (!PARAM_CHARS.test(name) || (value !== '' && !PARAM_CHARS.test(value))) {
        throw new SipUriError(`bad URI parameter ${JSON.stringify(p)}`);
      }
      params.set(unescape(name).toLowerCase(), unescape(value));
    }
    hostport = hostport.slice(0, semi);
  }

  let host: string;
  let hostKind: SipUri['hostKind'];
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw new SipUriError('unclosed IPv6 reference');
    host = hostport.slice(1, close);
    if (!isIpv6(host)) throw new SipUriError('bad IPv6 address');
    hostKind = 'ipv6';
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new SipUriError('junk after IPv6 reference');
      portText = after.slice(1);
    }
  } else {
    const pc = hostport.lastIndexOf(':');
    host = pc >= 0 ? hostport.slice(0, pc) : hostport;
    if (pc >= 0) portText = hostport.slice(pc + 1);
    if (IPV4.test(host)) hostKind = 'ipv4';
    else if (HOSTNAME.test(host)) {
      hostKind = 'name';
      host = host.toLowerCase();
    } else throw new SipUriError(host === '' ? 'missing host' : `bad host ${JSON.stringify(host)}`);
  }

  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new SipUriError(`bad port ${JSON.stringify(portText)}`);
    }
    port = Number(portText);
  }

  const headers = new ParamMap();
  if (headersText !== undefined && headersText !== '') {
    for (const h of headersText.split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw new SipUriError(`bad URI header ${JSON.stringify(h)}`);
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      if (!HEADER_CHARS.test(name) || !HEADER_CHARS.test(value)) throw new SipUriError(`bad URI header ${JSON.stringify(h)}`);
      headers.set(unescape(name), unescape(value));
    }
  }

  return { scheme, user, password, host, hostKind, port, params, headers };
}

/** True when `text` is a well-formed sip: or sips: URI. */
export function isSipUri(text: string): boolean {
  try {
    parseSipUri(text);
    return true;
  } catch {
    return false;
  }
}

// §25.1: user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/", and a password
// may hold "&" / "=" / "+" / "$" / ",": these stay as they are (a "+" of an E.164 number
// must reach a carrier as "+", not "%2B"); everything outside unreserved is escaped.
const USER_KEEP = /%(26|3D|2B|24|2C|3B|3F|2F)/gi;
const PASSWORD_KEEP = /%(26|3D|2B|24|2C)/gi;
const unescapeKept = (m: string): string => decodeURIComponent(m);

export function formatSipUri(u: SipUri): string {
  let out = `${u.scheme}:`;
  if (u.user !== undefined) {
    out += encodeURIComponent(u.user).replace(USER_KEEP, unescapeKept);
    if (u.password !== undefined) out += `:${encodeURIComponent(u.password).replace(PASSWORD_KEEP, unescapeKept)}`;
    out += '@';
  }
  out += u.hostKind === 'ipv6' ? `[${u.host}]` : u.host;
  if (u.port !== undefined) out += `:${u.port}`;
  for (const [k, v] of u.params) out += v === '' ? `;${k}` : `;${k}=${v}`;
  if (u.headers.size > 0) {
    out += '?' + [...u.headers].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  }
  return out;
}
