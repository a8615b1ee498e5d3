// G.711 µ-law (PCMU) and A-law (PCMA): 8-bit logarithmic companding of 8 kHz speech.
//
// RFC 3551 §4.5.14: "PCMA and PCMU are specified in ITU-T Recommendation G.711. Audio data is
// encoded as eight bits per sample, after logarithmic scaling."
//
// A code word, both laws (ITU-T G.711 tables 1 and 2):
//
//    7   6   5   4   3   2   1   0
//  +---+-----------+---------------+
//  | S |  segment  |     step      |   µ-law: every bit inverted on the line
//  +---+-----------+---------------+   A-law: the even bits (mask 0x55) inverted on the line
//
// µ-law works on 14-bit magnitudes with a bias of 33 so all eight segments share one shape;
// A-law on 13-bit magnitudes with a linear first segment. We follow the widely used Sun
// reference arithmetic (the one ffmpeg and most PBXs use) for the low bits that G.711 leaves to
// the implementation: a 16-bit sample is reduced to 14 (µ) or 13 (A) bits by an arithmetic
// shift, so -1 encodes as the smallest negative step, not as "negative zero".
//
// Everything per sample is a table look-up: decode through 256-entry tables, encode through a
// 16 Ki (µ) / 8 Ki (A) entry table indexed by the reduced sample. The tables are built once,
// from the bit logic below, when the module loads; nothing allocates afterwards.
import { CodecError, ensureCapacity, type AudioCodec } from './codec.js';

const ULAW_BIAS = 33; // in 14-bit units (0x84 = 132 in 16-bit units)
const ULAW_CLIP = 8159; // largest 14-bit magnitude before the bias pushes it past segment 7

/** µ-law code of a 14-bit sample (-8192..8191), per G.711 table 2 with the Sun rounding. */
function ulawFrom14(v: number): number {
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > ULAW_CLIP) v = ULAW_CLIP;
  v += ULAW_BIAS;
  // Segment = position of the highest set bit above bit 5 (the biased value is ≥ 33 = 0b100001).
  let seg = 0;
  for (let t = v >> 6; t !== 0; t >>= 1) seg++;
  // Only the clipped maximum (8159 + 33 = 8192) lands past segment 7: it takes the top code.
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

/** Linear value (16-bit scale) of a µ-law code. */
function linearFromUlaw(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** A-law code of a 13-bit sample (-4096..4095), per G.711 table 1 with the Sun rounding. */
function alawFrom13(v: number): number {
  let mask = 0xd5; // sign bit set for positive values, even bits inverted
  if (v < 0) {
    v = -v - 1;
    mask = 0x55;
  }
  // Segment 0 and 1 share the same step size; from segment 2 on the step doubles.
  let seg = 0;
  for (let t = v >> 5; t !== 0; t >>= 1) seg++;
  const step = seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return ((seg << 4) | step) ^ mask;
}

/** Linear value (16-bit scale) of an A-law code: the middle of the code's interval. */
function linearFromAlaw(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t += seg === 0 ? 8 : 0x108;
  if (seg > 1) t <<= seg - 1;
  return a & 0x80 ? t : -t;
}

const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) {
  ULAW_DECODE[c] = linearFromUlaw(c);
  ALAW_DECODE[c] = linearFromAlaw(c);
}
/** Indexed by (sample >> 2) & 0x3fff: the 14-bit sample as an unsigned index. */
const ULAW_ENCODE = new Uint8Array(1 << 14);
for (let i = 0; i < 1 << 14; i++) ULAW_ENCODE[i] = ulawFrom14((i << 18) >> 18);
/** Indexed by (sample >> 3) & 0x1fff. */
const ALAW_ENCODE = new Uint8Array(1 << 13);
for (let i = 0; i < 1 << 13; i++) ALAW_ENCODE[i] = alawFrom13((i << 19) >> 19);

/** µ-law code of one 16-bit sample. */
export function ulawEncodeSample(sample: number): number {
  return ULAW_ENCODE[(sample >> 2) & 0x3fff]!;
}
/** 16-bit sample of one µ-law code. */
export function ulawDecodeSample(code: number): number {
  return ULAW_DECODE[code & 0xff]!;
}
/** A-law code of one 16-bit sample. */
export function alawEncodeSample(sample: number): number {
  return ALAW_ENCODE[(sample >> 3) & 0x1fff]!;
}
/** 16-bit sample of one A-law code. */
export function alawDecodeSample(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

/** Encodes `pcm` to µ-law into `out` (at least pcm.length bytes); returns pcm.length. */
export function ulawEncodeInto(pcm: Int16Array, out: Uint8Array): number {
  const n = pcm.length;
  ensureCapacity('PCMU', 'payload buffer', out.length, n);
  for (let i = 0; i < n; i++) out[i] = ULAW_ENCODE[(pcm[i]! >> 2) & 0x3fff]!;
  return n;
}
/** Decodes µ-law `payload` into `out` (at least payload.length samples); returns payload.length. */
export function ulawDecodeInto(payload: Uint8Array, out: Int16Array): number {
  const n = payload.length;
  ensureCapacity('PCMU', 'PCM buffer', out.length, n);
  for (let i = 0; i < n; i++) out[i] = ULAW_DECODE[payload[i]!]!;
  return n;
}
/** Encodes `pcm` to A-law into `out` (at least pcm.length bytes); returns pcm.length. */
export function alawEncodeInto(pcm: Int16Array, out: Uint8Array): number {
  const n = pcm.length;
  ensureCapacity('PCMA', 'payload buffer', out.length, n);
  for (let i = 0; i < n; i++) out[i] = ALAW_ENCODE[(pcm[i]! >> 3) & 0x1fff]!;
  return n;
}
/** Decodes A-law `payload` into `out` (at least payload.length samples); returns payload.length. */
export function alawDecodeInto(payload: Uint8Array, out: Int16Array): number {
  const n = payload.length;
  ensureCapacity('PCMA', 'PCM buffer', out.length, n);
  for (let i = 0; i < n; i++) out[i] = ALAW_DECODE[payload[i]!]!;
  return n;
}

/** One-shot µ-law encoding into a new array. */
export function ulawEncode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  ulawEncodeInto(pcm, out);
  return out;
}
/** One-shot µ-law decoding into a new array. */
export function ulawDecode(payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  ulawDecodeInto(payload, out);
  return out;
}
/** One-shot A-law encoding into a new array. */
export function alawEncode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  alawEncodeInto(pcm, out);
  return out;
}
/** One-shot A-law decoding into a new array. */
export function alawDecode(payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  alawDecodeInto(payload, out);
  return out;
}

/** The silence code word of each law (what encode(0) gives), for comfort fill and padding. */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;

function frameSamples(name: string, ptimeMs: number): number {
  const n = (8000 * ptimeMs) / 1000;
  if (!Number.isInteger(n) || n <= 0) throw new CodecError(`${name}: ptime ${ptimeMs} ms is not a whole number of samples`);
  return n;
}

/** Stateless, so one instance serves every stream. */
export const PCMU: AudioCodec = Object.freeze({
  name: 'PCMU',
  payloadType: 0,
  staticPayloadType: true,
  clockRate: 8000,
  sampleRate: 8000,
  channels: 1,
  rtpmapChannels: undefined,
  fmtp: undefined,
  samplesPerFrame: (ptimeMs: number) => frameSamples('PCMU', ptimeMs),
  timestampsPerFrame: (ptimeMs: number) => frameSamples('PCMU', ptimeMs),
  maxPayloadBytes: (ptimeMs: number) => frameSamples('PCMU', ptimeMs),
  encode: ulawEncodeInto,
  decode: ulawDecodeInto,
  reset: () => {},
});

export const PCMA: AudioCodec = Object.freeze({
  name: 'PCMA',
  payloadType: 8,
  staticPayloadType: true,
  clockRate: 8000,
  sampleRate: 8000,
  channels: 1,
  rtpmapChannels: undefined,
  fmtp: undefined,
  samplesPerFrame: (ptimeMs: number) => frameSamples('PCMA', ptimeMs),
  timestampsPerFrame: (ptimeMs: number) => frameSamples('PCMA', ptimeMs),
  maxPayloadBytes: (ptimeMs: number) => frameSamples('PCMA', ptimeMs),
  encode: alawEncodeInto,
  decode: alawDecodeInto,
  reset: () => {},
});
