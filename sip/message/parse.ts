// Parsing of SIP messages from bytes (RFC 3261 §7). Only the start line and the
// header field boundaries are examined here; the typed views parse lazily. What must
// hold for a request to be processed at all is checked by validate.ts.
//
//   start-line CRLF *( field-name HCOLON field-value CRLF ) CRLF [ body ]
//   a field continues on lines that start with SP or HTAB (line folding, §7.3.1)
import { isToken, tokenHeaderKey } from './header-names.js';
import { EMPTY_BODY, SipRequest, SipResponse, type HeaderField, type SipMessage } from './message.js';
import { trimLws } from './scanner.js';

export interface ParseLimits {
  /** Largest message accepted, start line to end of body. */
  maxMessageBytes: number;
  maxHeaderFields: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxMessageBytes: 65_535, maxHeaderFields: 256 };

/**
 * A message that cannot be processed. `status` is the response to send when the
 * request got far enough to be answered (see canRespond); responses are never answered.
 */
export class SipParseError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The request as far as it was parsed, when the start line was a request. */
    readonly request?: SipRequest,
  ) {
    super(message);
    this.name = 'SipParseError';
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^([^ ]+) ([^ ]+) (SIP\/\d+\.\d+)$/;
const STATUS_LINE = /^(SIP\/\d+\.\d+) (\d{3}) (.*)$/;

export interface ParseOptions {
  /**
   * Datagram (UDP): the buffer is the whole message and a body longer than
   * Content-Length is cut (§18.3). Stream: the caller framed the message already.
   */
  datagram: boolean;
  limits?: ParseLimits;
}

export function parseMessage(buf: Buffer, opts: ParseOptions = { datagram: true }): SipMessage {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (buf.length > limits.maxMessageBytes) throw new SipParseError('message too large', 513);

  let headEnd = buf.indexOf(CRLFCRLF);
  let bodyStart: number;
  if (headEnd >= 0) bodyStart = headEnd + 4;
  else if (buf.length >= 2 && buf[buf.length - 2] === 0x0d && buf[buf.length - 1] === 0x0a) {
    // No empty line: a header block that runs to the end of the datagram (baddn's
    // archived form). Accept it with an empty body rather than guess.
    headEnd = buf.length - 2;
    bodyStart = buf.length;
  } else throw new SipParseError('no end of header block', 400);

  const head = buf.toString('utf8', 0, headEnd);
  const firstEnd = head.indexOf('\r\n');
  const startLine = firstEnd < 0 ? head : head.slice(0, firstEnd);
  const fieldsStart = firstEnd < 0 ? head.length : firstEnd + 2;

  let msg: SipMessage;
  const sl = REQUEST_LINE.exec(startLine);
  if (startLine.startsWith('SIP/')) {
    const m = STATUS_LINE.exec(startLine);
    if (!m) throw new SipParseError('bad status line', 0);
    msg = new SipResponse(Number(m[2]), m[3]!, [], EMPTY_BODY, m[1]!);
  } else if (sl) {
    const method = usualMethod(sl[1]!);
    if (method === undefined && !isToken(sl[1]!)) throw new SipParseError('bad method', 400);
    msg = new SipRequest(method ?? sl[1]!, sl[2]!, [], EMPTY_BODY, sl[3]!);
  } else {
    // Not even a request line: extra or trailing whitespace (lwsstart, trws), or junk.
    const loose = /^([^ ]+) +(.+?) +(SIP\/\S+) *$/.exec(startLine);
    const partial = loose ? new SipRequest(loose[1]!, loose[2]!, [], EMPTY_BODY, loose[3]!) : undefined;
    if (partial) fillHeaders(partial, head, fieldsStart, limits, true);
    throw new SipParseError('bad request line', 400, partial);
  }

  fillHeaders(msg, head, fieldsStart, limits, false);

  // Body framing by Content-Length (§18.3, §20.14).
  const available = buf.length - bodyStart;
  const cls = msg.getAll('content-length');
  if (cls.length > 1) throw fail(msg, 'more than one Content-Length');
  let length = available;
  if (cls.length === 1) {
    const t = cls[0]!.trim();
    if (!/^\d{1,10}$/.test(t)) throw fail(msg, 'bad Content-Length');
    length = Number(t);
    if (length > available) throw fail(msg, 'Content-Length larger than the body received');
    if (length < available && !opts.datagram) throw fail(msg, 'bytes after the body');
  } else if (!opts.datagram) throw fail(msg, 'missing Content-Length on a stream');
  msg.body = buf.subarray(bodyStart, bodyStart + length);

  if (msg.isRequest && msg.version !== 'SIP/2.0') {
    throw new SipParseError(`version ${msg.version} not supported`, 505, msg);
  }
  return msg;
}

function fail(msg: SipMessage, why: string): SipParseError {
  return new SipParseError(why, msg.isRequest ? 400 : 0, msg.isRequest ? msg : undefined);
}

/**
 * Splits the header block head[from..) into fields, unfolding continuation lines. Names
 * and values are cut straight out of the block (no string per line).
 */
function fillHeaders(msg: SipMessage, head: string, from: number, limits: ParseLimits, lenient: boolean): void {
  const fields: HeaderField[] = msg.headers;
  const n = head.length;
  let pos = from;
  while (pos < n) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = n;
    const first = head.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) {
      const last = fields[fields.length - 1];
      if (!last) {
        if (!lenient) throw fail(msg, 'continuation line before any header');
      } else last.value = trimLws(`${last.value} ${trimLws(head.slice(pos, end))}`);
      pos = end + 2;
      continue;
    }
    const colon = head.indexOf(':', pos);
    let key: string | undefined;
    let name = '';
    if (colon > pos && colon < end) {
      let nameEnd = colon;
      while (nameEnd > pos && isLws(head.charCodeAt(nameEnd - 1))) nameEnd--;
      name = head.slice(pos, nameEnd);
      key = name === '' ? undefined : tokenHeaderKey(name);
    }
    if (key === undefined) {
      if (!lenient) throw fail(msg, `bad header line ${JSON.stringify(head.slice(pos, Math.min(end, pos + 40)))}`);
      pos = end + 2;
      continue;
    }
    if (fields.length >= limits.maxHeaderFields) throw fail(msg, 'too many header fields');
    let vStart = colon + 1;
    let vEnd = end;
    while (vStart < vEnd && isLws(head.charCodeAt(vStart))) vStart++;
    while (vEnd > vStart && isLws(head.charCodeAt(vEnd - 1))) vEnd--;
    fields.push({ name, key, value: head.slice(vStart, vEnd) });
    pos = end + 2;
  }
}

/**
 * The method as a string constant when it is one of the usual ones: later comparisons and
 * set lookups then meet a string whose hash is already known.
 */
function usualMethod(m: string): string | undefined {
  switch (m) {
    case 'REGISTER':
      return 'REGISTER';
    case 'INVITE':
      return 'INVITE';
    case 'ACK':
      return 'ACK';
    case 'BYE':
      return 'BYE';
    case 'CANCEL':
      return 'CANCEL';
    case 'OPTIONS':
      return 'OPTIONS';
    default:
      return undefined;
  }
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
