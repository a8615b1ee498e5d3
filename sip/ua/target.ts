// Where a request to a SIP URI goes: transport, address and port (a subset of RFC 3263
// §4). The transport comes from the URI (sips: → TLS, else its transport parameter,
// else UDP), the port from the URI or the transport's default, the address from the
// host (an IP literal as is, a name through the system resolver). No NAPTR or SRV
// lookups: trunks are configured with a host and port, phones register with an IP.
import { lookup } from 'node:dns/promises';
import { parseSipUri, SipUriError } from '../uri.js';
import type { Peer } from '../transaction/transaction-layer.js';

/** Resolves a host name to one address (the first the resolver returns). */
export type HostLookup = (host: string) => Promise<string>;

export const systemLookup: HostLookup = async (host) => (await lookup(host)).address;

export interface NextHop {
  transport: 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';
  /** Host name or IP address (an IPv6 address without brackets). */
  host: string;
  hostIsName: boolean;
  port: number;
}

const TRANSPORTS: Record<string, NextHop['transport']> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS', wss: 'WSS' };

/** Raised for a target we cannot send to (not a SIP URI, unknown transport, no address). */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * The next hop of a SIP or SIPS URI, without any lookup. RFC 3263 §4.1: "If the URI
 * specifies a transport protocol in the transport parameter, that transport protocol
 * SHOULD be used"; a SIPS URI means TLS. §4.2: with no port, "the default port for the
 * transport": 5061 for TLS, 5060 otherwise. A maddr parameter (§19.1.1) overrides the
 * host.
 */
export function nextHopOf(uri: string): NextHop {
  let u;
  try {
    u = parseSipUri(uri);
  } catch (err) {
    if (err instanceof SipUriError) throw new TargetError(`not a SIP URI: ${uri}`);
    throw err;
  }
  const param = u.params.get('transport')?.toLowerCase();
  let transport: NextHop['transport'] = u.scheme === 'sips' ? 'TLS' : 'UDP';
  if (param !== undefined) {
    const t = TRANSPORTS[param];
    if (!t) throw new TargetError(`unsupported transport ${param}`);
    // A sips: URI over plain TCP would lose what sips: promises (§26.2.2).
    if (u.scheme === 'sips' && (t === 'UDP' || t === 'TCP')) transport = 'TLS';
    else if (u.scheme === 'sips' && t === 'WS') transport = 'WSS';
    else transport = t;
  }
  const maddr = u.params.get('maddr');
  const host = maddr !== undefined && maddr !== '' ? maddr.replace(/^\[|\]$/g, '') : u.host;
  const hostIsName = maddr !== undefined && maddr !== '' ? !/^[\d.]+$|:/.test(host) : u.hostKind === 'name';
  const port = u.port ?? (transport === 'TLS' || transport === 'WSS' ? 5061 : 5060);
  return { transport, host, hostIsName, port };
}

/** The Peer to send a request for `uri` to, resolving a host name with `resolve`. */
export async function resolveTarget(uri: string, resolve: HostLookup = systemLookup): Promise<Peer> {
  const hop = nextHopOf(uri);
  let address = hop.host;
  if (hop.hostIsName) {
    try {
      address = await resolve(hop.host);
    } catch (err) {
      throw new TargetError(`cannot resolve ${hop.host}: ${(err as Error).message}`);
    }
  }
  return { transport: hop.transport, address, port: hop.port };
}
