// The SDP side of an endpoint: our offer, our answer, the remote's answer to our offer, all through
// media/sdp, with SdpError turned into the engine's typed error (the SIP side answers 488 or 400).
import { answerOffer, applyAnswer, createOffer, reOffer, SdpError, type Direction, type LocalCrypto, type LocalMedia, type Negotiated } from '../sdp/index.js';
import { MediaEngineError } from './engine-error.js';

export interface EndpointSdpOptions {
  /** Address written in c= and o= (the advertised media address). */
  address: string;
  port: number;
  codecs: readonly string[];
  telephoneEvent: boolean;
  srtp?: LocalCrypto;
  rtcpMux?: boolean;
  random?: (size: number) => Uint8Array;
}

function badSdp(err: unknown): never {
  if (err instanceof SdpError) {
    throw new MediaEngineError('bad_sdp', err.message, { sipStatus: err.sipStatus, sdpKind: err.kind, warnCode: err.warnCode });
  }
  if (err instanceof RangeError) throw new MediaEngineError('invalid_argument', err.message);
  throw err;
}

/** Negotiation state: the last SDP we sent, and our offer while it waits for an answer. */
export class EndpointSdp {
  private readonly o: EndpointSdpOptions;
  /** The last SDP we sent (offer or answer), kept for re-offers and answers to re-offers. */
  localSdp: string | null = null;
  pendingOffer: string | null = null;

  constructor(o: EndpointSdpOptions) {
    this.o = o;
  }

  private local(direction: Direction | undefined): LocalMedia {
    const l: LocalMedia = {
      address: this.o.address,
      port: this.o.port,
      codecs: this.o.codecs,
      telephoneEvent: this.o.telephoneEvent,
      rtcpMux: this.o.rtcpMux ?? false,
    };
    if (direction) l.direction = direction;
    if (this.o.srtp) l.crypto = this.o.srtp;
    if (this.o.random) l.random = this.o.random;
    if (this.localSdp !== null) l.previous = this.localSdp;
    return l;
  }

  /** Answers a remote offer (first INVITE or re-INVITE). */
  answer(remoteOffer: string, direction?: Direction): { sdp: string; negotiated: Negotiated } {
    let r;
    try {
      r = answerOffer(remoteOffer, this.local(direction));
    } catch (err) {
      badSdp(err);
    }
    this.localSdp = r.sdp;
    this.pendingOffer = null;
    return r;
  }

  /** Our offer: a new one, or a re-offer keeping codecs and keys when we sent SDP before. */
  offer(direction?: Direction): string {
    let sdp: string;
    try {
      sdp = this.localSdp === null ? createOffer(this.local(direction)) : reOffer(this.localSdp, direction ? { direction } : {});
    } catch (err) {
      badSdp(err);
    }
    this.localSdp = sdp;
    this.pendingOffer = sdp;
    return sdp;
  }

  /** The remote's answer to our pending offer. */
  applyAnswer(answer: string): Negotiated {
    if (this.pendingOffer === null) throw new MediaEngineError('invalid_state', 'no offer is waiting for an answer');
    let n: Negotiated;
    try {
      n = applyAnswer(this.pendingOffer, answer);
    } catch (err) {
      badSdp(err);
    }
    this.pendingOffer = null;
    return n;
  }
}
