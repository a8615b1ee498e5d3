// Low-level text scanning shared by the header parsers: comma lists that respect
// quoted strings and <...>, generic parameters, quoted-string unescaping.
import { ParamMap } from './param-map.js';

export class SipSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipSyntaxError';
  }
}

/** Trims SIP linear whitespace (SP and HTAB) only; String#trim would also eat U+FEFF and friends. */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Splits a header value at top-level commas (§7.3.1), leaving commas inside quoted
 * strings and angle brackets alone. An unterminated quote or bracket is an error.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c /* < */) inAngle = true;
    else if (c === 0x3e /* > */) inAngle = false;
    else if (c === 0x2c /* , */ && !inAngle) {
      out.push(trimLws(value.slice(start, i)));
      start = i + 1;
    }
  }
  if (inQuote) throw new SipSyntaxError('unterminated quoted string');
  if (inAngle) throw new SipSyntaxError('unterminated <');
  out.push(trimLws(value.slice(start)));
  return out;
}

/** Undoes quoted-pair escapes of a quoted-string body (§25.1). */
export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    return s.slice(1, -1).replace(/\\(.)/gs, '$1');
  }
  return s;
}

/** Quotes a value for a quoted-string. */
export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Parses `;name=value;flag;name="quoted"` parameters into an ordered map. Names are
 * lower-cased (parameter names are case-insensitive); values keep their case and
 * quotes are removed. Whitespace around ';' and '=' is allowed (SWS, §25.1).
 */
const isWs = (c: number): boolean => c === 0x20 || c === 0x09;

export function parseParams(text: string): Map<string, string> {
  const params = new ParamMap();
  let i = 0;
  const n = text.length;
  // Character codes, not regular expressions: this runs for every Via, From, To and
  // Contact of every message.
  while (i < n) {
    while (i < n && isWs(text.charCodeAt(i))) i++;
    if (i >= n) break;
    if (text.charCodeAt(i) !== 0x3b /* ; */) {
      throw new SipSyntaxError(`expected ";" in parameters, got ${JSON.stringify(text.slice(i, i + 10))}`);
    }
    i++;
    while (i < n && isWs(text.charCodeAt(i))) i++;
    const nameStart = i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (isWs(c) || c === 0x3d /* = */ || c === 0x3b) break;
    }
    const name = text.slice(nameStart, i);
    if (name === '') throw new SipSyntaxError('empty parameter name');
    while (i < n && isWs(text.charCodeAt(i))) i++;
    let value = '';
    if (text.charCodeAt(i) === 0x3d) {
      i++;
      while (i < n && isWs(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 0x22 /* " */) {
        const q = i;
        i++;
        while (i < n && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
        if (i >= n) throw new SipSyntaxError('unterminated quoted parameter value');
        i++;
        value = unquote(text.slice(q, i));
      } else {
        const vStart = i;
        for (; i < n; i++) {
          const c = text.charCodeAt(i);
          if (isWs(c) || c === 0x3b) break;
        }
        value = text.slice(vStart, i);
        if (value === '') throw new SipSyntaxError(`parameter ${name} has "=" but no value`);
      }
    }
    params.set(name.toLowerCase(), value);
  }
  return params;
}

const PARAM_TOKEN = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/;

function formatParam(k: string, v: string): string {
  if (v === '') return `;${k}`;
  return PARAM_TOKEN.test(v) ? `;${k}=${v}` : `;${k}=${quote(v)}`;
}

export function formatParams(params: Map<string, string>): string {
  let out = '';
  for (const [k, v] of params) out += formatParam(k, v);
  return out;
}

/** formatParams for parameters kept as a plain object (a registrar binding's). */
export function formatParamRecord(params: Record<string, string>): string {
  let out = '';
  for (const k in params) out += formatParam(k, params[k]!);
  return out;
}

/** Parses an unsigned decimal that must fit in 32 bits (§25.1 CSeq, Expires...). */
export function parseUint32(text: string, what: string): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) throw new SipSyntaxError(`${what} is not a number`);
  const v = Number(t);
  if (v > 0xffffffff) throw new SipSyntaxError(`${what} exceeds 2^32-1`);
  return v;
}

/**
 * A copy of `s` that shares no memory with the message it was cut from. V8 keeps a
 * substring as a view of its parent, so a short value stored for minutes (a nonce, a
 * binding's Contact) would otherwise keep the whole header block of its message alive.
 */
export function ownString(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf8').toString('utf8');
}
