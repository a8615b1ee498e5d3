// The size and shape check every SDP body goes through BEFORE anything parses it, and the
// split into a session section and media sections that the field parsers then read.
//
//   v=0                          ← must be the first line (RFC 4566 §5)
//   o=… s=… c=… t=… a=…          ← session section
//   m=audio …                    ← each m= line opens a media section
//   c=… a=…
//   m=video …
//
// One pass over the characters, stopping at the first problem: a 64 KiB body of garbage costs
// a length comparison, a 30 KiB one a look at its first line. Limits are on characters (UTF-16
// code units), which equal bytes for the ASCII that SDP is apart from s= and i= texts.
import { SdpError, malformed } from './sdp-error.js';

export interface SdpLimits {
  /** Whole body. The largest real offers (WebRTC audio+video with many candidates) are ~10 KB. */
  maxChars: number;
  /** One line. Long fmtp lines (H.264 sprop-parameter-sets) stay well under this. */
  maxLineChars: number;
  maxLines: number;
  /** m= sections. A SIP call rarely has more than audio, video, BFCP and T.38. */
  maxMediaSections: number;
}

export const SDP_LIMITS: Readonly<SdpLimits> = Object.freeze({
  maxChars: 32 * 1024,
  maxLineChars: 2048,
  maxLines: 1024,
  maxMediaSections: 16,
});

export interface SdpSections {
  /** Session-level lines, v= first, without line terminators. */
  session: string[];
  /** One array per m= section, its m= line first. */
  media: string[][];
}

const CR = 13;
const LF = 10;
const TAB = 9;
const DEL = 127;
const EQUALS = 61;
const LOWER_A = 97;
const LOWER_Z = 122;
const LOWER_M = 109;
const LOWER_V = 118;
const ZERO = 48;

function tooLarge(what: string): SdpError {
  return new SdpError('too-large', `SDP ${what}`);
}

/**
 * RFC 4566 §5: "An SDP session description consists of a number of lines of text of the form
 * <type>=<value>, where <type> MUST be exactly one case-significant character and <value> is
 * structured text whose format depends on <type>." Lines end in CRLF; a bare LF (or CR) is also
 * accepted, as RFC 4566 §5 asks parsers to. Empty lines (trailing CRLFs) are skipped.
 */
export function splitSdp(text: string, limits: Readonly<SdpLimits> = SDP_LIMITS): SdpSections {
  if (typeof text !== 'string') throw malformed('SDP body is not text');
  if (text.length > limits.maxChars) throw tooLarge(`body is ${text.length} characters (limit ${limits.maxChars})`);

  const session: string[] = [];
  const media: string[][] = [];
  let section = session;
  let lines = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    const first = text.charCodeAt(start);
    if (first !== CR && first !== LF) {
      // The shape of a line is known from its first two characters: refuse garbage there.
      if (first < LOWER_A || first > LOWER_Z || text.charCodeAt(start + 1) !== EQUALS) {
        throw malformed(`SDP line ${lines + 1} is not of the form <type>=<value>`);
      }
      if (lines === 0 && (first !== LOWER_V || text.charCodeAt(start + 2) !== ZERO)) throw malformed('SDP must start with v=0');
    }
    let end = start;
    for (; end < n; end++) {
      const c = text.charCodeAt(end);
      if (c === CR || c === LF) break;
      if ((c < 0x20 && c !== TAB) || c === DEL) throw malformed(`SDP line ${lines + 1} contains control character 0x${c.toString(16)}`);
      if (end - start >= limits.maxLineChars) throw tooLarge(`line ${lines + 1} is longer than ${limits.maxLineChars} characters`);
    }
    if (end > start) {
      lines++;
      if (lines > limits.maxLines) throw tooLarge(`has more than ${limits.maxLines} lines`);
      const line = text.slice(start, end);
      if (lines === 1 && line !== 'v=0') throw malformed('SDP must start with v=0');
      if (first === LOWER_M) {
        if (media.length >= limits.maxMediaSections) throw tooLarge(`has more than ${limits.maxMediaSections} m= lines`);
        section = [];
        media.push(section);
      }
      section.push(line);
    }
    // One terminator: CRLF, LF or CR.
    start = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
  }
  if (lines === 0) throw malformed('SDP body is empty');
  return { session, media };
}
