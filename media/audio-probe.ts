// Tells what an audio file is by reading its headers (never its name or Content-Type):
// WAV, MP3 or FLAC, with sample rate, channels and length. Anything else is refused
// with a message saying what it looks like, when we can tell.
import { AudioProbeError, ascii, unsupported, type AudioInfo } from './audio-info.js';
import { FileSource, type ByteSource } from './byte-source.js';
import { isFlac, probeFlac } from './flac-header.js';
import { skipId3v2 } from './id3v2.js';
import { probeMp3 } from './mp3-header.js';
import { isWav, probeWav } from './wav-header.js';

export { AudioProbeError, type AudioFormat, type AudioInfo } from './audio-info.js';
export { bufferSource, FileSource, type ByteSource } from './byte-source.js';

/** Signatures of formats people upload that we do not take, for a clearer refusal. */
function otherFormat(head: Uint8Array): string | undefined {
  const s = ascii(head.subarray(0, 12));
  if (s.startsWith('OggS')) return 'Ogg';
  if (s.startsWith('RIFF')) return `RIFF ${s.slice(8, 12)}`;
  if (s.startsWith('FORM') && /AIF[FC]/.test(s.slice(8, 12))) return 'AIFF';
  if (s.slice(4, 8) === 'ftyp') return 'MP4/M4A';
  if (s.startsWith('#!AMR')) return 'AMR';
  if (s.startsWith('\x1aE\xdf\xa3')) return 'Matroska/WebM';
  if (s.startsWith('.snd')) return 'Sun/NeXT audio';
  if (s.startsWith('\xff\xf1') || s.startsWith('\xff\xf9')) return 'AAC ADTS';
  if (/^\s*<(!doctype html|html)/i.test(ascii(head))) return 'an HTML page';
  return undefined;
}

export function probeAudio(src: ByteSource): AudioInfo {
  if (src.size === 0) throw new AudioProbeError('the file is empty');
  const head = src.read(0, 64);
  if (isWav(head)) return probeWav(src);
  const afterTags = skipId3v2(src, 0);
  if (isFlac(src, afterTags)) return probeFlac(src, afterTags);
  // ADTS AAC also starts 0xFFF; name it before the MPEG sync search could misread it.
  const other = otherFormat(src.read(afterTags, 64));
  if (other) throw unsupported(other);
  const mp3 = probeMp3(src, afterTags);
  if (mp3) return mp3;
  throw unsupported();
}

export function probeAudioFile(path: string): AudioInfo {
  const src = FileSource.open(path);
  try {
    return probeAudio(src);
  } finally {
    src.close();
  }
}
