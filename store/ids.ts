// Resource ids: a type prefix ("call_", "trunk_", ...) and 24 base-32 characters
// drawn from 120 random bits, so ids are unguessable across tenants.
import { randomBytes } from 'node:crypto';

export type IdGenerator = (prefix: string) => string;

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford: no i, l, o, u

export const randomId: IdGenerator = (prefix) => {
  const bytes = randomBytes(15);
  let out = '';
  // 15 bytes = 3 groups of 40 bits = 3 x 8 characters of 5 bits.
  for (let g = 0; g < 15; g += 5) {
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 8n) | BigInt(bytes[g + i]!);
    for (let shift = 35n; shift >= 0n; shift -= 5n) out += BASE32[Number((v >> shift) & 31n)];
  }
  return `${prefix}_${out}`;
};
