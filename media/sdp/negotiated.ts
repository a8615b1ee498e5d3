// The outcome of an offer/answer exchange: everything the engine needs to open the RTP stream,
// from our side's point of view (what we send, what we receive, where to).
import type { CodecName } from './codec-catalog.js';
import type { SrtpKey, SrtpSuite } from './crypto-attribute.js';
import type { Direction } from './direction.js';
import type { RtpProfile } from './media-description.js';

export interface NegotiatedCodec {
  name: CodecName;
  /**
   * PT in the packets we send: the number the remote side listed. RFC 3264 §6.1: "the answer
   * might indicate different payload type numbers for the same codecs, in which case, the
   * offerer MUST send with the payload type numbers from the answer."
   */
  payloadType: number;
  /** PT we expect in packets we receive: the number our SDP listed. */
  receivePayloadType: number;
  /** RTP timestamp rate (8000 for G.722, RFC 3551 §4.5.2). */
  clockRate: number;
  /** Audio sample rate (16000 for G.722). */
  sampleRate: number;
  channels: number;
  /** The remote side's fmtp for this codec: how it wants to receive it (Opus bitrate, FEC...). */
  fmtp?: string;
}

export interface NegotiatedTelephoneEvent {
  payloadType: number;
  receivePayloadType: number;
  /** 8000 with narrowband codecs; 48000 next to Opus when both sides offered it (RFC 4733 §2.1). */
  clockRate: number;
  /** The events both sides handle, e.g. "0-16". */
  events: string;
}

export interface NegotiatedSrtp {
  suite: SrtpSuite;
  /** The a=crypto tag the answer accepted. */
  tag: number;
  /** Our key: protects what we send. */
  local: SrtpKey;
  /** The remote side's key: unprotects what we receive. */
  remote: SrtpKey;
}

export interface Negotiated {
  /** Which m= line carries the call. */
  mediaIndex: number;
  /** RTP/AVP, RTP/SAVP; an RTP/AVP stream with `srtp` is best-effort SRTP. */
  profile: RtpProfile;
  /**
   * Our direction: "sendonly" means we send and do not receive. Derived from both sides' SDP,
   * so a peer holding us (sendonly offer) shows here as recvonly.
   */
  direction: Direction;
  /** The remote side's direction as it stated it, c=0.0.0.0 hold applied (no receive). */
  remoteDirection: Direction;
  local: { address: string; port: number };
  remote: {
    /** Where RTP goes; 0.0.0.0 for RFC 2543 hold (then `direction` does not send). */
    address: string;
    port: number;
    /** Where RTCP goes: the RTP port with rtcp-mux, a=rtcp, or port + 1; undefined when there is no such port. */
    rtcpAddress: string;
    rtcpPort?: number;
  };
  rtcpMux: boolean;
  /** The codec we send with. */
  codec: NegotiatedCodec;
  /** Every codec the remote side may send us (the chosen one first). */
  codecs: NegotiatedCodec[];
  telephoneEvent?: NegotiatedTelephoneEvent;
  /** Packetisation we send with, ms: the remote side's a=ptime when usable, else 20. */
  ptime: number;
  /** The remote side's a=maxptime, if given: never send longer packets. */
  maxptime?: number;
  srtp?: NegotiatedSrtp;
  localSession: { sessionId: string; version: string };
  remoteSession: { sessionId: string; version: string };
}
