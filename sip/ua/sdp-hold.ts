// Whether an SDP offer puts us on hold (RFC 3264 §8.4): its audio stream marked
// sendonly or inactive, or, from RFC 2543 phones, a connection address of 0.0.0.0.
// A line scan, not an SDP parser: sip/ only needs this one bit to report hold from
// phones; the media layer parses the SDP for real.

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/**
 * The direction of the first audio stream: its own a= attribute, else the session's
 * (RFC 4566 §6: a media-level attribute overrides the session-level one), else
 * sendrecv. Without an audio stream, the session's.
 */
export function audioDirection(sdp: string): Direction {
  let session: Direction | undefined;
  let media: Direction | undefined;
  let section: 'session' | 'audio' | 'other' = 'session';
  for (const raw of sdp.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (section === 'audio') break;
      section = line.startsWith('m=audio') ? 'audio' : 'other';
      continue;
    }
    if (!line.startsWith('a=') || section === 'other') continue;
    const attr = line.slice(2);
    if (!DIRECTIONS.has(attr)) continue;
    if (section === 'session') session = attr as Direction;
    else media ??= attr as Direction;
  }
  return media ?? session ?? 'sendrecv';
}

/** The offer asks us to stop sending (sendonly, inactive, or the old 0.0.0.0 form). */
export function isHoldOffer(sdp: string | undefined): boolean {
  if (sdp === undefined || sdp === '') return false;
  const d = audioDirection(sdp);
  if (d === 'sendonly' || d === 'inactive') return true;
  // RFC 3264 §8.4: "the offerer ... MAY also set the connection address to 0.0.0.0"
  // (RFC 2543 style); still seen from old phones.
  return /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp);
}
