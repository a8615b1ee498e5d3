// Our own address as we write it in the Via (sent-by) and Contact of what we send, per
// transport: the address the stack listens on, or the configured public host when it
// listens on a wildcard (0.0.0.0, ::) or behind NAT.
import { networkInterfaces } from 'node:os';
import type { SentBy } from '../dialog/dialog-env.js';
import type { ListenAddress } from '../transport/types.js';

export interface LocalAddress {
  transport: string;
  sentBy: SentBy;
  /** Contact header value: `<sip:host:port;transport=tcp>` (no transport parameter for UDP). */
  contact: string;
}

/** The first non-internal IPv4 address of this machine, else the loopback. */
export function firstInterfaceAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

export class LocalAddresses {
  private readonly cache = new Map<string, LocalAddress>();

  /**
   * `addresses` is read when first needed (the stack's listeners are bound by then);
   * `host` replaces the listening host in every Via and Contact when given.
   */
  constructor(
    private readonly addresses: () => readonly ListenAddress[],
    private readonly host?: string,
    private readonly wildcardHost: () => string = firstInterfaceAddress,
  ) {}

  /** Our address for requests and responses on `transport` (UDP, TCP, TLS, WS, WSS). */
  for(transport: string): LocalAddress {
    const name = transport.toUpperCase();
    const hit = this.cache.get(name);
    if (hit) return hit;
    const all = this.addresses();
    // Sending on a transport we do not listen on (a TCP connection we opened while
    // listening on UDP only) still needs a sent-by: the first listener's host and port.
    const listen = all.find((a) => a.transport === name) ?? all[0];
    if (!listen) throw new Error('the SIP stack is not listening yet');
    let host = this.host ?? listen.host;
    if (WILDCARDS.has(host)) host = this.wildcardHost();
    if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
    const param = name === 'UDP' ? '' : `;transport=${name.toLowerCase()}`;
    const local: LocalAddress = {
      transport: name,
      sentBy: { transport: name, host, port: listen.port },
      contact: `<sip:${host}:${listen.port}${param}>`,
    };
    this.cache.set(name, local);
    return local;
  }

  /** Forget what was computed (the stack listens somewhere else now). */
  reset(): void {
    this.cache.clear();
  }
}
