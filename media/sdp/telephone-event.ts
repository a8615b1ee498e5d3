// The event list of a telephone-event format (RFC 4733 §7.1.1), e.g. "a=fmtp:101 0-15,16".
// RFC 4733 §7.1.1: "The list of values consists of comma-separated elements, which can be either
// a single decimal number or two decimal numbers separated by a hyphen (dash), where the second
// number is larger than the first. No whitespace is allowed between numbers or hyphens."

/** Event codes are 8 bits (RFC 4733 §2.3). */
const EVENT_CODES = 256;

/** DTMF 0-9 * # A-D (events 0-15) and flash (16): what media/dtmf sends and receives (RFC 4733 §3.2). */
export const SUPPORTED_EVENTS = '0-16';

/** Without an fmtp line the receiver is taken to support the DTMF events 0-15 (RFC 4733 §7.1.1). */
export const DEFAULT_EVENTS = '0-15';

function readCode(s: string): number | undefined {
  if (s.length === 0 || s.length > 3) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(s);
  return n < EVENT_CODES ? n : undefined;
}

/** The set of event codes a list names, or undefined when the list does not follow the grammar. */
export function parseEventList(list: string): boolean[] | undefined {
  const set = new Array<boolean>(EVENT_CODES).fill(false);
  for (const element of list.split(',')) {
    const dash = element.indexOf('-');
    const first = readCode(dash < 0 ? element : element.slice(0, dash));
    const last = dash < 0 ? first : readCode(element.slice(dash + 1));
    if (first === undefined || last === undefined || last < first) return undefined;
    for (let e = first; e <= last; e++) set[e] = true;
  }
  return set;
}

export function formatEventList(set: readonly boolean[]): string {
  const parts: string[] = [];
  for (let e = 0; e < set.length; e++) {
    if (!set[e]) continue;
    let last = e;
    while (last + 1 < set.length && set[last + 1]) last++;
    parts.push(last === e ? String(e) : `${e}-${last}`);
    e = last;
  }
  return parts.join(',');
}

/**
 * The events both sides handle: the offer's list (its fmtp, or 0-15 without one) and ours. ''
 * when there are none in common. A list we cannot read counts as the default, since the peer
 * still sends DTMF as events 0-15 whatever its fmtp says.
 */
export function commonEvents(offeredFmtp: string | undefined, supported: string = SUPPORTED_EVENTS): string {
  // Every call negotiates the same few lists ("0-16", "0-15"): each is worked out once (the sets
  // are 256-entry arrays, ~10 KB of garbage per negotiation otherwise). Bounded: peers choose the text.
  const key = `${offeredFmtp ?? ''}\n${supported}`;
  let common = COMMON_CACHE.get(key);
  if (common === undefined) {
    common = computeCommonEvents(offeredFmtp, supported);
    if (COMMON_CACHE.size >= COMMON_CACHE_MAX) COMMON_CACHE.clear();
    COMMON_CACHE.set(key, common);
  }
  return common;
}

const COMMON_CACHE = new Map<string, string>();
const COMMON_CACHE_MAX = 64;

function computeCommonEvents(offeredFmtp: string | undefined, supported: string): string {
  const offered = (offeredFmtp !== undefined ? parseEventList(offeredFmtp.trim()) : undefined) ?? parseEventList(DEFAULT_EVENTS)!;
  const ours = parseEventList(supported)!;
  return formatEventList(offered.map((on, e) => on && ours[e] === true));
}
