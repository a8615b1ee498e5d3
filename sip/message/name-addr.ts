// From, To, Contact, Route and Record-Route values (RFC 3261 §20.10, §25.1):
//
//   name-addr  = [ display-name ] "<" addr-spec ">"   ; then ;header-params
//   addr-spec  = SIP-URI / SIPS-URI / absoluteURI      ; without <>, every ";..." after
//                                                      ; the URI is a header parameter
import { formatParams, parseParams, quote, SipSyntaxError, unquote } from './scanner.js';

export interface NameAddr {
  displayName: string | undefined;
  /** The URI as written (escapes intact); parse it with parseSipUri when needed. */
  uri: string;
  /** Header parameters (tag, expires, q, lr ... outside the brackets). */
  params: Map<string, string>;
}

const TOKEN_RUN = /^[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*:/;

export function parseNameAddr(text: string): NameAddr {
  const s = text.trim();
  if (s === '') throw new SipSyntaxError('empty address');
  let displayName: string | undefined;
  let rest: string;

  const lt = findAngle(s);
  if (lt >= 0) {
    const display = s.slice(0, lt).trim();
    if (display !== '') {
      if (display.startsWith('"')) {
        if (!/^"(?:[^"\\]|\\.)*"$/s.test(display)) throw new SipSyntaxError('bad quoted display name');
        displayName = unquote(display);
      } else if (TOKEN_RUN.test(display)) displayName = display;
      else throw new SipSyntaxError(`display name ${JSON.stringify(display)} must be quoted`);
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new SipSyntaxError('unterminated <');
    const uri = s.slice(lt + 1, gt).trim();
    if (!SCHEME.test(uri) || /[\s<>]/.test(uri)) throw new SipSyntaxError(`bad URI ${JSON.stringify(uri)}`);
    rest = s.slice(gt + 1);
    return { displayName, uri, params: parseParams(rest) };
  }

  if (s.startsWith('"')) throw new SipSyntaxError('display name without <URI>');
  // addr-spec: the URI runs to the first ';' (its own parameters become header
  // parameters) and may not contain ',', '?' or ';' itself (§20.10, regbadct).
  const semi = s.indexOf(';');
  const uri = (semi >= 0 ? s.slice(0, semi) : s).trim();
  if (!SCHEME.test(uri) || /[\s,?<>"]/.test(uri)) throw new SipSyntaxError(`bad URI ${JSON.stringify(uri)}`);
  return { displayName, uri, params: parseParams(semi >= 0 ? s.slice(semi) : '') };
}

/** Index of the "<" that opens the URI, skipping any inside the quoted display name. */
function findAngle(s: string): number {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '<') return i;
  }
  if (inQuote) throw new SipSyntaxError('unterminated quoted string');
  return -1;
}

export function formatNameAddr(a: NameAddr): string {
  const display = a.displayName !== undefined && a.displayName !== '' ? `${quote(a.displayName)} ` : '';
  return `${display}<${a.uri}>${formatParams(a.params)}`;
}
