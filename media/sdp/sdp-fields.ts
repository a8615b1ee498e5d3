// Strict readers for the three SDP lines whose numbers and addresses the media plane acts on.
// sdp-transform reads them with loose regular expressions (a port of "49170/2" or "abc" leaves
// the field out instead of failing), so these are read here, token by token.
//
//   o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>   RFC 4566 §5.2
//   c=<nettype> <addrtype> <connection-address>                                    RFC 4566 §5.7
//   m=<media> <port>[/<number of ports>] <proto> <fmt> ...                          RFC 4566 §5.14
import { isIPv4, isIPv6 } from 'node:net';
import { malformed } from './sdp-error.js';

export type AddressFamily = 'IP4' | 'IP6';

export interface Origin {
  username: string;
  /** Digits, kept as text: RFC 3264 §5 allows the full 64-bit range. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addressType: string;
  address: string;
}

export interface Connection {
  family: AddressFamily;
  address: string;
  /**
   * unicast: an IP literal we can send to. multicast: a TTL or address count after a slash.
   * hostname: RFC 4566 allows an FQDN here; the media plane does not resolve names.
   */
  kind: 'unicast' | 'multicast' | 'hostname';
}

export interface MediaLine {
  type: string;
  port: number;
  /** The "/<number of ports>" suffix (layered multicast); 1 when absent. */
  portCount: number;
  protocol: string;
  formats: string[];
}

/** RFC 3264 §5: "The numeric value of the session id and version in the o line MUST be representable with a 64 bit signed integer." */
const MAX_ORIGIN_DIGITS = 19;
const MAX_TTL_OR_COUNT_DIGITS = 5;

const tokens = (value: string): string[] => value.split(' ').filter((t) => t.length > 0);

function isDigits(s: string, maxLength: number): boolean {
  if (s.length === 0 || s.length > maxLength) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Letters, digits and the punctuation RFC 4566's token and proto rules allow that we meet. */
function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 47 || c === 43;
    if (!ok) return false;
  }
  return true;
}

function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

/** Decimal digits (at most `maxLength`) to a number no larger than `max`, or undefined. */
export function readUint(s: string, maxLength: number, max: number): number | undefined {
  if (!isDigits(s, maxLength)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

export function parseOrigin(line: string): Origin {
  const t = tokens(line.slice(2));
  if (t.length !== 6) throw malformed('o= must have six fields');
  const [username, sessionId, sessionVersion, netType, addressType, address] = t as [string, string, string, string, string, string];
  if (!isDigits(sessionId, MAX_ORIGIN_DIGITS)) throw malformed('o= session id is not a number');
  if (!isDigits(sessionVersion, MAX_ORIGIN_DIGITS)) throw malformed('o= session version is not a number');
  return { username, sessionId, sessionVersion, netType, addressType, address };
}

/**
 * RFC 4566 §5.7: IPv4 multicast addresses carry "/<ttl>" and either family may carry
 * "/<number of addresses>"; a unicast address carries neither.
 */
export function parseConnection(line: string): Connection {
  const t = tokens(line.slice(2));
  if (t.length !== 3) throw malformed('c= must have three fields');
  const [netType, addressType, value] = t as [string, string, string];
  if (netType !== 'IN') throw malformed(`c= network type ${netType} is not IN`);
  if (addressType !== 'IP4' && addressType !== 'IP6') throw malformed(`c= address type ${addressType} is not IP4 or IP6`);
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  if (slash >= 0) {
    for (const part of value.slice(slash + 1).split('/')) {
      if (!isDigits(part, MAX_TTL_OR_COUNT_DIGITS)) throw malformed('c= TTL or address count is not a number');
    }
  }
  const literal = addressType === 'IP4' ? isIPv4(address) : isIPv6(address);
  if (!literal && !isHostname(address)) throw malformed(`c= address ${JSON.stringify(address)} is neither an ${addressType} address nor a host name`);
  const kind = slash >= 0 ? 'multicast' : literal ? 'unicast' : 'hostname';
  return { family: addressType, address, kind };
}

/** RTP profiles carry payload type numbers as formats: "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF"... */
export function isRtpProtocol(protocol: string): boolean {
  return protocol.startsWith('RTP/') || protocol.includes('/RTP/');
}

/**
 * RFC 3551 §3: "This profile reserves payload type numbers in the range 96-127 exclusively for
 * dynamic assignment"; the RTP header's PT field is 7 bits (RFC 3550 §5.1), so 0..127 is all
 * there is. A number outside that, or one listed twice, is a broken offer, not a codec we lack.
 */
export const MAX_PAYLOAD_TYPE = 127;

export function parseMediaLine(line: string): MediaLine {
  const t = tokens(line.slice(2));
  if (t.length < 4) throw malformed('m= must have a media type, port, protocol and at least one format');
  const [type, portField, protocol] = t as [string, string, string];
  const formats = t.slice(3);
  if (!isToken(type)) throw malformed('m= media type is not a token');
  const slash = portField.indexOf('/');
  const port = readUint(slash < 0 ? portField : portField.slice(0, slash), 5, 65535);
  if (port === undefined) throw malformed(`m= port ${JSON.stringify(portField)} is not a port number`);
  let portCount = 1;
  if (slash >= 0) {
    const count = readUint(portField.slice(slash + 1), 5, 65535);
    if (count === undefined || count === 0) throw malformed('m= number of ports is not a positive number');
    portCount = count;
  }
  if (!isToken(protocol)) throw malformed('m= protocol is not a token');
  if (isRtpProtocol(protocol)) {
    const seen = new Set<number>();
    for (const f of formats) {
      const pt = readUint(f, 3, MAX_PAYLOAD_TYPE);
      if (pt === undefined) throw malformed(`m= payload type ${JSON.stringify(f.slice(0, 16))} is not 0..127`);
      if (seen.has(pt)) throw malformed(`m= lists payload type ${pt} twice`);
      seen.add(pt);
    }
  }
  return { type, port, portCount, protocol, formats };
}
