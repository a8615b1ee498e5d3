// The SSRF guard of webhook requests: the same address policy as server-side fetches
// (voice/config/blocked-addresses.ts), applied in the socket's own DNS lookup so the
// address checked is the address connected to (no DNS-rebinding window).
import { isIP, type LookupFunction } from 'node:net';
import type { Resolver } from '../config/url-fetch.js';

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor() {
    super('the URL resolves to a private address');
    this.name = 'BlockedAddressError';
  }
}

export class UnresolvableHostError extends Error {
  readonly code = 'ENOTFOUND';
  constructor(hostname: string) {
    super(`${hostname} could not be resolved`);
    this.name = 'UnresolvableHostError';
  }
}

/** A lookup for http.request that refuses a name if any of its addresses is blocked. */
export function guardedLookup(resolve: Resolver, blocked: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (wanted.length === 0) throw new UnresolvableHostError(hostname);
        // One blocked address refuses the name: a later connection must not pick it.
        if (wanted.some((a) => blocked(a.address))) throw new BlockedAddressError();
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((err: unknown) => {
        const e = err instanceof BlockedAddressError || err instanceof UnresolvableHostError ? err : new UnresolvableHostError(hostname);
        callback(e as unknown as NodeJS.ErrnoException, '', 0);
      });
  };
}

/** A literal IP in the URL never reaches the lookup, so it is checked before connecting. */
export function literalAddressBlocked(hostname: string, blocked: (address: string) => boolean): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) !== 0 && blocked(host);
}
