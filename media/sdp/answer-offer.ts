// Answering an offer (RFC 3264 §6): accept one audio stream, reject every other m= line in
// place, and describe the call that results.
import { chooseCodec, chooseTelephoneEvent, negotiatedCodec, type CodecChoice } from './codec-choice.js';
import { TELEPHONE_EVENT, type PayloadFormat } from './codec-catalog.js';
import type { SrtpKey } from './crypto-attribute.js';
import { answerDirection } from './direction.js';
import { resolveLocal, newSessionId, type LocalMedia, type ResolvedLocal } from './local-media.js';
import { activeAudio, effectiveDirection, isRtpProfile, type MediaDescription, type RtpProfile, type SessionDescription } from './media-description.js';
import type { Negotiated } from './negotiated.js';
import { sendPtime } from './packetization.js';
import { parseSdp } from './parse-sdp.js';
import { SdpError, WarnCode } from './sdp-error.js';
import { writeSdp, type OutgoingAudio, type OutgoingRejected, type OutgoingSdp } from './sdp-writer.js';
import { localKey, chooseOfferedCrypto, isUsable, type UsableCrypto } from './srtp-choice.js';
import { commonEvents } from './telephone-event.js';

export interface AnswerResult {
  sdp: string;
  negotiated: Negotiated;
}

interface Acceptance {
  media: MediaDescription;
  profile: RtpProfile;
  codec: CodecChoice;
  telephoneEvent?: { format: PayloadFormat; events: string };
  crypto?: UsableCrypto;
}

const isWebRtcProfile = (p: string): boolean => p.includes('SAVPF') || p.startsWith('UDP/TLS/') || p.startsWith('TCP/TLS/');

/** Whether we can take this offered stream, and with what; an SdpError says why not. */
function evaluate(m: MediaDescription, local: ResolvedLocal): Acceptance | SdpError {
  if (isWebRtcProfile(m.protocol)) {
    return new SdpError('unsupported', `${m.protocol} (WebRTC: ICE and DTLS-SRTP) is not supported yet`, WarnCode.incompatibleTransportProtocol);
  }
  if (!isRtpProfile(m.protocol)) return new SdpError('unsupported', `transport ${m.protocol} is not supported`, WarnCode.incompatibleTransportProtocol);
  if (m.portCount !== 1) return new SdpError('unsupported', 'layered streams (m= port count) are not supported', WarnCode.multicastNotAvailable);
  const c = m.connection!;
  if (c.kind === 'multicast') return new SdpError('unsupported', 'multicast streams are not supported', WarnCode.multicastNotAvailable);
  if (c.kind === 'hostname') return new SdpError('unsupported', 'c= host names are not resolved; an IP address is needed', WarnCode.incompatibleNetworkAddressFormats);

  const codec = chooseCodec(m.payloads, local.codecs, local.codecOrder);
  if (!codec) {
    const offered = m.payloads.filter((p) => p.name !== TELEPHONE_EVENT).map((p) => p.name || String(p.payloadType));
    return new SdpError('no-common-codec', `no common codec: offered ${offered.join(' ')}; we take ${local.codecs.map((s) => s.name).join(' ')}`);
  }

  const crypto = local.crypto ? chooseOfferedCrypto(m.crypto, local.crypto.suites) : undefined;
  if (m.protocol === 'RTP/SAVP' && !crypto) {
    const why = !local.crypto ? 'SRTP is not enabled here' : m.crypto.some(isUsable) ? 'no offered SRTP suite is enabled here' : 'no usable a=crypto line';
    return new SdpError('unsupported', `RTP/SAVP offered but ${why}`, WarnCode.attributeNotUnderstood);
  }
  if (m.protocol === 'RTP/AVP' && !crypto && local.crypto?.mode === 'required') {
    return new SdpError('unsupported', 'SRTP is required here and the offer is plain RTP', WarnCode.incompatibleTransportProtocol);
  }

  const acceptance: Acceptance = { media: m, profile: m.protocol, codec };
  if (local.telephoneEvent) {
    const te = chooseTelephoneEvent(m.payloads, codec.format.clockRate);
    const events = te && commonEvents(te.fmtp);
    if (te && events) acceptance.telephoneEvent = { format: te, events };
  }
  if (crypto) acceptance.crypto = crypto;
  return acceptance;
}

function pickStream(offer: SessionDescription, local: ResolvedLocal): Acceptance {
  let refusal: SdpError | undefined;
  for (const m of offer.media) {
    if (m.type !== 'audio' || m.port === 0) continue;
    const result = evaluate(m, local);
    if (!(result instanceof SdpError)) return result;
    refusal ??= result;
  }
  throw refusal ?? new SdpError('unsupported', 'the offer has no audio stream', WarnCode.mediaTypeNotAvailable);
}

const normalise = (sdp: string): string => sdp.replace(/\r\n/g, '\n');

/**
 * Answers `offer` with one audio stream. Throws SdpError when no offered audio stream can be
 * accepted: the error of the first audio stream says why (no common codec, WebRTC, SRTP...).
 */
export function answerOffer(offer: string, localMedia: LocalMedia): AnswerResult {
  const local = resolveLocal(localMedia);
  const remote = parseSdp(offer);
  const previous = localMedia.previous === undefined ? undefined : parseSdp(localMedia.previous);
  const chosen = pickStream(remote, local);
  const m = chosen.media;

  const remoteDirection = effectiveDirection(m);
  const ours = answerDirection(remoteDirection, local.direction);
  // RFC 3264 §6.1: "if a particular codec was referenced with a specific payload type number in
  // the offer, that same payload type number SHOULD be used for that codec in the answer."
  const codecFormat: PayloadFormat = {
    payloadType: chosen.codec.format.payloadType,
    name: chosen.codec.spec.name,
    clockRate: chosen.codec.format.clockRate,
    channels: chosen.codec.format.channels,
  };
  const payloads = [codecFormat];
  const te = chosen.telephoneEvent;
  if (te) payloads.push({ payloadType: te.format.payloadType, name: TELEPHONE_EVENT, clockRate: te.format.clockRate, channels: 1, fmtp: te.events });

  const rtcpMux = m.rtcpMux && local.rtcpMux;
  let ourKey: SrtpKey | undefined;
  if (chosen.crypto) ourKey = localKey(chosen.crypto.key.suite, previous && activeAudio(previous), local.random);

  const audio: OutgoingAudio = {
    kind: 'audio',
    port: local.port,
    protocol: chosen.profile,
    payloads,
    ptime: local.ptime,
    direction: ours,
    // RFC 4568 §5.2: the answer carries the accepted attribute's tag and suite, with our own key.
    crypto: chosen.crypto && ourKey ? [{ tag: chosen.crypto.tag, key: ourKey }] : [],
    rtcpMux,
  };
  if (local.maxptime !== undefined) audio.maxptime = local.maxptime;

  // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
  const media = remote.media.map((o): OutgoingAudio | OutgoingRejected =>
    o === m ? audio : { kind: 'rejected', type: o.type, protocol: o.protocol, formats: o.formats },
  );

  const outgoing: OutgoingSdp = {
    origin: previous
      ? { username: previous.origin.username, sessionId: previous.origin.sessionId, sessionVersion: previous.origin.sessionVersion, address: previous.origin.address }
      : { username: local.username, sessionId: localMedia.sessionId ?? newSessionId(local.random), sessionVersion: '1', address: local.address },
    name: previous ? previous.name : local.sessionName,
    address: local.address,
    media,
  };
  let sdp = writeSdp(outgoing);
  // RFC 3264 §8: "If the version in the origin line does not increment, the SDP MUST be identical
  // to the SDP with that version number."
  if (previous && normalise(sdp) !== normalise(localMedia.previous!)) {
    outgoing.origin.sessionVersion = String(BigInt(previous.origin.sessionVersion) + 1n);
    sdp = writeSdp(outgoing);
  }

  const connection = m.connection!;
  const codec = negotiatedCodec(chosen.codec.format, chosen.codec.spec, chosen.codec.format.payloadType);
  const negotiated: Negotiated = {
    mediaIndex: m.index,
    profile: chosen.profile,
    direction: ours,
    remoteDirection,
    local: { address: local.address, port: local.port },
    remote: {
      address: connection.address,
      port: m.port,
      rtcpAddress: rtcpMux ? connection.address : (m.rtcpAddress ?? connection.address),
      ...(rtcpMux ? { rtcpPort: m.port } : m.rtcpPort !== undefined ? { rtcpPort: m.rtcpPort } : {}),
    },
    rtcpMux,
    codec,
    codecs: [codec],
    ptime: sendPtime(codec.name, m.ptime, m.maxptime),
    localSession: { sessionId: outgoing.origin.sessionId, version: outgoing.origin.sessionVersion },
    remoteSession: { sessionId: remote.origin.sessionId, version: remote.origin.sessionVersion },
  };
  if (te) {
    negotiated.telephoneEvent = { payloadType: te.format.payloadType, receivePayloadType: te.format.payloadType, clockRate: te.format.clockRate, events: te.events };
  }
  if (m.maxptime !== undefined) negotiated.maxptime = m.maxptime;
  if (chosen.crypto && ourKey) {
    negotiated.srtp = { suite: chosen.crypto.key.suite, tag: chosen.crypto.tag, local: ourKey, remote: chosen.crypto.key };
  }
  return { sdp, negotiated };
}
