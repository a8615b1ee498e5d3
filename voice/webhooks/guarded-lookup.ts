// The SSRF guard of webhook requests: the same guarded lookup and address policy as
// server-side fetches (voice/config/guarded-lookup.ts, blocked-addresses.ts), with the
// errors the webhook sender reports.
import { isIP, type LookupFunction } from 'node:net';
import { guardedLookup, type Resolver } from '../config/guarded-lookup.js';

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
export function webhookLookup(resolve: Resolver, blocked: (address: string) => boolean): LookupFunction {
  return guardedLookup(resolve, blocked, {
    blocked: () => new BlockedAddressError(),
    unresolvable: (hostname) => new UnresolvableHostError(hostname),
  });
}

/** A literal IP in the URL never reaches the lookup, so it is checked before connecting. */
export function literalAddressBlocked(hostname: string, blocked: (address: string) => boolean): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) !== 0 && blocked(host);
}
