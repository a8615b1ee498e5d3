// A bare UDP SIP peer for tests: sends raw bytes to the server and collects what
// comes back, parsed only as far as a test needs (status line and header fields).
import dgram from 'node:dgram';

export interface WireResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  raw: string;
  header(name: string): string | undefined;
  all(name: string): string[];
}

export function parseWireResponse(raw: string): WireResponse | undefined {
  const [head] = raw.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0]!);
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]);
  }
  return {
    status: Number(m[1]),
    reason: m[2]!,
    headers,
    raw,
    header: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1],
    all: (n) => headers.filter(([k]) => k === n.toLowerCase()).map(([, v]) => v),
  };
}

export class UdpPeer {
  private readonly socket = dgram.createSocket('udp4');
  private inbox: string[] = [];
  private waiters: ((m: string) => void)[] = [];
  port = 0;

  static async open(address = '127.0.0.1'): Promise<UdpPeer> {
    const p = new UdpPeer();
    await new Promise<void>((resolve) => p.socket.bind(0, address, () => resolve()));
    p.port = p.socket.address().port;
    p.socket.on('message', (msg) => {
      const text = msg.toString('utf8');
      const w = p.waiters.shift();
      if (w) w(text);
      else p.inbox.push(text);
    });
    return p;
  }

  send(data: Buffer | string, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, host, (err) => (err ? reject(err) : resolve())));
  }

  /** The next datagram, or undefined after `ms`. */
  next(ms = 2000): Promise<string | undefined> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const w = (m: string) => {
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(undefined);
      }, ms);
      this.waiters.push(w);
    });
  }

  /**
   * The next final (or non-100) response; with `callId`, only one for that call
   * (retransmissions of earlier answers are skipped).
   */
  async response(ms = 2000, callId?: string): Promise<WireResponse | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) return undefined;
      const m = await this.next(left);
      if (m === undefined) return undefined;
      const r = parseWireResponse(m);
      if (!r || r.status === 100) continue;
      if (callId !== undefined && (r.header('call-id') ?? r.header('i')) !== callId) continue;
      return r;
    }
  }

  drain(): void {
    this.inbox = [];
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Points the first Via of a message at this peer (host:port), keeping everything else.
 * With `uniq`, a branch longer than the bare magic cookie gets a suffix, so corpus
 * messages that share a branch are not taken for retransmissions of each other.
 */
export function viaToPeer(raw: Buffer, port: number, uniq?: string): Buffer {
  const text = raw.toString('latin1');
  // Whitespace may include folded line breaks (RFC 4475 wsinv folds its Via).
  const ws = '(?:[ \\t]|\\r\\n[ \\t])*';
  const via = new RegExp(`^((?:Via|v)${ws}:${ws}SIP${ws}/${ws}[^/]+/${ws}[A-Za-z]+(?:[ \\t]|\\r\\n[ \\t])+)([^;,\\s]+)`, 'im');
  let fixed = text.replace(via, `$1127.0.0.1:${port}`);
  if (uniq !== undefined) {
    fixed = fixed.replace(/(branch[ \t]*=[ \t]*(?:\r\n[ \t]+)?)(z9hG4bK[^;,\s]+)/i, `$1$2-${uniq}`);
  }
  return Buffer.from(fixed, 'latin1');
}

/** The Call-ID of a raw message (long or compact form), if any. */
export function callIdOf(raw: Buffer | string): string | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const head = text.split('\r\n\r\n')[0]!;
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(head)?.[1];
}

/**
 * The ACK a UAC sends for a non-2xx final to its INVITE (RFC 3261 §17.1.1.3), built
 * from the response: its Via, From, To (with the tag), Call-ID and CSeq number.
 */
export function ackFor(res: WireResponse, requestUri: string): string {
  const cseq = (res.header('cseq') ?? '1 INVITE').split(/\s+/)[0];
  return [
    `ACK ${requestUri} SIP/2.0`,
    `Via: ${res.all('via')[0] ?? res.all('v')[0]}`,
    `From: ${res.header('from') ?? res.header('f')}`,
    `To: ${res.header('to') ?? res.header('t')}`,
    `Call-ID: ${res.header('call-id') ?? res.header('i')}`,
    `CSeq: ${cseq} ACK`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A minimal out-of-dialog request from a UdpPeer (no body). */
export function simpleRequest(opts: { method: string; port: number; branch: string; callId: string; cseq?: number; user?: string }): string {
  const cseq = opts.cseq ?? 1;
  const user = opts.user ?? 'bob';
  return [
    `${opts.method} sip:${user}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${opts.port};branch=${opts.branch}`,
    'From: <sip:probe@127.0.0.1>;tag=p1',
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${cseq} ${opts.method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
