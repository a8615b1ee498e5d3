// Picking the codec and the telephone-event format of a stream, and describing the result.
import { codecTraits, formatMatches, specOf, TELEPHONE_EVENT, type CodecSpec, type PayloadFormat } from './codec-catalog.js';
import type { NegotiatedCodec } from './negotiated.js';

export interface CodecChoice {
  format: PayloadFormat;
  spec: CodecSpec;
}

/**
 * The codec of an answer. With order "local" the first codec of OUR list that the offer has wins
 * (the trunk's priority list is a business decision: cost, transcoding, quality); with "offer"
 * the first offered codec that is anywhere in our list. RFC 4566 §5.14 gives the offerer's order
 * as a preference ("the first of these formats SHOULD be used as the default format for the
 * session"), not an obligation on the answerer.
 */
export function chooseCodec(offered: readonly PayloadFormat[], ours: readonly CodecSpec[], order: 'local' | 'offer'): CodecChoice | undefined {
  if (order === 'local') {
    for (const spec of ours) {
      const format = offered.find((f) => formatMatches(f, spec));
      if (format) return { format, spec: specOf(format)! };
    }
    return undefined;
  }
  for (const format of offered) {
    if (ours.some((spec) => formatMatches(format, spec))) return { format, spec: specOf(format)! };
  }
  return undefined;
}

export const isTelephoneEvent = (f: PayloadFormat): boolean => f.name === TELEPHONE_EVENT && f.clockRate > 0;

/**
 * The telephone-event format to use next to a codec of clock rate `clockRate`. RFC 4733 §2.1 has
 * events timed on the audio's RTP clock, so a format at the codec's rate comes first; failing
 * that 8000 Hz, which is what most peers offer even next to Opus; failing that the first one.
 */
export function chooseTelephoneEvent(offered: readonly PayloadFormat[], clockRate: number): PayloadFormat | undefined {
  const events = offered.filter(isTelephoneEvent);
  return events.find((f) => f.clockRate === clockRate) ?? events.find((f) => f.clockRate === 8000) ?? events[0];
}

/** A negotiated codec: `remote` is the format as the remote side listed it, `receivePayloadType` the number our SDP used. */
export function negotiatedCodec(remote: PayloadFormat, spec: CodecSpec, receivePayloadType: number): NegotiatedCodec {
  const traits = codecTraits(spec.name === 'L16' ? { name: 'L16', clockRate: remote.clockRate } : spec);
  const codec: NegotiatedCodec = {
    name: spec.name,
    payloadType: remote.payloadType,
    receivePayloadType,
    clockRate: traits.clockRate,
    sampleRate: traits.sampleRate,
    channels: traits.channels,
  };
  if (remote.fmtp !== undefined) codec.fmtp = remote.fmtp;
  return codec;
}
