// Offers we make: the initial offer of an outbound call (or of a late-offer INVITE's 200), and
// re-offers in the dialog (RFC 3264 §8): a changed codec list, a moved address, hold and unhold.
import { codecTraits, formatFor, TELEPHONE_EVENT, type PayloadFormat } from './codec-catalog.js';
import { holdDirection, type Direction } from './direction.js';
import { newSessionId, resolveLocal, type LocalMedia, type ResolvedLocal } from './local-media.js';
import { activeAudio, isRtpProfile, type SessionDescription } from './media-description.js';
import { parseSdp } from './parse-sdp.js';
import { writeSdp, type OutgoingAudio, type OutgoingRejected, type OutgoingSdp } from './sdp-writer.js';
import { isUsable, localKey } from './srtp-choice.js';
import { SUPPORTED_EVENTS } from './telephone-event.js';

/** RFC 3551 §3: "This profile reserves payload type numbers in the range 96-127 exclusively for dynamic assignment." */
const FIRST_DYNAMIC_PT = 96;
const LAST_DYNAMIC_PT = 127;

/**
 * Our formats in priority order: static PTs for PCMU, PCMA and G722, dynamic ones from 96 up for
 * Opus and L16, then one telephone-event per clock rate in use (RFC 4733 §2.1 times events on
 * the audio clock: Opus gets telephone-event/48000 next to telephone-event/8000).
 */
export function offeredFormats(local: ResolvedLocal): PayloadFormat[] {
  let next = FIRST_DYNAMIC_PT;
  const dynamic = (): number => {
    if (next > LAST_DYNAMIC_PT) throw new RangeError('more codecs than dynamic payload types');
    return next++;
  };
  const formats: PayloadFormat[] = [];
  for (const spec of local.codecs) {
    const t = codecTraits(spec);
    if (formats.some((f) => f.name === spec.name && f.clockRate === t.clockRate)) continue;
    formats.push(formatFor(spec, t.staticPayloadType ?? dynamic()));
  }
  if (local.telephoneEvent) {
    const rates = [...new Set(formats.map((f) => f.clockRate))];
    for (const rate of rates) formats.push({ payloadType: dynamic(), name: TELEPHONE_EVENT, clockRate: rate, channels: 1, fmtp: SUPPORTED_EVENTS });
  }
  return formats;
}

/** RFC 3264 §8: "the version in the origin field MUST increment by one from the previous SDP". */
const nextVersion = (previous: SessionDescription): string => String(BigInt(previous.origin.sessionVersion) + 1n);

/**
 * RFC 3264 §8: "When issuing an offer that modifies the session, the "o=" line of the new SDP
 * MUST be identical to that in the previous SDP, except that the version in the origin field
 * MUST increment by one from the previous SDP." Every m= line keeps its place; the ones that
 * are not our audio stream stay rejected.
 */
function layoutAfter(previous: SessionDescription, audio: OutgoingAudio, address: string, name?: string): OutgoingSdp {
  const active = activeAudio(previous);
  const slot = active ?? previous.media.find((m) => m.type === 'audio');
  const media: (OutgoingAudio | OutgoingRejected)[] = previous.media.map((m) =>
    m === slot ? audio : { kind: 'rejected', type: m.type, protocol: m.protocol, formats: m.formats },
  );
  // RFC 3264 §8.1: a new stream may also be "added ... at the bottom of the session description".
  if (!slot) media.push(audio);
  const o = previous.origin;
  return {
    origin: { username: o.username, sessionId: o.sessionId, sessionVersion: nextVersion(previous), address: o.address },
    name: name ?? previous.name,
    address,
    media,
  };
}

/**
 * An offer of one audio stream. With `local.previous` (our last SDP in this dialog) it is a
 * re-offer: same o= line with the version incremented, same m= line layout, SRTP keys kept.
 */
export function createOffer(localMedia: LocalMedia): string {
  const local = resolveLocal(localMedia);
  const previous = localMedia.previous === undefined ? undefined : parseSdp(localMedia.previous);
  const previousAudio = previous && activeAudio(previous);
  const crypto = local.crypto;
  const audio: OutgoingAudio = {
    kind: 'audio',
    port: local.port,
    // "optional" SRTP is offered as RTP/AVP with a=crypto: a peer without SRTP ignores the lines.
    protocol: crypto?.mode === 'required' ? 'RTP/SAVP' : 'RTP/AVP',
    payloads: offeredFormats(local),
    ptime: local.ptime,
    direction: local.direction,
    // RFC 4568 §9.1: the tag tells the answer which line it accepts; one line per suite, in our order.
    crypto: (crypto?.suites ?? []).map((suite, i) => ({ tag: i + 1, key: localKey(suite, previousAudio, local.random) })),
    rtcpMux: local.rtcpMux,
  };
  if (local.maxptime !== undefined) audio.maxptime = local.maxptime;
  if (previous) return writeSdp(layoutAfter(previous, audio, local.address, localMedia.sessionName));
  return writeSdp({
    origin: { username: local.username, sessionId: localMedia.sessionId ?? newSessionId(local.random), sessionVersion: '1', address: local.address },
    name: local.sessionName,
    address: local.address,
    media: [audio],
  });
}

export interface ReOfferChanges {
  direction?: Direction;
  /** A new local RTP address or port (the call moved to another worker or interface). */
  address?: string;
  port?: number;
}

/**
 * The previous SDP we sent (offer or answer), offered again with the version incremented and
 * `changes` applied. Codecs, payload types, ptime and SRTP keys stay as they were, so the stream
 * carries on unchanged apart from what was asked.
 */
export function reOffer(previousSdp: string, changes: ReOfferChanges = {}): string {
  const previous = parseSdp(previousSdp);
  const audio = activeAudio(previous);
  if (!audio || !isRtpProfile(audio.protocol) || !audio.connection) throw new RangeError('the previous SDP has no active RTP audio stream to re-offer');
  const port = changes.port ?? audio.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port ${port} is not 1..65535`);
  const out: OutgoingAudio = {
    kind: 'audio',
    port,
    protocol: audio.protocol,
    payloads: audio.payloads,
    direction: changes.direction ?? audio.direction,
    crypto: audio.crypto.filter(isUsable).map((c) => ({ tag: c.tag, key: c.key })),
    rtcpMux: audio.rtcpMux,
  };
  if (audio.ptime !== undefined) out.ptime = audio.ptime;
  if (audio.maxptime !== undefined) out.maxptime = audio.maxptime;
  return writeSdp(layoutAfter(previous, out, changes.address ?? audio.connection.address));
}

/** The audio direction of an SDP we sent. */
function previousDirection(previousSdp: string): Direction {
  const audio = activeAudio(parseSdp(previousSdp));
  if (!audio) throw new RangeError('the previous SDP has no active audio stream');
  return audio.direction;
}

/**
 * A re-offer that puts the peer on hold (RFC 3264 §8.4): sendonly, so we can play music on hold,
 * or inactive when `inactive` is set or the peer already holds us (recvonly → inactive).
 */
export function holdOffer(previousSdp: string, options: { inactive?: boolean } = {}): string {
  const next = options.inactive ? 'inactive' : holdDirection(previousDirection(previousSdp));
  return reOffer(previousSdp, { direction: next });
}

/**
 * A re-offer that takes the peer off hold: sendrecv. RFC 3264 §8.4 restores "recvonly" when
 * the peer was holding us before; we cannot tell from our own SDP whether it still is, and need
 * not: a peer that still holds us answers sendrecv with sendonly or inactive (RFC 3264 §6.1).
 */
export function unholdOffer(previousSdp: string): string {
  return reOffer(previousSdp, { direction: 'sendrecv' });
}
