// A carrier speaking SIP over TLS, for the encryption tests (docs/trunks.md). Debian's SIPp
// is built without TLS (no `-t l1`), so this plays the carrier instead: a TLS server (or
// client) on loopback with its own self-signed certificate, reading and writing SIP text by
// hand (Content-Length framing, RFC 3261 §18.3) so that what it checks is what went over the
// wire. Test-only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { sleep } from './call-rig.js';

export interface WireMessage {
  startLine: string;
  headers: [string, string][];
  body: string;
  raw: string;
  status: number | undefined;
  method: string;
  header(name: string): string | undefined;
  all(name: string): string[];
}

/** A self-signed certificate for 127.0.0.1 (and the name carrier.test), made with openssl. */
export function carrierCertificate(): { certPath: string; keyPath: string; cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-carrier-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=carrier.test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:carrier.test',
    '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

function parse(raw: string): WireMessage {
  const split = raw.indexOf('\r\n\r\n');
  const lines = raw.slice(0, split).split('\r\n');
  const startLine = lines[0]!;
  const headers = lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]);
  const header = (n: string) => headers.find(([k]) => k === n.toLowerCase())?.[1];
  const status = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  return {
    startLine,
    headers,
    body: raw.slice(split + 4),
    raw,
    status: status ? Number(status[1]) : undefined,
    method: status ? (header('cseq')?.split(/\s+/)[1] ?? '') : startLine.split(' ')[0]!,
    header,
    all: (n) => headers.filter(([k]) => k === n.toLowerCase()).map(([, v]) => v),
  };
}

/** One SIP connection over TLS: frames what arrives, sends text. */
export class SipTlsConnection {
  readonly received: WireMessage[] = [];
  private buffer = '';

  constructor(readonly socket: tls.TLSSocket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (let n = 0; n < 100; n++) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buffer.slice(0, end);
        const len = Number(/^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1] ?? 0);
        if (this.buffer.length < end + 4 + len) return;
        this.received.push(parse(this.buffer.slice(0, end + 4 + len)));
        this.buffer = this.buffer.slice(end + 4 + len);
      }
    });
    socket.on('error', () => undefined);
  }

  send(lines: string[], body = ''): void {
    this.socket.write(`${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1');
  }

  /** The next message matching `pred` that arrived after `from` messages (waits up to timeoutMs). */
  async next(pred: (m: WireMessage) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<WireMessage> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const m = this.received.slice(from).find(pred);
      if (m) return m;
      await sleep(10);
    }
    throw new Error(`the carrier got no ${what}; it got:\n${this.received.map((m) => m.startLine).join('\n')}`);
  }

  /** A response to `req` with the header fields it must echo (RFC 3261 §8.2.6.2), our To tag, `extra` and `body`. */
  respond(req: WireMessage, status: string, o: { toTag?: string; extra?: string[]; body?: string } = {}): void {
    const to = req.header('to')!;
    this.send(
      [
        `SIP/2.0 ${status}`,
        ...req.all('via').map((v) => `Via: ${v}`),
        `From: ${req.header('from')}`,
        `To: ${o.toTag && !/;\s*tag=/i.test(to) ? `${to};tag=${o.toTag}` : to}`,
        `Call-ID: ${req.header('call-id')}`,
        `CSeq: ${req.header('cseq')}`,
        ...(o.extra ?? []),
      ],
      o.body ?? '',
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The carrier's SIP over TLS service: each connection Switchboard opens, in order. */
export class TlsCarrierServer {
  readonly connections: SipTlsConnection[] = [];
  /** TCP connections opened to us, handshake done or not. */
  attempts = 0;
  port = 0;
  private readonly server: tls.Server;

  constructor(cert: { cert: Buffer; key: Buffer }) {
    this.server = tls.createServer({ cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' }, (s) => this.connections.push(new SipTlsConnection(s)));
    // A client that gives up on our certificate shows as a failed handshake; nothing to do.
    this.server.on('tlsClientError', () => undefined);
    this.server.on('connection', () => this.attempts++);
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async connection(timeoutMs = 5000): Promise<SipTlsConnection> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.connections[0]) return this.connections[0];
      await sleep(10);
    }
    throw new Error('Switchboard opened no TLS connection to the carrier');
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A carrier's TLS connection to Switchboard, from `localAddress` (the trunk's origination address). */
export async function connectToSwitchboard(port: number, localAddress: string): Promise<SipTlsConnection> {
  // localAddress reaches the underlying socket.connect(); the typings omit it. Our trust in
  // Switchboard's (self-signed) certificate is not what these tests are about.
  const options: tls.ConnectionOptions & { localAddress: string } = { host: '127.0.0.1', port, localAddress, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
  const socket = tls.connect(options);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return new SipTlsConnection(socket);
}
