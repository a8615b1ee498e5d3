// Direction attributes (RFC 4566 §6, RFC 3264 §5.1, §6.1, §8.4) as two flags: do we send, do
// we receive. Everything offer/answer does with directions is then a flag operation.

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export const sends = (d: Direction): boolean => d === 'sendrecv' || d === 'sendonly';
export const receives = (d: Direction): boolean => d === 'sendrecv' || d === 'recvonly';

export function direction(send: boolean, receive: boolean): Direction {
  if (send) return receive ? 'sendrecv' : 'sendonly';
  return receive ? 'recvonly' : 'inactive';
}

export function isDirection(value: unknown): value is Direction {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive';
}

/**
 * The direction of an answer, from the offer's and what we want. RFC 3264 §6.1: "If a stream is
 * offered as sendonly, the corresponding stream MUST be marked as recvonly or inactive in the
 * answer. If a media stream is listed as recvonly in the offer, the answer MUST be marked as
 * sendonly or inactive in the answer. [...] If an offered media stream is listed as inactive, it
 * MUST be marked as inactive in the answer." We send only what the offerer receives and receive
 * only what it sends, and never more than `wanted`.
 */
export function answerDirection(offered: Direction, wanted: Direction): Direction {
  return direction(sends(wanted) && receives(offered), receives(wanted) && sends(offered));
}

/** Whether `answered` is an answer RFC 3264 §6.1 allows to a stream offered as `offered`. */
export function isAllowedAnswer(offered: Direction, answered: Direction): boolean {
  return (!sends(answered) || receives(offered)) && (!receives(answered) || sends(offered));
}

/**
 * RFC 3264 §8.4: "If the stream to be placed on hold was previously a sendrecv media stream, it is
 * placed on hold by marking it sendonly. If the stream to be placed on hold was previously a
 * recvonly media stream, it is placed on hold by marking it inactive." Holding means we stop
 * receiving: the receive flag goes, the send flag (music on hold) stays.
 */
export function holdDirection(previous: Direction): Direction {
  return direction(sends(previous), false);
}
