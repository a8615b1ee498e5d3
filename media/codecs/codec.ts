// The common shape of every audio codec the media plane speaks.
//
// A codec turns 16-bit mono PCM at `sampleRate` into RTP payload bytes and back. Both methods
// write into buffers the caller owns and return how much they wrote, so a stream that reuses
// its buffers allocates nothing per frame (see each codec for exceptions, e.g. the Opus binding).

/** Static facts about a codec: what the SDP side needs to offer, answer and size buffers. */
export interface CodecInfo {
  /** SDP encoding name as registered with IANA (RFC 3551 §6, RFC 7587): PCMU, PCMA, G722, opus, L16. */
  readonly name: string;
  /** The static payload type (RFC 3551 table 4), or our default when the type is dynamic. */
  readonly payloadType: number;
  /** False when `payloadType` is only a default for a dynamic type (96–127), to be negotiated. */
  readonly staticPayloadType: boolean;
  /** RTP timestamp rate, as written in a=rtpmap (8000 for G.722: the RFC 3551 quirk). */
  readonly clockRate: number;
  /** Rate of the PCM that encode takes and decode gives. */
  readonly sampleRate: number;
  /** PCM channels (always 1 here: the media plane is mono). */
  readonly channels: number;
  /** Encoding parameters for a=rtpmap when the RFC demands them ("opus/48000/2"), else undefined. */
  readonly rtpmapChannels: number | undefined;
  /** Our default a=fmtp parameters, or undefined. */
  readonly fmtp: string | undefined;
}

export interface AudioCodec extends CodecInfo {
  /** PCM samples in one frame of `ptimeMs` milliseconds. */
  samplesPerFrame(ptimeMs: number): number;
  /** RTP timestamp increment for one frame of `ptimeMs` milliseconds. */
  timestampsPerFrame(ptimeMs: number): number;
  /** The largest payload one frame of `ptimeMs` can encode to: size encode's `out` with it. */
  maxPayloadBytes(ptimeMs: number): number;
  /** Encodes `pcm` (one frame) into `out`; returns the payload length in bytes. */
  encode(pcm: Int16Array, out: Uint8Array): number;
  /** Decodes one payload into `out`; returns the number of PCM samples written. */
  decode(payload: Uint8Array, out: Int16Array): number;
  /** Forgets the stream's state (a new SSRC, a re-INVITE); stateless codecs do nothing. */
  reset(): void;
}

/** A caller error (buffer too small, frame of the wrong size) or a payload that cannot be decoded. */
export class CodecError extends Error {
  override name = 'CodecError';
}

/** Throws unless `out` can take `needed` elements: silent truncation would drop audio unnoticed. */
export function ensureCapacity(codec: string, what: string, available: number, needed: number): void {
  if (available < needed) throw new CodecError(`${codec}: ${what} holds ${available}, needs ${needed}`);
}
