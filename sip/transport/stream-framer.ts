// Cuts a byte stream (TCP, TLS) into SIP messages (RFC 3261 §18.3) and recognises
// the CRLF keep-alive of RFC 5626 §4.4.1 between them.
//
//   [CRLF...] start-line CRLF *(header CRLF) CRLF <Content-Length bytes of body>
//
// A message that arrives whole in one chunk is handed on as a view of that chunk
// (no copy); only a message split across chunks is gathered into a buffer of its own.
// The header block is scanned once: the search for its end resumes where it stopped.

export interface FramerSink {
  /** One message: header block plus exactly Content-Length body bytes. */
  frame(message: Buffer): void;
  /** A double CRLF between messages (RFC 5626 §4.4.1 ping). */
  ping(): void;
  /** The stream can no longer be framed; the connection must be closed. */
  framingError(reason: string): void;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('content-length');

export class StreamFramer {
  /** Bytes of a message that has not arrived whole yet (capacity may exceed pendingLength). */
  private pending: Buffer | undefined;
  private pendingLength = 0;
  /** Where the search for the end of the pending header block resumes. */
  private scanFrom = 0;
  /** Length of the pending message once its header block is known, else -1. */
  private expected = -1;
  /** How much of "\r\n\r\n" has been seen between messages. */
  private keepAlive = 0;
  private stopped = false;

  constructor(
    private readonly sink: FramerSink,
    private readonly maxMessageBytes: number,
  ) {}

  /** True while part of a message has arrived and the rest has not. */
  get inMessage(): boolean {
    return this.pendingLength > 0;
  }

  /** Stops framing for good (the connection is closing). */
  stop(): void {
    this.stopped = true;
    this.pending = undefined;
    this.pendingLength = 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    let pos = 0;
    if (this.pendingLength > 0) {
      pos = this.continuePending(chunk);
      if (pos < 0) return;
    }
    this.scan(chunk, pos);
  }

  /** Frames messages that start at `pos` in `data`; keeps an incomplete tail pending. */
  private scan(data: Buffer, pos: number): void {
    const end = data.length;
    while (pos < end && !this.stopped) {
      const c = data[pos]!;
      if (c === CR || c === LF) {
        this.betweenMessages(c);
        pos++;
        continue;
      }
      // RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented
      // transports MUST ignore any CRLF appearing before the start-line". A single
      // CRLF is such a stray; only a double one is a ping.
      this.keepAlive = 0;
      const headEnd = data.indexOf(CRLFCRLF, pos);
      if (headEnd < 0 || headEnd + 4 - pos > this.maxMessageBytes) {
        if (end - pos > this.maxMessageBytes) {
          this.fail('header block larger than the message size limit');
          return;
        }
        this.keep(data, pos, end);
        this.scanFrom = Math.max(0, end - pos - 3);
        return;
      }
      const total = this.messageLength(data, pos, headEnd);
      if (total < 0) return;
      if (pos + total <= end) {
        const message = data.subarray(pos, pos + total);
        pos += total;
        this.sink.frame(message);
        continue;
      }
      this.keep(data, pos, end);
      this.expected = total;
      return;
    }
  }

  /**
   * Adds the start of `chunk` to the pending message. Returns where the rest of the
   * chunk starts once the message is complete, or -1 when more is needed (or framing failed).
   */
  private continuePending(chunk: Buffer): number {
    let pos = 0;
    if (this.expected < 0) {
      // Copy no more than one byte past the limit: enough to tell "too large".
      const room = this.maxMessageBytes + 1 - this.pendingLength;
      pos = Math.min(chunk.length, room);
      this.append(chunk, 0, pos);
      const view = this.pending!.subarray(0, this.pendingLength);
      const headEnd = view.indexOf(CRLFCRLF, this.scanFrom);
      if (headEnd < 0 || headEnd + 4 > this.maxMessageBytes) {
        if (this.pendingLength > this.maxMessageBytes) this.fail('header block larger than the message size limit');
        else this.scanFrom = Math.max(0, this.pendingLength - 3);
        return -1;
      }
      const total = this.messageLength(view, 0, headEnd);
      if (total < 0) return -1;
      if (this.pendingLength >= total) {
        // The copy ran past this message: the surplus is the next one's and is
        // framed again from the chunk itself.
        const surplus = this.pendingLength - total;
        this.emitPending(total);
        return pos - surplus;
      }
      this.expected = total;
    }
    const need = this.expected - this.pendingLength;
    if (chunk.length - pos < need) {
      this.append(chunk, pos, chunk.length);
      return -1;
    }
    this.append(chunk, pos, pos + need);
    this.emitPending(this.expected);
    return this.stopped ? -1 : pos + need;
  }

  /**
   * The full length of the message whose header block spans data[start, headEnd+4),
   * from its Content-Length; -1 (after failing) when there is none or it is unusable.
   */
  private messageLength(data: Buffer, start: number, headEnd: number): number {
    let bodyLength = -1;
    // Header lines start after each LF up to the CRLF that ends the last header. A plain
    // loop: one native indexOf call per line costs more than reading the bytes here.
    for (let i = start; i < headEnd; i++) {
      if (data[i] !== LF || data[i - 1] !== CR) continue;
      const valueAt = contentLengthValueAt(data, i + 1, headEnd);
      if (valueAt < 0) continue;
      const n = readLength(data, valueAt, headEnd);
      if (n < 0) return this.fail('unreadable Content-Length');
      // Two different lengths leave no way to tell where the next message starts.
      if (bodyLength >= 0 && bodyLength !== n) return this.fail('conflicting Content-Length values');
      bodyLength = n;
      i = valueAt;
    }
    // RFC 3261 §20.14: "If a stream-based protocol (such as TCP) is used as
    // transport, the header field MUST be used." Without it the stream cannot be
    // framed: where the next message starts is unknowable, so the connection closes.
    if (bodyLength < 0) return this.fail('no Content-Length on a stream');
    const total = headEnd + 4 - start + bodyLength;
    if (total > this.maxMessageBytes) return this.fail('message larger than the size limit');
    return total;
  }

  /** CR LF CR LF between messages, byte by byte, so a ping split across chunks still counts. */
  private betweenMessages(c: number): void {
    const wanted = this.keepAlive % 2 === 0 ? CR : LF;
    if (c !== wanted) {
      this.keepAlive = c === CR ? 1 : 0;
      return;
    }
    if (++this.keepAlive === 4) {
      this.keepAlive = 0;
      this.sink.ping();
    }
  }

  private keep(data: Buffer, from: number, to: number): void {
    this.pendingLength = 0;
    this.append(data, from, to);
  }

  private append(data: Buffer, from: number, to: number): void {
    const needed = this.pendingLength + (to - from);
    if (!this.pending || this.pending.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(2 * (this.pending?.length ?? 0), this.maxMessageBytes + 1), 2048));
      if (this.pending) this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    data.copy(this.pending, this.pendingLength, from, to);
    this.pendingLength = needed;
  }

  /** Hands on the first `length` pending bytes; the buffer is never written again. */
  private emitPending(length: number): void {
    const message = this.pending!.subarray(0, length);
    this.pending = undefined;
    this.pendingLength = 0;
    this.expected = -1;
    this.scanFrom = 0;
    this.sink.frame(message);
  }

  private fail(reason: string): -1 {
    this.stop();
    this.sink.framingError(reason);
    return -1;
  }
}

/**
 * If the header line at `line` is Content-Length (or its compact form "l", §7.3.3),
 * the index just after its colon; otherwise -1. Header names are case-insensitive.
 */
function contentLengthValueAt(data: Buffer, line: number, headEnd: number): number {
  const first = data[line]! | 0x20;
  let i: number;
  if (first === 0x6c /* l */) i = line + 1;
  else if (first === 0x63 /* c */ && line + CONTENT_LENGTH.length <= headEnd) {
    for (let k = 1; k < CONTENT_LENGTH.length; k++) if ((data[line + k]! | 0x20) !== CONTENT_LENGTH[k]) return -1;
    i = line + CONTENT_LENGTH.length;
  } else return -1;
  while (data[i] === SP || data[i] === HTAB) i++;
  return data[i] === COLON ? i + 1 : -1;
}

/**
 * The decimal value after a Content-Length colon: leading whitespace (also folded
 * onto a continuation line, §7.3.1), 1 to 10 digits, trailing whitespace, end of line.
 */
function readLength(data: Buffer, i: number, headEnd: number): number {
  for (;;) {
    const c = data[i];
    if (c === SP || c === HTAB) i++;
    else if (c === CR && i < headEnd && (data[i + 2] === SP || data[i + 2] === HTAB)) i += 3;
    else break;
  }
  let value = 0;
  let digits = 0;
  for (let c = data[i]!; c >= 0x30 && c <= 0x39; c = data[++i]!) {
    if (++digits > 10) return -1;
    value = value * 10 + (c - 0x30);
  }
  if (digits === 0) return -1;
  while (data[i] === SP || data[i] === HTAB) i++;
  return data[i] === CR ? value : -1;
}
