// ID3v2 tags (id3.org, "ID3 tag version 2.4.0 - Main Structure" §3.1), which MP3 files
// (and some FLAC files) carry before the audio.
//
//  0 "ID3" | 3 major version | 4 revision | 5 flags | 6 size (4 bytes, 7 bits each)
//
// "The ID3v2 tag size is the sum of the byte length of the extended header, the padding
// and the frames after unsynchronisation. If a footer is present this equals to ('total
// size' - 20) bytes, otherwise ('total size' - 10) bytes."
import type { ByteSource } from './byte-source.js';

const HEADER = 10;
const FOOTER_PRESENT = 0x10;
/** Taggers sometimes stack tags; more than this is not a tag but garbage. */
const MAX_TAGS = 16;

/** The offset just past the ID3v2 tag(s) starting at `offset`, or `offset` when there is none. */
export function skipId3v2(src: ByteSource, offset = 0): number {
  let pos = offset;
  for (let n = 0; n < MAX_TAGS; n++) {
    const h = src.read(pos, HEADER);
    if (h.length < HEADER || h[0] !== 0x49 || h[1] !== 0x44 || h[2] !== 0x33) break; // "ID3"
    const major = h[3]!;
    // Versions 2.2-2.4 exist; each size byte keeps its top bit clear (synchsafe).
    if (major < 2 || major > 4 || h[4] === 0xff || h.subarray(6, 10).some((b) => b >= 0x80)) break;
    const size = (h[6]! << 21) | (h[7]! << 14) | (h[8]! << 7) | h[9]!;
    pos += HEADER + size + (major === 4 && h[5]! & FOOTER_PRESENT ? HEADER : 0);
  }
  return Math.min(pos, src.size);
}
