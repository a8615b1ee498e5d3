// A SIP message: start line, ordered header fields kept as they arrived, and the
// body. Typed views (Via, From, CSeq...) are parsed on first use and cached, so a
// message that is only routed never pays for the headers it does not read.
import { canonicalName, headerKey, LIST_HEADERS } from './header-names.js';
import { formatNameAddr, parseNameAddr, type NameAddr } from './name-addr.js';
import { parseUint32, SipSyntaxError, splitList } from './scanner.js';
import { formatVia, parseVia, type Via } from './via.js';
import { parseSipUri, type SipUri } from '../uri.js';

/** The body of a message without one: zero bytes, so one instance serves every message. */
export const EMPTY_BODY: Buffer = Buffer.alloc(0);

export interface HeaderField {
  /** The name as written (compact or long, any case). */
  name: string;
  /** Lower-case long form: the lookup key. */
  key: string;
  value: string;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface Contact extends NameAddr {
  /** The `*` of a REGISTER that removes every binding (§10.2.2). */
  star?: false;
}

abstract class SipMessageBase {
  readonly headers: HeaderField[];
  body: Buffer;
  // Parsed views, filled on first use and dropped when a header changes. Plain fields,
  // not a map: these are read many times per message on the hot path.
  private vVias: Via[] | undefined;
  private vFrom: NameAddr | undefined;
  private vTo: NameAddr | undefined;
  private vToUri: SipUri | null | undefined;
  private vCallId: string | undefined;
  private vCseq: CSeq | undefined;
  private vContacts: NameAddr[] | '*' | undefined;
  private vRoutes: NameAddr[] | undefined;
  private vRecordRoutes: NameAddr[] | undefined;

  protected invalidate(): void {
    this.vVias = this.vFrom = this.vTo = this.vCseq = this.vContacts = this.vRoutes = this.vRecordRoutes = undefined;
    this.vToUri = undefined;
    this.vCallId = undefined;
  }

  constructor(headers: HeaderField[], body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  abstract readonly isRequest: boolean;

  /** The first value of a header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) if (h.key === key) return h.value;
    return undefined;
  }

  /** Every field value of a header, in order (list headers not split). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const h of this.headers) if (h.key === key) out.push(h.value);
    return out;
  }

  /** Every element of a list header, split at top-level commas. */
  list(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (LIST_HEADERS.has(key)) {
        for (const v of splitList(h.value)) out.push(v);
      } else out.push(h.value);
    }
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const h of this.headers) if (h.key === key) n++;
    return n;
  }

  /** Replaces every field of the header with one value (appended at the end if absent). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const i = this.headers.findIndex((h) => h.key === key);
    this.remove(name);
    const field = { name: name.length === 1 ? canonicalName(key) : name, key, value };
    if (i >= 0) this.headers.splice(Math.min(i, this.headers.length), 0, field);
    else this.headers.push(field);
    return this;
  }

  append(name: string, value: string): this {
    this.headers.push({ name, key: headerKey(name), value });
    this.invalidate();
    return this;
  }

  /** Adds a field before all others of any kind (a new top Via). */
  prepend(name: string, value: string): this {
    this.headers.unshift({ name, key: headerKey(name), value });
    this.invalidate();
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    for (let i = this.headers.length - 1; i >= 0; i--) if (this.headers[i]!.key === key) this.headers.splice(i, 1);
    this.invalidate();
    return this;
  }

  private required(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new SipSyntaxError(`missing ${canonicalName(headerKey(name))}`);
    return v;
  }

  /** Every Via, topmost first. */
  vias(): Via[] {
    return (this.vVias ??= this.list('via').map(parseVia));
  }

  topVia(): Via {
    const v = this.vias()[0];
    if (!v) throw new SipSyntaxError('missing Via');
    return v;
  }

  from(): NameAddr {
    return (this.vFrom ??= parseNameAddr(this.required('from')));
  }

  to(): NameAddr {
    return (this.vTo ??= parseNameAddr(this.required('to')));
  }

  /** The To URI parsed as a SIP URI, or undefined when it is not one. */
  toSipUri(): SipUri | undefined {
    if (this.vToUri === undefined) {
      try {
        this.vToUri = parseSipUri(this.to().uri);
      } catch {
        this.vToUri = null;
      }
    }
    return this.vToUri ?? undefined;
  }

  callId(): string {
    if (this.vCallId === undefined) {
      const v = this.required('call-id').trim();
      // callid = word [ "@" word ] (§25.1): no whitespace inside.
      if (v === '' || /\s/.test(v)) throw new SipSyntaxError('bad Call-ID');
      this.vCallId = v;
    }
    return this.vCallId;
  }

  cseq(): CSeq {
    if (this.vCseq === undefined) {
      const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(this.required('cseq'));
      if (!m) throw new SipSyntaxError('bad CSeq');
      this.vCseq = { seq: parseUint32(m[1]!, 'CSeq number'), method: m[2]! };
    }
    return this.vCseq;
  }

  /** Contact values; `'*'` for the wildcard of a REGISTER. */
  contacts(): NameAddr[] | '*' {
    if (this.vContacts === undefined) {
      const values = this.list('contact');
      this.vContacts = values.length === 1 && values[0] === '*' ? '*' : values.map(parseNameAddr);
    }
    return this.vContacts;
  }

  routes(): NameAddr[] {
    return (this.vRoutes ??= this.list('route').map(parseNameAddr));
  }

  recordRoutes(): NameAddr[] {
    return (this.vRecordRoutes ??= this.list('record-route').map(parseNameAddr));
  }

  /** Max-Forwards, or undefined when absent. */
  maxForwards(): number | undefined {
    const v = this.get('max-forwards');
    return v === undefined ? undefined : parseUint32(v, 'Max-Forwards');
  }

  expires(): number | undefined {
    const v = this.get('expires');
    return v === undefined ? undefined : parseUint32(v, 'Expires');
  }

  contentType(): string | undefined {
    return this.get('content-type')?.split(';')[0]!.trim().toLowerCase();
  }

  /** Option tags of Require, Supported, Proxy-Require... */
  tokens(name: string): string[] {
    return this.list(name)
      .map((t) => t.trim())
      .filter((t) => t !== '');
  }

  protected abstract startLine(): string;

  /** The wire form; Content-Length is set to the body's length. */
  toBuffer(): Buffer {
    const head = `${this.startLine()}\r\n${this.headerText(String(this.body.length))}\r\n`;
    if (this.body.length === 0) return Buffer.from(head, 'utf8');
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headBytes + this.body.length);
    out.write(head, 0, 'utf8');
    this.body.copy(out, headBytes);
    return out;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }

  /**
   * The header block. With `contentLength`, Content-Length carries that value: in the
   * place of the first one the message has (others dropped), else at the end.
   */
  protected headerText(contentLength?: string): string {
    let out = '';
    let lengthDone = contentLength === undefined;
    for (const h of this.headers) {
      if (h.key === 'content-length' && contentLength !== undefined) {
        if (!lengthDone) out += `Content-Length: ${contentLength}\r\n`;
        lengthDone = true;
        continue;
      }
      out += `${h.name}: ${h.value}\r\n`;
    }
    if (!lengthDone) out += `Content-Length: ${contentLength}\r\n`;
    return out;
  }
}

export class SipRequest extends SipMessageBase {
  override readonly isRequest = true as const;

  /** The Request-URI parsed as a SIP URI, or undefined when it is not one. */
  private vRequestUri: SipUri | null | undefined;

  requestUri(): SipUri | undefined {
    if (this.vRequestUri === undefined) {
      try {
        this.vRequestUri = parseSipUri(this.uri);
      } catch {
        this.vRequestUri = null;
      }
    }
    return this.vRequestUri ?? undefined;
  }

  constructor(
    public method: string,
    public uri: string,
    headers: HeaderField[] = [],
    body: Buffer = EMPTY_BODY,
    public version = 'SIP/2.0',
  ) {
    super(headers, body);
  }

  protected startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }
}

export class SipResponse extends SipMessageBase {
  override readonly isRequest = false as const;

  constructor(
    public status: number,
    public reason: string,
    headers: HeaderField[] = [],
    body: Buffer = EMPTY_BODY,
    public version = 'SIP/2.0',
  ) {
    super(headers, body);
  }

  protected startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }
}

export type SipMessage = SipRequest | SipResponse;

export { formatNameAddr, formatVia };
