// FLAC (RFC 9639): "fLaC", then metadata blocks, the first of which is STREAMINFO.
//
//  metadata block header: last-block flag (1 bit) | type (7 bits, 0 = STREAMINFO) | length (24 bits)
//  STREAMINFO (34 bytes): min block size (16) | max block size (16) | min frame size (24)
//    | max frame size (24) | sample rate (20) | channels - 1 (3) | bits per sample - 1 (5)
//    | total samples (36, 0 = unknown) | MD5 of the audio (128)
//
// When total samples is 0 (an encoder that could not seek back), the length comes from
// the header of the last audio frame (§9.1): its frame or sample number plus its block size.
import { AudioProbeError, ascii, type AudioInfo } from './audio-info.js';
import type { ByteSource } from './byte-source.js';

const STREAMINFO = 0;
const MAX_BLOCKS = 1024;
/** How far back from the end we look for the last frame header. */
const LAST_FRAME_SEARCH_BYTES = 1024 * 1024;

/** Sample rates and sizes by their frame-header codes (RFC 9639 §9.1.2, §9.1.4). */
const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, 0, 16, 20, 24, 32];

interface StreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  totalSamples: number;
}

export function isFlac(src: ByteSource, offset: number): boolean {
  return ascii(src.read(offset, 4)) === 'fLaC';
}

function parseStreamInfo(b: Uint8Array): StreamInfo {
  return {
    minBlockSize: (b[0]! << 8) | b[1]!,
    maxBlockSize: (b[2]! << 8) | b[3]!,
    sampleRate: (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4),
    channels: ((b[12]! >> 1) & 7) + 1,
    bitsPerSample: (((b[12]! & 1) << 4) | (b[13]! >> 4)) + 1,
    // 36 bits: more than 32-bit arithmetic holds, so the top 4 are scaled in.
    totalSamples: (b[13]! & 0x0f) * 2 ** 32 + (((b[14]! << 24) | (b[15]! << 16) | (b[16]! << 8) | b[17]!) >>> 0),
  };
}

/** CRC-8, polynomial x^8 + x^2 + x + 1, initial 0 (RFC 9639 §9.1.8). */
export function crc8(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * The first sample after the frame whose header starts `b`, or undefined when `b` does
 * not start a frame header consistent with the stream.
 *
 *  sync 0b11111111111110 (14) | reserved 0 (1) | blocking strategy (1: variable)
 *  | block size code (4) | sample rate code (4) | channel assignment (4) | sample size (3)
 *  | reserved 0 (1) | coded frame or sample number (1-7 bytes, UTF-8 style)
 *  | [block size - 1, 8 or 16 bits] | [sample rate, 8 or 16 bits] | CRC-8 (8)
 */
export function frameEndSample(b: Uint8Array, info: StreamInfo): number | undefined {
  if (b.length < 6 || b[0] !== 0xff || (b[1]! & 0xfe) !== 0xf8 || (b[3]! & 1) !== 0) return undefined;
  const variable = (b[1]! & 1) === 1;
  const blockCode = b[2]! >> 4;
  const rateCode = b[2]! & 0x0f;
  const channelCode = b[3]! >> 4;
  if (blockCode === 0 || rateCode === 15 || channelCode > 10) return undefined;
  // What the header repeats from STREAMINFO must agree with it: a false sync in the
  // audio data rarely passes these and the CRC together.
  if ((channelCode < 8 ? channelCode + 1 : 2) !== info.channels) return undefined;
  const sizeCode = (b[3]! >> 1) & 7;
  if (sizeCode !== 0 && SAMPLE_SIZES[sizeCode] !== info.bitsPerSample) return undefined;
  if (rateCode >= 1 && rateCode <= 11 && SAMPLE_RATES[rateCode] !== info.sampleRate) return undefined;

  // The UTF-8-like number: leading ones in the first byte give the byte count.
  let p = 4;
  const lead = b[p]!;
  let extra = 0;
  while (extra < 8 && lead & (0x80 >> extra)) extra++;
  if (extra === 1 || extra === 8) return undefined; // a continuation byte, or 0xFF
  const bytes = extra === 0 ? 1 : extra;
  if (b.length < p + bytes + 5) return undefined;
  let n = extra === 0 ? lead : lead & (0xff >> (extra + 1));
  for (let i = 1; i < bytes; i++) {
    const c = b[p + i]!;
    if ((c & 0xc0) !== 0x80) return undefined;
    n = n * 64 + (c & 0x3f);
  }
  p += bytes;

  let blockSize: number;
  if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) blockSize = b[p++]! + 1;
  else if (blockCode === 7) {
    blockSize = ((b[p]! << 8) | b[p + 1]!) + 1;
    p += 2;
  } else blockSize = 256 << (blockCode - 8);
  if (info.maxBlockSize > 0 && blockSize > info.maxBlockSize) return undefined;
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (crc8(b.subarray(0, p)) !== b[p]) return undefined;

  // Fixed block size: the number counts frames, each of the stream's block size.
  return variable ? n + blockSize : n * info.maxBlockSize + blockSize;
}

function samplesFromLastFrame(src: ByteSource, audioStart: number, info: StreamInfo): number | undefined {
  const from = Math.max(audioStart, src.size - LAST_FRAME_SEARCH_BYTES);
  const tail = src.read(from, src.size - from);
  for (let i = tail.length - 2; i >= 0; i--) {
    if (tail[i] !== 0xff || (tail[i + 1]! & 0xfe) !== 0xf8) continue;
    const end = frameEndSample(tail.subarray(i, i + 16), info);
    if (end !== undefined) return end;
  }
  return undefined;
}

export function probeFlac(src: ByteSource, offset: number): AudioInfo {
  let pos = offset + 4;
  let info: StreamInfo | undefined;
  for (let n = 0; n < MAX_BLOCKS && pos + 4 <= src.size; n++) {
    const h = src.read(pos, 4);
    const type = h[0]! & 0x7f;
    const length = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
    if (n === 0 && type !== STREAMINFO) throw new AudioProbeError('FLAC file does not start with a STREAMINFO block');
    if (type === STREAMINFO) {
      if (length < 34) throw new AudioProbeError('FLAC STREAMINFO block is too short');
      info = parseStreamInfo(src.read(pos + 4, 34));
    }
    pos += 4 + length;
    if (h[0]! & 0x80) break;
  }
  if (!info) throw new AudioProbeError('FLAC file has no STREAMINFO block');
  if (info.sampleRate === 0) throw new AudioProbeError('FLAC STREAMINFO gives a sample rate of 0');
  const total = info.totalSamples || samplesFromLastFrame(src, pos, info);
  if (total === undefined) throw new AudioProbeError('FLAC stream length is unknown: STREAMINFO gives none and no frame was found');
  return {
    format: 'flac',
    encoding: 'flac',
    sampleRate: info.sampleRate,
    channels: info.channels,
    durationSeconds: total / info.sampleRate,
    bitsPerSample: info.bitsPerSample,
  };
}
