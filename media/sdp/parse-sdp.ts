// Text → SessionDescription. The guard (sdp-guard.ts) bounds the input first; o=, c= and m= are
// read strictly here (sdp-fields.ts); the attributes come from sdp-transform, then are checked.
// Anything the media plane would act on wrongly is an SdpError; anything it merely does not use
// (unknown attributes, video formats) passes through untouched.
import { parse as transformParse, type MediaDescription as TransformMedia } from 'sdp-transform';
import { canonicalName, staticFormat, type PayloadFormat } from './codec-catalog.js';
import { parseCrypto, type CryptoAttribute, type RawCrypto } from './crypto-attribute.js';
import { isDirection, type Direction } from './direction.js';
import type { MediaDescription, SessionDescription } from './media-description.js';
import { malformed } from './sdp-error.js';
import { isRtpProtocol, MAX_PAYLOAD_TYPE, parseConnection, parseMediaLine, parseOrigin, readUint, type Connection } from './sdp-fields.js';
import { SDP_LIMITS, splitSdp, type SdpLimits, type SdpSections } from './sdp-guard.js';

/** RFC 4566 §5 types; RFC 4566 §5: "An SDP parser MUST completely ignore any session description that contains a type letter that it does not understand." */
const KNOWN_TYPES = 'vosiuepcbtrzkam';

/** ptime/maxptime beyond a second are nonsense; treat them as absent rather than packetise by them. */
const MAX_PTIME_MS = 1000;

function countType(lines: readonly string[], type: string): number {
  let n = 0;
  for (const l of lines) if (l[0] === type) n++;
  return n;
}

function checkTypes(lines: readonly string[]): void {
  for (const l of lines) if (!KNOWN_TYPES.includes(l[0]!)) throw malformed(`SDP line type ${l[0]}= is not an SDP type`);
}

function onlyConnection(lines: readonly string[], where: string): Connection | undefined {
  const found = lines.filter((l) => l.startsWith('c='));
  // RFC 4566 §5.7: several c= lines per media are only for layered multicast.
  if (found.length > 1) throw malformed(`${where} has more than one c= line`);
  return found[0] === undefined ? undefined : parseConnection(found[0]);
}

/**
 * a=rtpmap payload types are read by hand: sdp-transform files "rtpmap:abc …" under `invalid`
 * and turns "rtpmap:0100" into a string, so a number outside 0..127 could slip past it.
 */
function checkRtpmapPayloadTypes(lines: readonly string[], index: number): void {
  for (const l of lines) {
    if (!l.startsWith('a=rtpmap:')) continue;
    const space = l.indexOf(' ', 9);
    const pt = readUint(l.slice(9, space < 0 ? l.length : space), 3, MAX_PAYLOAD_TYPE);
    if (pt === undefined) throw malformed(`m= line ${index}: a=rtpmap payload type is not 0..127`);
  }
}

const positive = (v: unknown, max: number): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max ? v : undefined;

function readChannels(encoding: unknown): number {
  if (encoding === undefined) return 1;
  return typeof encoding === 'number' && Number.isInteger(encoding) && encoding >= 1 && encoding <= 255 ? encoding : 0;
}

function payloadFormats(line: { formats: string[] }, m: TransformMedia, index: number): PayloadFormat[] {
  const maps = new Map<number, PayloadFormat>();
  for (const r of m.rtp) {
    const rate = typeof r.rate === 'number' && Number.isInteger(r.rate) && r.rate > 0 ? r.rate : 0;
    const format: PayloadFormat = { payloadType: r.payload, name: canonicalName(String(r.codec)), clockRate: rate, channels: readChannels(r.encoding) };
    const earlier = maps.get(r.payload);
    if (earlier && (earlier.name !== format.name || earlier.clockRate !== format.clockRate || earlier.channels !== format.channels)) {
      throw malformed(`m= line ${index}: payload type ${r.payload} has two different rtpmap lines`);
    }
    maps.set(r.payload, format);
  }
  const fmtps = new Map<number, string>();
  for (const f of m.fmtp) if (typeof f.payload === 'number' && !fmtps.has(f.payload)) fmtps.set(f.payload, String(f.config));
  return line.formats.map((token) => {
    const pt = Number(token);
    const format = maps.get(pt) ?? staticFormat(pt) ?? { payloadType: pt, name: '', clockRate: 0, channels: 0 };
    const fmtp = fmtps.get(pt);
    return fmtp === undefined ? format : { ...format, fmtp };
  });
}

function rtcpOf(m: TransformMedia, port: number, connection: Connection | undefined): { port?: number; address?: string } {
  const explicitPort = m.rtcp && readUint(String(m.rtcp.port), 5, 65535);
  const rtcpPort = explicitPort !== undefined && explicitPort !== 0 ? explicitPort : port < 65535 ? port + 1 : undefined;
  // RFC 3605 §2.1: a=rtcp may name its own address; it must still be an IP literal to be used.
  let address = connection?.address;
  if (m.rtcp?.address !== undefined && (m.rtcp.ipVer === 4 || m.rtcp.ipVer === 6)) {
    const c = parseConnection(`c=IN IP${m.rtcp.ipVer} ${String(m.rtcp.address)}`);
    if (c.kind === 'unicast') address = c.address;
  }
  return { port: rtcpPort, address };
}

function isNullAddress(c: Connection | undefined): boolean {
  return c !== undefined && c.kind === 'unicast' && (c.family === 'IP4' ? c.address === '0.0.0.0' : c.address === '::');
}

/** The attributes the media plane reads; sdp-transform is given only these (see usedLines). */
const USED_ATTRIBUTES = new Set(['rtpmap', 'fmtp', 'ptime', 'maxptime', 'sendrecv', 'sendonly', 'recvonly', 'inactive', 'rtcp', 'rtcp-mux', 'crypto']);

function isUsedLine(line: string): boolean {
  if (line[0] !== 'a') return 'vosctm'.includes(line[0]!);
  const colon = line.indexOf(':');
  return USED_ATTRIBUTES.has(colon < 0 ? line.slice(2) : line.slice(2, colon));
}

/**
 * The text handed to sdp-transform: the lines we use, m= lines all kept so media sections stay
 * aligned. It tries up to ~80 regular expressions per a= line, a few of them (imageattr,
 * simulcast) quadratic on crafted input; ICE, DTLS and video attributes never reach it.
 */
function usedLines(sections: SdpSections): string {
  const kept = sections.session.filter(isUsedLine);
  for (const m of sections.media) for (const l of m) if (isUsedLine(l)) kept.push(l);
  return `${kept.join('\r\n')}\r\n`;
}

export function parseSdp(text: string, limits: Readonly<SdpLimits> = SDP_LIMITS): SessionDescription {
  const sections = splitSdp(text, limits);
  checkTypes(sections.session);
  for (const lines of sections.media) checkTypes(lines);
  if (countType(sections.session, 'v') !== 1) throw malformed('SDP must have exactly one v= line');
  const originLines = sections.session.filter((l) => l.startsWith('o='));
  if (originLines.length !== 1) throw malformed('SDP must have exactly one o= line');
  const origin = parseOrigin(originLines[0]!);
  const sessionConnection = onlyConnection(sections.session, 'the session');

  const parsed = transformParse(usedLines(sections));
  if (parsed.media.length !== sections.media.length) throw malformed('SDP media sections could not be told apart');
  const sessionDirection: Direction | undefined = isDirection(parsed.direction) ? parsed.direction : undefined;

  const media = sections.media.map((lines, index): MediaDescription => {
    const line = parseMediaLine(lines[0]!);
    const m = parsed.media[index]!;
    const connection = onlyConnection(lines, `m= line ${index}`) ?? sessionConnection;
    // RFC 4566 §5.7: "A session description MUST contain either at least one "c=" field in each
    // media description or a single "c=" field at the session level."
    if (!connection && line.port !== 0) throw malformed(`m= line ${index} has no c= line and the session has none`);
    const rtp = isRtpProtocol(line.protocol);
    if (rtp) checkRtpmapPayloadTypes(lines, index);
    const rtcp = rtcpOf(m, line.port, connection);
    const crypto: CryptoAttribute[] = [];
    for (const raw of m.crypto ?? []) {
      const attr = parseCrypto(raw as RawCrypto);
      if (attr) crypto.push(attr);
    }
    return {
      index,
      type: line.type,
      port: line.port,
      portCount: line.portCount,
      protocol: line.protocol,
      formats: line.formats,
      connection,
      rtcpPort: rtcp.port,
      rtcpAddress: rtcp.address,
      rtcpMux: m.rtcpMux === 'rtcp-mux',
      payloads: rtp ? payloadFormats(line, m, index) : [],
      ptime: positive(m.ptime, MAX_PTIME_MS),
      maxptime: positive(m.maxptime, MAX_PTIME_MS),
      direction: isDirection(m.direction) ? m.direction : (sessionDirection ?? 'sendrecv'),
      nullConnection: isNullAddress(connection),
      crypto,
    };
  });

  return {
    origin,
    name: typeof parsed.name === 'string' ? parsed.name : '',
    connection: sessionConnection,
    direction: sessionDirection,
    media,
  };
}
