// L16: uncompressed 16-bit linear PCM in RTP, at 8, 16 or 48 kHz, mono.
//
// RFC 3551 §4.5.11: "L16 denotes uncompressed audio data samples, using 16-bit signed
// representation with 65,535 equally divided steps between minimum and maximum signal level,
// ranging from -32,768 to 32,767. The value is represented in two's complement notation and
// transmitted in network byte order (most significant byte first)."
//
//   0                   1                   2
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | sample 0 (MSB first)          | sample 1      ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The static payload types 10 and 11 are 44.1 kHz, which the media plane does not run; at our
// rates L16 is always a dynamic type, and its RTP clock rate is its sample rate.
import { CodecError, ensureCapacity, type AudioCodec, type CodecInfo } from './codec.js';

export const L16_RATES: readonly number[] = [8000, 16000, 48000];

/** Default dynamic payload types, one per rate, so offers for several rates do not collide. */
const DEFAULT_PT: Record<number, number> = { 8000: 97, 16000: 98, 48000: 99 };

/** Writes `pcm` big-endian into `out` (at least 2 · pcm.length bytes); returns the bytes written. */
export function l16EncodeInto(pcm: Int16Array, out: Uint8Array): number {
  const n = pcm.length;
  ensureCapacity('L16', 'payload buffer', out.length, 2 * n);
  for (let i = 0; i < n; i++) {
    const s = pcm[i]!;
    out[2 * i] = s >> 8;
    out[2 * i + 1] = s;
  }
  return 2 * n;
}

/**
 * Reads big-endian samples from `payload` into `out`; returns the samples written. A trailing
 * odd byte cannot be half a sample of anything and is ignored.
 */
export function l16DecodeInto(payload: Uint8Array, out: Int16Array): number {
  const n = payload.length >> 1;
  ensureCapacity('L16', 'PCM buffer', out.length, n);
  for (let i = 0; i < n; i++) out[i] = (payload[2 * i]! << 8) | payload[2 * i + 1]!;
  return n;
}

export function l16Info(sampleRate: number, payloadType?: number): CodecInfo {
  if (!L16_RATES.includes(sampleRate)) throw new CodecError(`L16: unsupported rate ${sampleRate} (supported: ${L16_RATES.join(', ')})`);
  return {
    name: 'L16',
    payloadType: payloadType ?? DEFAULT_PT[sampleRate]!,
    staticPayloadType: false,
    clockRate: sampleRate,
    sampleRate,
    channels: 1,
    rtpmapChannels: undefined,
    fmtp: undefined,
  };
}

/** L16 is stateless, but each rate (and negotiated payload type) gets its own descriptor. */
export function createL16(sampleRate: number, payloadType?: number): AudioCodec {
  const info = l16Info(sampleRate, payloadType);
  const frame = (ptimeMs: number): number => {
    const n = (sampleRate * ptimeMs) / 1000;
    if (!Number.isInteger(n) || n <= 0) throw new CodecError(`L16: ptime ${ptimeMs} ms is not a whole number of samples`);
    return n;
  };
  return Object.freeze({
    ...info,
    samplesPerFrame: frame,
    timestampsPerFrame: frame,
    maxPayloadBytes: (ptimeMs: number) => 2 * frame(ptimeMs),
    encode: l16EncodeInto,
    decode: l16DecodeInto,
    reset: () => {},
  });
}
