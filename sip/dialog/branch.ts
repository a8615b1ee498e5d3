// Via branch values for requests a UA sends (RFC 3261 §8.1.1.7).
import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from '../message/via.js';

/** Returns a fresh branch for each new client transaction. */
export type BranchGenerator = () => string;

/**
 * §8.1.1.7: "The branch parameter value MUST be unique across space and time for all
 * requests sent by the UA. The exceptions to this rule are CANCEL and ACK for non-2xx
 * responses." and "The branch ID inserted by an element compliant with this
 * specification MUST always begin with the characters "z9hG4bK"."
 *
 * One random prefix per generator (space: other processes, restarts) and a counter
 * (time: every request of this one), so a branch costs an increment, not a syscall.
 */
export function createBranchGenerator(prefix: string = randomBytes(6).toString('hex')): BranchGenerator {
  let n = 0;
  return () => `${MAGIC_COOKIE}${prefix}.${(n++).toString(36)}`;
}

/** A branch with the magic cookie, whatever the generator returned. */
export function withCookie(branch: string): string {
  return branch.startsWith(MAGIC_COOKIE) ? branch : MAGIC_COOKIE + branch;
}
