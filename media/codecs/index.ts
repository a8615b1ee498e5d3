// The codec registry: SDP encoding name → codec. The SDP side asks `codecInfo` what to offer
// and how to size buffers; a stream asks `createCodec` for its own instance once negotiated.
//
// RFC 4855 §3: media subtype names are case-insensitive, so "pcmu", "PCMU" and "Opus" all match.
// Lookups lower-case the name (a small allocation): call them at negotiation, not per packet.
import { CodecError, type AudioCodec, type CodecInfo } from './codec.js';
import { PCMA, PCMU } from './g711.js';
import { G722_INFO, createG722 } from './g722.js';
import { createL16, l16Info } from './l16.js';
import { createOpus, opusInfo, type OpusOptions } from './opus.js';

export { CodecError, type AudioCodec, type CodecInfo } from './codec.js';
export type { OpusOptions } from './opus.js';

/** The SDP encoding names we implement, in their registered spelling. */
export const CODEC_NAMES = ['PCMU', 'PCMA', 'G722', 'opus', 'L16'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];

export interface CodecOptions extends OpusOptions {
  /**
   * L16: the sample rate (= RTP clock rate from a=rtpmap), 8000, 16000 or 48000; required.
   * opus: the PCM rate the stream wants (the RTP clock stays 48000); default 48000.
   * Ignored by the others, whose rate is fixed.
   */
  sampleRate?: number;
  /** The negotiated payload type, when it differs from the codec's default. */
  payloadType?: number;
}

const BY_LOWER_NAME: ReadonlyMap<string, CodecName> = new Map(CODEC_NAMES.map((n) => [n.toLowerCase(), n]));

/** The registered spelling of `name`, or undefined when we do not implement it. */
export function codecName(name: string): CodecName | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

function known(name: string): CodecName {
  const n = codecName(name);
  if (n === undefined) throw new CodecError(`no codec named ${JSON.stringify(name)} (known: ${CODEC_NAMES.join(', ')})`);
  return n;
}

function l16Rate(opts: CodecOptions): number {
  if (opts.sampleRate === undefined) throw new CodecError('L16 needs a sampleRate (the rtpmap clock rate)');
  return opts.sampleRate;
}

function withPayloadType<T extends CodecInfo>(codec: T, payloadType: number | undefined): T {
  return payloadType === undefined || payloadType === codec.payloadType ? codec : Object.freeze({ ...codec, payloadType });
}

/** What an SDP offer or answer needs to know about a codec, without creating encoder state. */
export function codecInfo(name: string, opts: CodecOptions = {}): CodecInfo {
  switch (known(name)) {
    case 'PCMU':
      return withPayloadType(PCMU, opts.payloadType);
    case 'PCMA':
      return withPayloadType(PCMA, opts.payloadType);
    case 'G722':
      return withPayloadType(G722_INFO, opts.payloadType);
    case 'opus':
      return opusInfo(opts);
    case 'L16':
      return l16Info(l16Rate(opts), opts.payloadType);
  }
}

/**
 * A codec for one stream. G.711 and L16 are stateless and may be shared; G.722 and Opus carry
 * encoder and decoder state, so every stream (every SSRC) needs its own.
 */
export function createCodec(name: string, opts: CodecOptions = {}): AudioCodec {
  switch (known(name)) {
    case 'PCMU':
      return withPayloadType(PCMU, opts.payloadType);
    case 'PCMA':
      return withPayloadType(PCMA, opts.payloadType);
    case 'G722':
      return withPayloadType(createG722(), opts.payloadType);
    case 'opus':
      return createOpus(opts);
    case 'L16':
      return createL16(l16Rate(opts), opts.payloadType);
  }
}
