// The key a source address is counted under for lockout. One IPv4 address is one
// key. An IPv6 host usually controls a whole /64 (SLAAC, privacy addresses), so
// counting single IPv6 addresses would let one attacker rotate through 2^64 keys;
// the /64 prefix is the unit. IPv4-mapped IPv6 (::ffff:192.0.2.1) is its IPv4 form.

export function sourceKey(address: string): string {
  if (!address.includes(':')) return address;
  let a = address.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  const halves = a.split('::');
  if (halves.length > 2) return a;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = head.slice();
  if (halves.length === 2) {
    // An embedded IPv4 tail counts as two groups.
    const tailGroups = tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    for (let i = head.length + tailGroups; i < 8; i++) groups.push('0');
  }
  groups.push(...tail);
  const prefix: string[] = [];
  for (let i = 0; i < 4; i++) prefix.push((groups[i] ?? '0').replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}
