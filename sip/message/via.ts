// Via (RFC 3261 §20.42, §18.2.1; rport RFC 3581):
//
//   Via: SIP / 2.0 / UDP host[:port] ;branch=z9hG4bK...;received=...;rport
//
// LWS is allowed around "/" in sent-protocol and around ";" and "=".
import { formatParams, parseParams, SipSyntaxError } from './scanner.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  /** "2.0" for every SIP we speak; kept so a 505 can still be routed back (badvers). */
  version: string;
  /** Upper case: UDP, TCP, TLS, WS, WSS, SCTP or any other token. */
  transport: string;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
}

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
const SENT_PROTOCOL = new RegExp(`^SIP[ \\t]*/[ \\t]*(${TOKEN})[ \\t]*/[ \\t]*(${TOKEN})[ \\t]+`, 'i');

export function parseVia(text: string): Via {
  const s = text.trim();
  const m = SENT_PROTOCOL.exec(s);
  if (!m) throw new SipSyntaxError('bad Via sent-protocol');
  let rest = s.slice(m[0].length).trimStart();
  const semi = rest.indexOf(';');
  const hostport = (semi >= 0 ? rest.slice(0, semi) : rest).trim();
  rest = semi >= 0 ? rest.slice(semi) : '';

  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw new SipSyntaxError('bad Via IPv6 host');
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1).trim();
    if (after) {
      if (!after.startsWith(':')) throw new SipSyntaxError('bad Via host');
      portText = after.slice(1).trim();
    }
  } else {
    const c = hostport.indexOf(':');
    host = (c >= 0 ? hostport.slice(0, c) : hostport).trim();
    if (c >= 0) portText = hostport.slice(c + 1).trim();
  }
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/.test(host)) throw new SipSyntaxError(`bad Via host ${JSON.stringify(host)}`);
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new SipSyntaxError('bad Via port');
    port = Number(portText);
  }
  const params = parseParams(rest);
  // A branch parameter must have a value (badbranch only tests the bare cookie).
  if (params.has('branch') && params.get('branch') === '') throw new SipSyntaxError('empty Via branch');
  return { version: m[1]!, transport: m[2]!.toUpperCase(), host: host.toLowerCase(), port, params };
}

export function formatVia(v: Via): string {
  return `SIP/${v.version}/${v.transport} ${v.host}${v.port !== undefined ? `:${v.port}` : ''}${formatParams(v.params)}`;
}
