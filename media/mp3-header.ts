// MP3 (MPEG-1/2/2.5 Layer III): find the first real frame, then take the length from a
// Xing/Info or VBRI header when the encoder wrote one, else count the frames to the end.
//
// Xing/Info (LAME, most encoders), in the first frame after the side information:
//   "Xing" or "Info" | flags (4, big-endian) | [frames (4) if flags&1] | [bytes (4) if &2]
//   | [TOC (100) if &4] | [quality (4) if &8] | LAME extension: encoder (9) ... at +21 the
//   encoder delay (12 bits) and end padding (12 bits), in samples.
// VBRI (Fraunhofer), 32 bytes after the header:
//   "VBRI" | version (2) | delay (2) | quality (2) | bytes (4) | frames (4) | ...
// Both count the audio frames after the one that carries them, which is silent.
import { AudioProbeError, ascii, type AudioInfo } from './audio-info.js';
import type { ByteSource } from './byte-source.js';
import { parseMpegFrameHeader, sameStream, sideInfoLength, type MpegFrameHeader } from './mpeg-frame-header.js';

/** How far past the tags we look for the first frame before giving up. */
const SYNC_SEARCH_BYTES = 256 * 1024;
/** Frames that must follow a candidate first frame, so a stray 0xFFE in a tag is not taken for audio. */
const CONFIRMING_FRAMES = 3;
/** Damage or tags between frames longer than this end the stream: real files have a few KB at most. */
const RESYNC_BYTES = 64 * 1024;

const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

function headerAt(src: ByteSource, pos: number): MpegFrameHeader | undefined {
  return parseMpegFrameHeader(src.read(pos, 4));
}

/** A frame at `pos` followed by frames of the same stream (or the end of the file). */
function confirmed(src: ByteSource, pos: number, first: MpegFrameHeader, count: number): boolean {
  let at = pos + first.frameLength;
  for (let i = 0; i < count; i++) {
    if (at === src.size) return true;
    const h = headerAt(src, at);
    if (!h || !sameStream(first, h)) return false;
    at += h.frameLength;
  }
  return at <= src.size;
}

/** The offset and header of the first frame at or after `start`, if any. */
export function findFirstMpegFrame(src: ByteSource, start: number): { offset: number; header: MpegFrameHeader } | undefined {
  const end = Math.min(src.size - 4, start + SYNC_SEARCH_BYTES);
  for (let pos = start; pos <= end; pos++) {
    const b = src.read(pos, 2);
    if (b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) continue;
    const header = headerAt(src, pos);
    if (header && confirmed(src, pos, header, CONFIRMING_FRAMES)) return { offset: pos, header };
  }
  return undefined;
}

interface LengthTag {
  kind: 'xing' | 'vbri';
  /** Audio frames after the tag's frame, when the tag says. */
  frames: number | undefined;
  /** Encoder delay + end padding in samples, to subtract (LAME extension). */
  trimSamples: number;
}

function readXing(src: ByteSource, offset: number, h: MpegFrameHeader): LengthTag | undefined {
  const at = offset + 4 + (h.crc ? 2 : 0) + sideInfoLength(h);
  const b = src.read(at, 120 + 24);
  const id = ascii(b.subarray(0, 4));
  if (id !== 'Xing' && id !== 'Info') return undefined;
  const flags = u32be(b, 4);
  let p = 8;
  let frames: number | undefined;
  if (flags & 1) {
    frames = u32be(b, p);
    p += 4;
  }
  if (flags & 2) p += 4;
  if (flags & 4) p += 100;
  if (flags & 8) p += 4;
  let trimSamples = 0;
  if (b.length >= p + 24 && /^(LAME|Lavc|Lavf)/.test(ascii(b.subarray(p, p + 4)))) {
    const d = b.subarray(p + 21, p + 24);
    trimSamples = ((d[0]! << 4) | (d[1]! >> 4)) + (((d[1]! & 0x0f) << 8) | d[2]!);
  }
  return { kind: 'xing', frames, trimSamples };
}

function readVbri(src: ByteSource, offset: number): LengthTag | undefined {
  const b = src.read(offset + 4 + 32, 18);
  if (b.length < 18 || ascii(b.subarray(0, 4)) !== 'VBRI') return undefined;
  return { kind: 'vbri', frames: u32be(b, 14), trimSamples: 0 };
}

/** The next frame of the stream within RESYNC_BYTES of `from`, confirmed by the one after it. */
function resync(src: ByteSource, from: number, first: MpegFrameHeader): number | undefined {
  const ahead = src.read(from, RESYNC_BYTES);
  for (let i = ahead.indexOf(0xff); i >= 0; i = ahead.indexOf(0xff, i + 1)) {
    const c = headerAt(src, from + i);
    if (c && sameStream(first, c) && confirmed(src, from + i, c, 1)) return from + i;
  }
  return undefined;
}

/** Samples in the frames from `start` to the end, resynchronising past damage and trailing tags. */
function countSamples(src: ByteSource, start: number, first: MpegFrameHeader): number {
  let samples = 0;
  let pos = start;
  while (pos + 4 <= src.size) {
    const h = headerAt(src, pos);
    if (h && sameStream(first, h) && pos + h.frameLength <= src.size) {
      samples += h.samplesPerFrame;
      pos += h.frameLength;
      continue;
    }
    // Not a frame (an ID3v1/APE tag at the end, or a damaged frame): look a little way
    // ahead for the next frame that is confirmed by the one after it.
    const next = resync(src, pos + 1, first);
    if (next === undefined) break;
    pos = next;
  }
  return samples;
}

/** The stream's properties, or undefined when the file holds no MPEG audio frames. */
export function probeMp3(src: ByteSource, start: number): AudioInfo | undefined {
  const found = findFirstMpegFrame(src, start);
  if (!found) return undefined;
  const { offset, header: h } = found;
  if (h.layer !== 3) throw new AudioProbeError(`unsupported format (MPEG layer ${'I'.repeat(h.layer)}); WAV, MP3 or FLAC is needed`);

  const tag = readXing(src, offset, h) ?? readVbri(src, offset);
  let samples: number;
  if (tag?.frames !== undefined && tag.frames > 0) {
    samples = tag.frames * h.samplesPerFrame - tag.trimSamples;
    if (samples < 0) samples = tag.frames * h.samplesPerFrame;
  } else {
    // No frame count: walk the stream. A tag frame without a count holds no audio.
    samples = countSamples(src, tag ? offset + h.frameLength : offset, h);
  }
  return {
    format: 'mp3',
    encoding: `mpeg${h.version}_layer3`,
    sampleRate: h.sampleRate,
    channels: h.channels,
    durationSeconds: samples / h.sampleRate,
    bitsPerSample: null,
  };
}
