// How long a packet we send is. RFC 4566 §6: a=ptime "is intended as a recommendation for the
// encoding/packetisation of audio", and RFC 3264 §7: "The offerer SHOULD send media according to
// the value of any ptime and bandwidth attribute in the answer." a=maxptime is a hard limit.
import type { CodecName } from './codec-catalog.js';
import { DEFAULT_PTIME } from './local-media.js';

/** Opus frames are 2.5, 5, 10, 20, 40 or 60 ms (RFC 6716 §2.1.4); below 10 ms is not worth the header overhead. */
const OPUS_PTIMES = [10, 20, 40, 60];
/** Sample codecs (G.711, G.722, L16) can be cut anywhere; whole 10 ms steps up to 60 ms keep packets sane. */
const SAMPLE_PTIMES = [10, 20, 30, 40, 50, 60];

/** The ptime we send with: the remote's when we can honour it, else 20 ms, else the longest that fits its maxptime. */
export function sendPtime(codec: CodecName, ptime: number | undefined, maxptime: number | undefined): number {
  const allowed = codec === 'opus' ? OPUS_PTIMES : SAMPLE_PTIMES;
  const fits = (p: number): boolean => maxptime === undefined || p <= maxptime;
  if (ptime !== undefined && allowed.includes(ptime) && fits(ptime)) return ptime;
  if (fits(DEFAULT_PTIME)) return DEFAULT_PTIME;
  let best = allowed[0]!;
  for (const p of allowed) if (fits(p)) best = p;
  return best;
}
