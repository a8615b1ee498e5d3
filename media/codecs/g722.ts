// G.722 as an RTP audio codec (RFC 3551 §4.5.2): 16 kHz audio, 64 kbit/s, static payload type 9.
//
// RFC 3551 §4.5.2: "Even though the actual sampling rate for G.722 audio is 16,000 Hz, the RTP
// clock rate for the G722 payload format is 8,000 Hz because that value was erroneously assigned
// in RFC 1890 and must remain unchanged for backward compatibility." So a 20 ms frame is 320
// samples, 160 octets and 160 timestamp ticks.
import { CodecError, type AudioCodec, type CodecInfo } from './codec.js';
import { G722Decoder } from './g722-decoder.js';
import { G722Encoder } from './g722-encoder.js';

function frameSamples(ptimeMs: number): number {
  const n = (16000 * ptimeMs) / 1000;
  if (!Number.isInteger(n / 2) || n <= 0) throw new CodecError(`G722: ptime ${ptimeMs} ms is not a whole number of octets`);
  return n;
}

export const G722_INFO: CodecInfo = Object.freeze({
  name: 'G722',
  payloadType: 9,
  staticPayloadType: true,
  clockRate: 8000,
  sampleRate: 16000,
  channels: 1,
  rtpmapChannels: undefined,
  fmtp: undefined,
});

/** A G.722 codec for one stream: it owns an encoder and a decoder state. */
export function createG722(): AudioCodec {
  const encoder = new G722Encoder();
  const decoder = new G722Decoder();
  return {
    ...G722_INFO,
    samplesPerFrame: frameSamples,
    timestampsPerFrame: (ptimeMs) => frameSamples(ptimeMs) / 2,
    maxPayloadBytes: (ptimeMs) => frameSamples(ptimeMs) / 2,
    encode: (pcm, out) => encoder.encodeInto(pcm, out),
    decode: (payload, out) => decoder.decodeInto(payload, out),
    reset: () => {
      encoder.reset();
      decoder.reset();
    },
  };
}
