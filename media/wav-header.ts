// WAV (RIFF/WAVE) headers: walk the chunks to the fmt and data chunks.
//
//  offset size
//   0      4   "RIFF" (or "RF64", see isWav)
//   4      4   size of what follows (little-endian, like every number here)
//   8      4   "WAVE"
//  12     ...  chunks: id (4 ASCII) | size (4) | body | a pad byte when size is odd
//
//  fmt body:  0 format tag (2) | 2 channels (2) | 4 sample rate (4) | 8 byte rate (4)
//            12 block align (2) | 14 bits per sample (2)
//            WAVE_FORMAT_EXTENSIBLE adds: 16 cbSize (2) | 18 valid bits (2)
//            20 channel mask (4) | 24 sub-format GUID (16), whose first 2 bytes are the real tag
import { AudioProbeError, ascii, type AudioInfo } from './audio-info.js';
import type { ByteSource } from './byte-source.js';

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

/** The 14 bytes after the tag in every KSDATAFORMAT_SUBTYPE_* GUID (…-0000-0010-8000-00AA00389B71). */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Streaming writers that cannot seek back leave the data size at one of these. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

const MAX_CHUNKS = 10_000;

interface Fmt {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** Chunk ids are four printable ASCII characters ("fmt ", "LIST", "data"). */
function looksLikeChunkId(b: Uint8Array): boolean {
  return b.length === 4 && b.every((c) => c >= 0x20 && c <= 0x7e);
}

/**
 * RIFF/WAVE, or RF64/WAVE (EBU Tech 3306), whose 32-bit sizes are 0xFFFFFFFF and whose real
 * sizes sit in a ds64 chunk: under our size limit the data simply runs to the end of the file.
 */
export function isWav(head: Uint8Array): boolean {
  const magic = ascii(head.subarray(0, 4));
  return head.length >= 12 && (magic === 'RIFF' || magic === 'RF64') && ascii(head.subarray(8, 12)) === 'WAVE';
}

function parseFmt(b: Uint8Array): Fmt {
  if (b.length < 16) throw new AudioProbeError('WAV fmt chunk is too short');
  let tag = u16(b, 0);
  if (tag === FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw new AudioProbeError('WAV fmt chunk is too short for WAVE_FORMAT_EXTENSIBLE');
    const tail = b.subarray(26, 40);
    if (!SUBTYPE_GUID_TAIL.every((v, i) => tail[i] === v)) {
      throw new AudioProbeError('unsupported WAV encoding (an extensible sub-format that is not PCM, float, A-law or µ-law)');
    }
    tag = u16(b, 24);
  }
  return { tag, channels: u16(b, 2), sampleRate: u32(b, 4), blockAlign: u16(b, 12), bitsPerSample: u16(b, 14) };
}

function encodingOf(f: Fmt): string {
  switch (f.tag) {
    case FORMAT_PCM:
      // 8-bit WAV PCM is unsigned; wider samples are signed.
      return f.bitsPerSample === 8 ? 'pcm_u8' : `pcm_s${f.bitsPerSample}`;
    case FORMAT_IEEE_FLOAT:
      return `float${f.bitsPerSample}`;
    case FORMAT_ALAW:
      return 'alaw';
    case FORMAT_MULAW:
      return 'mulaw';
    default:
      throw new AudioProbeError(
        `unsupported WAV encoding (format tag 0x${f.tag.toString(16).padStart(4, '0')}); PCM, IEEE float, A-law or µ-law is needed`,
      );
  }
}

export function probeWav(src: ByteSource): AudioInfo {
  let fmt: Fmt | undefined;
  let dataBytes: number | undefined;
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= src.size; n++) {
    const h = src.read(pos, 8);
    const id = ascii(h.subarray(0, 4));
    const size = u32(h, 4);
    const body = pos + 8;
    const available = src.size - body;
    if (id === 'fmt ') {
      fmt = parseFmt(src.read(body, Math.min(size, 64)));
    } else if (id === 'data') {
      const sizeKnown = !UNKNOWN_SIZES.has(size) && size <= available;
      dataBytes = sizeKnown ? size : available;
      // A data chunk normally comes after fmt; if fmt is still missing, keep walking
      // only when the size can be trusted to find what follows.
      if (fmt || !sizeKnown) break;
    }
    if (size > available) break;
    let next = body + size + (size & 1);
    // Some writers forget the pad byte after an odd-sized chunk: take the unpadded
    // position when that is where a chunk id is.
    if (size & 1 && !looksLikeChunkId(src.read(next, 4)) && looksLikeChunkId(src.read(next - 1, 4))) next -= 1;
    pos = next;
  }
  if (!fmt) throw new AudioProbeError('WAV file has no fmt chunk');
  if (dataBytes === undefined) throw new AudioProbeError('WAV file has no data chunk');
  const encoding = encodingOf(fmt);
  if (fmt.channels === 0) throw new AudioProbeError('WAV fmt chunk gives 0 channels');
  if (fmt.sampleRate === 0) throw new AudioProbeError('WAV fmt chunk gives a sample rate of 0');
  const blockAlign = fmt.blockAlign || (fmt.channels * fmt.bitsPerSample) / 8;
  if (!Number.isInteger(blockAlign) || blockAlign <= 0) throw new AudioProbeError('WAV fmt chunk gives no block alignment');
  const frames = Math.floor(dataBytes / blockAlign);
  return {
    format: 'wav',
    encoding,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    durationSeconds: frames / fmt.sampleRate,
    bitsPerSample: fmt.bitsPerSample,
  };
}
