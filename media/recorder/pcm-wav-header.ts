// The 44-byte header of a canonical 16-bit PCM WAV file, as the recorder writes it.
//
//  offset size  field
//   0      4    "RIFF"
//   4      4    RIFF size: 4 + (8 + 16) + (8 + data size) = 36 + data size
//   8      4    "WAVE"
//  12      4    "fmt "
//  16      4    16 (fmt body size)
//  20      2    1 (WAVE_FORMAT_PCM)
//  22      2    channels
//  24      4    sample rate
//  28      4    byte rate = sample rate × block align
//  32      2    block align = channels × 2
//  34      2    16 (bits per sample)
//  36      4    "data"
//  40      4    data size (bytes of samples that follow)
//  44     ...   samples, little-endian, interleaved (left, right, left, right…)
//
// Every number is little-endian. Allocation: headerBytes() allocates its 44-byte result;
// setHeaderSizes() writes into the caller's buffer.

/** Bytes before the first sample. */
export const PCM_WAV_HEADER_BYTES = 44;
export const RIFF_SIZE_OFFSET = 4;
export const DATA_SIZE_OFFSET = 40;
/** Bytes of header the RIFF size counts (everything after its own field, up to the samples). */
export const RIFF_SIZE_OVERHEAD = PCM_WAV_HEADER_BYTES - 8;

/**
 * Written at open, before any size is known. Streaming readers (sox, ffmpeg, media/wav-header.ts)
 * take 0xFFFFFFFF as "read to the end of the file", where a 0 would read as an empty file.
 */
export const UNKNOWN_SIZE = 0xffffffff;

/**
 * The largest data size a 32-bit RIFF size field can describe. Every chunk size is a 32-bit
 * unsigned count of the bytes of its body (Microsoft/IBM, Multimedia Programming Interface and
 * Data Specifications 1.0, 1991, "RIFF chunks"), and the RIFF chunk's body holds the rest of the
 * header as well as the samples.
 */
export const MAX_DATA_BYTES = 0xffffffff - RIFF_SIZE_OVERHEAD - 1;

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

/** Bytes per sample frame (one sample per channel). */
export function blockAlign(f: PcmFormat): number {
  return f.channels * 2;
}

function putAscii(b: Uint8Array, offset: number, s: string): void {
  for (let i = 0; i < s.length; i++) b[offset + i] = s.charCodeAt(i);
}

/** A header for `dataBytes` of samples, or with both sizes unknown (UNKNOWN_SIZE) when omitted. */
export function headerBytes(f: PcmFormat, dataBytes?: number): Uint8Array {
  const b = new Uint8Array(PCM_WAV_HEADER_BYTES);
  const v = new DataView(b.buffer);
  putAscii(b, 0, 'RIFF');
  putAscii(b, 8, 'WAVE');
  putAscii(b, 12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, f.channels, true);
  v.setUint32(24, f.sampleRate, true);
  // For PCM the byte rate is the sample rate times the block alignment, and the block alignment
  // is one sample frame: channels × bytes per sample (RIFF specification, WAVE PCM format).
  v.setUint32(28, f.sampleRate * blockAlign(f), true);
  v.setUint16(32, blockAlign(f), true);
  v.setUint16(34, 16, true);
  putAscii(b, 36, 'data');
  if (dataBytes === undefined) {
    v.setUint32(RIFF_SIZE_OFFSET, UNKNOWN_SIZE, true);
    v.setUint32(DATA_SIZE_OFFSET, UNKNOWN_SIZE, true);
  } else {
    setHeaderSizes(b, dataBytes);
  }
  return b;
}

/** Writes the RIFF and data sizes for `dataBytes` of samples into a 44-byte header. Allocates nothing. */
export function setHeaderSizes(header: Uint8Array, dataBytes: number): void {
  writeU32(header, RIFF_SIZE_OFFSET, RIFF_SIZE_OVERHEAD + dataBytes + (dataBytes & 1));
  writeU32(header, DATA_SIZE_OFFSET, dataBytes);
}

export function writeU32(b: Uint8Array, offset: number, n: number): void {
  b[offset] = n & 0xff;
  b[offset + 1] = (n >>> 8) & 0xff;
  b[offset + 2] = (n >>> 16) & 0xff;
  b[offset + 3] = (n >>> 24) & 0xff;
}

export function readU32(b: Uint8Array, offset: number): number {
  return (b[offset]! | (b[offset + 1]! << 8) | (b[offset + 2]! << 16) | (b[offset + 3]! << 24)) >>> 0;
}
