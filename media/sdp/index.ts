// SDP offer/answer for the media plane (RFC 3264 on RFC 4566 syntax). See docs/media/sdp.md.
export { answerOffer, type AnswerResult } from './answer-offer.js';
export { applyAnswer } from './apply-answer.js';
export { createOffer, holdOffer, reOffer, unholdOffer, type ReOfferChanges } from './create-offer.js';
export { parseSdp } from './parse-sdp.js';
export { SdpError, WarnCode, type SdpErrorKind, type SdpWarnCode } from './sdp-error.js';
export { SDP_LIMITS, type SdpLimits } from './sdp-guard.js';
export type { LocalCrypto, LocalMedia } from './local-media.js';
export type { MediaDescription, RtpProfile, SessionDescription } from './media-description.js';
export { activeAudio, effectiveDirection } from './media-description.js';
export type { Negotiated, NegotiatedCodec, NegotiatedSrtp, NegotiatedTelephoneEvent } from './negotiated.js';
export type { CodecName, PayloadFormat } from './codec-catalog.js';
export type { CryptoAttribute, SrtpKey, SrtpSuite } from './crypto-attribute.js';
export { SRTP_SUITES } from './crypto-attribute.js';
export type { Connection, Origin } from './sdp-fields.js';
export { holdDirection, receives, sends, type Direction } from './direction.js';
