// Remote addresses as the stack sees them. A dual-stack socket reports IPv4 peers as
// IPv4-mapped IPv6 (::ffff:192.0.2.1); everything above the transport wants the plain
// IPv4 form, so that Via "received", registrar bindings and connection reuse agree.

const MAPPED_PREFIX = '::ffff:';

/** The IPv4 form of an IPv4-mapped IPv6 address; any other address unchanged. */
export function normaliseAddress(address: string): string {
  if (address.length > MAPPED_PREFIX.length && address.charCodeAt(0) === 0x3a /* : */) {
    const lower = address.slice(0, MAPPED_PREFIX.length).toLowerCase();
    if (lower === MAPPED_PREFIX && address.indexOf('.', MAPPED_PREFIX.length) > 0) return address.slice(MAPPED_PREFIX.length);
  }
  return address;
}

/**
 * The key under which connections are counted for the per-address cap: an IPv4
 * address as is, an IPv6 address by its /64 prefix, since one subscriber line is
 * usually handed a whole /64 and could otherwise open a connection per address.
 */
export function capKey(address: string): string {
  const a = normaliseAddress(address);
  if (a.indexOf(':') < 0) return a;
  const zone = a.indexOf('%');
  const bare = (zone >= 0 ? a.slice(0, zone) : a).toLowerCase();
  const gap = bare.indexOf('::');
  const head = gap >= 0 ? bare.slice(0, gap) : bare;
  const tail = gap >= 0 ? bare.slice(gap + 2) : '';
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  // A trailing dotted quad stands for two groups.
  const width = (groups: string[]): number => groups.length + (groups.some((g) => g.includes('.')) ? 1 : 0);
  const missing = 8 - width(headGroups) - width(tailGroups);
  const groups = gap >= 0 ? [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups] : headGroups;
  const prefix = groups.slice(0, 4).map((g) => (g.includes('.') ? g : g.replace(/^0+(?=.)/, '')));
  while (prefix.length < 4) prefix.push('0');
  return `${prefix.join(':')}::/64`;
}

/** A key for "the connection to this address and port". */
export function endpointKey(address: string, port: number): string {
  return `${normaliseAddress(address)} ${port}`;
}
