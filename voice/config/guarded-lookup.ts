// The SSRF guard of every server-side HTTP request (clone samples, webhooks): a socket lookup
// that resolves the name, refuses it when any of its addresses is blocked, and hands back
// exactly the addresses it checked, so the address checked is the address connected to (no
// DNS-rebinding window). Callers say which errors to report.
import type { LookupFunction } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name to addresses; the system resolver unless a test injects another. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface LookupErrors {
  /** The name resolves to a blocked address. */
  blocked: () => Error;
  /** The name does not resolve (or not to the family asked for). */
  unresolvable: (hostname: string) => Error;
}

export function guardedLookup(resolve: Resolver, blocked: (address: string) => boolean, errors: LookupErrors): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (wanted.length === 0) return callback(errors.unresolvable(hostname) as NodeJS.ErrnoException, '', 0);
        // One blocked address refuses the name: round-robin must not pick it later.
        if (wanted.some((a) => blocked(a.address))) return callback(errors.blocked() as NodeJS.ErrnoException, '', 0);
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      () => callback(errors.unresolvable(hostname) as NodeJS.ErrnoException, '', 0),
    );
  };
}
