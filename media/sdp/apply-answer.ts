// Reading the answer to an offer we made (RFC 3264 §7). The answer must fit the offer: same
// m= lines, the same transport, a direction the offer allows, at least one offered codec, and
// for SRTP one of our a=crypto tags. Anything else is an SdpError; the SIP side then ends the
// call or re-offers.
import { isTelephoneEvent, negotiatedCodec } from './codec-choice.js';
import { specOf, type PayloadFormat } from './codec-catalog.js';
import { answerDirection, isAllowedAnswer } from './direction.js';
import { activeAudio, effectiveDirection, isRtpProfile, type MediaDescription } from './media-description.js';
import type { Negotiated, NegotiatedCodec, NegotiatedSrtp, NegotiatedTelephoneEvent } from './negotiated.js';
import { sendPtime } from './packetization.js';
import { parseSdp } from './parse-sdp.js';
import { SdpError, WarnCode, malformed } from './sdp-error.js';
import { isUsable } from './srtp-choice.js';
import { commonEvents } from './telephone-event.js';

const sameFormat = (a: PayloadFormat, b: PayloadFormat): boolean => a.name === b.name && a.clockRate === b.clockRate && a.channels === b.channels;

/**
 * The codecs of the answer that we offered, in the answer's order. RFC 3264 §7: the offerer
 * "MUST send using a media format listed in the answer, and it SHOULD use the first media format
 * listed in the answer when it does send." Formats the answer adds that we did not offer are
 * allowed by RFC 3264 §6.1 ("The stream MAY indicate additional media formats") and ignored.
 */
function commonCodecs(offered: MediaDescription, answered: MediaDescription): NegotiatedCodec[] {
  const codecs: NegotiatedCodec[] = [];
  for (const a of answered.payloads) {
    const spec = specOf(a);
    const ours = spec && offered.payloads.find((o) => sameFormat(o, a));
    if (spec && ours) codecs.push(negotiatedCodec(a, spec, ours.payloadType));
  }
  return codecs;
}

function commonTelephoneEvent(offered: MediaDescription, answered: MediaDescription, clockRate: number): NegotiatedTelephoneEvent | undefined {
  const pairs = answered.payloads
    .filter(isTelephoneEvent)
    .flatMap((a) => offered.payloads.filter((o) => isTelephoneEvent(o) && o.clockRate === a.clockRate).map((o) => ({ a, o })));
  const pair = pairs.find((p) => p.a.clockRate === clockRate) ?? pairs[0];
  if (!pair) return undefined;
  // The events both can handle: the answer's list, cut down to what our offer listed.
  const events = commonEvents(pair.a.fmtp, pair.o.fmtp ?? '0-15');
  if (!events) return undefined;
  return { payloadType: pair.a.payloadType, receivePayloadType: pair.o.payloadType, clockRate: pair.a.clockRate, events };
}

/**
 * RFC 4568 §5.3: the answer accepts one of our crypto attributes by carrying its tag and suite,
 * with the answerer's key.
 */
function acceptedSrtp(offered: MediaDescription, answered: MediaDescription): NegotiatedSrtp | undefined {
  const ours = offered.crypto.filter(isUsable);
  if (ours.length === 0) return undefined;
  if (answered.crypto.length === 0) {
    // Best-effort SRTP (RTP/AVP with a=crypto) may be declined by leaving the lines out.
    if (offered.protocol === 'RTP/AVP') return undefined;
    throw malformed('the RTP/SAVP answer has no a=crypto line');
  }
  if (answered.crypto.length > 1) throw malformed('the answer has more than one a=crypto line');
  const theirs = answered.crypto[0]!;
  const mine = ours.find((c) => c.tag === theirs.tag);
  if (!mine || mine.suite !== theirs.suite) throw malformed(`the answer's a=crypto tag ${theirs.tag} ${theirs.suite} is not one we offered`);
  if (!isUsable(theirs)) throw malformed(`the answer's a=crypto line cannot be used: ${theirs.unusable ?? 'no key'}`);
  return { suite: mine.key.suite, tag: mine.tag, local: mine.key, remote: theirs.key };
}

/** The call described by `offer` (ours) and the `answer` to it. */
export function applyAnswer(offer: string, answer: string): Negotiated {
  const ours = parseSdp(offer);
  const theirs = parseSdp(answer);
  // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
  if (theirs.media.length !== ours.media.length) {
    throw malformed(`the answer has ${theirs.media.length} m= lines for the offer's ${ours.media.length}`);
  }
  // RFC 3264 §6.1: "The media type of the stream in the answer MUST match that of the offer."
  theirs.media.forEach((m, i) => {
    if (m.type !== ours.media[i]!.type) throw malformed(`answer m= line ${i} is ${m.type}, the offer's is ${ours.media[i]!.type}`);
  });
  const offered = activeAudio(ours);
  if (!offered || !isRtpProfile(offered.protocol) || !offered.connection) throw new RangeError('the offer has no active RTP audio stream');
  const answered = theirs.media[offered.index]!;
  if (answered.port === 0) throw new SdpError('no-common-codec', 'the answer rejected the audio stream (port 0)');
  if (answered.protocol !== offered.protocol) throw malformed(`the answer changed the transport from ${offered.protocol} to ${answered.protocol}`);
  const connection = answered.connection!;
  if (connection.kind !== 'unicast') throw new SdpError('unsupported', 'the answer does not give a unicast IP address', WarnCode.incompatibleNetworkAddressFormats);
  if (!isAllowedAnswer(offered.direction, answered.direction)) {
    throw malformed(`the answer's ${answered.direction} is not allowed for an offer of ${offered.direction} (RFC 3264 §6.1)`);
  }

  const codecs = commonCodecs(offered, answered);
  const codec = codecs[0];
  if (!codec) throw new SdpError('no-common-codec', 'the answer lists no codec we offered');

  const remoteDirection = effectiveDirection(answered);
  const rtcpMux = offered.rtcpMux && answered.rtcpMux;
  const negotiated: Negotiated = {
    mediaIndex: offered.index,
    profile: offered.protocol,
    direction: answerDirection(remoteDirection, offered.direction),
    remoteDirection,
    local: { address: offered.connection.address, port: offered.port },
    remote: {
      address: connection.address,
      port: answered.port,
      rtcpAddress: rtcpMux ? connection.address : (answered.rtcpAddress ?? connection.address),
      ...(rtcpMux ? { rtcpPort: answered.port } : answered.rtcpPort !== undefined ? { rtcpPort: answered.rtcpPort } : {}),
    },
    rtcpMux,
    codec,
    codecs,
    ptime: sendPtime(codec.name, answered.ptime, answered.maxptime),
    localSession: { sessionId: ours.origin.sessionId, version: ours.origin.sessionVersion },
    remoteSession: { sessionId: theirs.origin.sessionId, version: theirs.origin.sessionVersion },
  };
  const te = commonTelephoneEvent(offered, answered, codec.clockRate);
  if (te) negotiated.telephoneEvent = te;
  if (answered.maxptime !== undefined) negotiated.maxptime = answered.maxptime;
  const srtp = acceptedSrtp(offered, answered);
  if (srtp) negotiated.srtp = srtp;
  return negotiated;
}
