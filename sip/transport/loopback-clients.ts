// Test peers for the transport tests: raw sockets on 127.0.0.0/8 that read what the
// server wrote, and small waits bounded in time. Used only by *.test.ts files.
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Peer, SipTransport } from './types.js';

export function sipRequest(callId: string, body = '', transport = 'TCP'): string {
  return (
    `OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/${transport} 127.0.0.1:5999;branch=z9hG4bK-${callId}\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:alice@127.0.0.1>;tag=a-${callId}\r\n` +
    `To: <sip:bob@127.0.0.1>\r\n` +
    `Call-ID: ${callId}\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Polls until `check` holds; fails after `ms` with a message naming what was awaited. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Received {
  data: string;
  source: Peer;
}

/** Records every message a transport delivers. */
export function record(t: SipTransport): Received[] {
  const got: Received[] = [];
  t.onMessage = (data, source) => got.push({ data: data.toString('utf8'), source });
  return got;
}

/** A client connection that keeps what it reads and whether it was closed. */
export class TestClient {
  text = '';
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static async tcp(port: number, localAddress = '127.0.0.1'): Promise<TestClient> {
    const socket = netConnect({ host: '127.0.0.1', port, localAddress });
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return client;
  }

  static async tls(port: number, localAddress = '127.0.0.1'): Promise<TestClient> {
    // localAddress reaches the underlying socket.connect(); the typings omit it.
    const options: ConnectionOptions & { localAddress?: string } = { host: '127.0.0.1', port, localAddress, rejectUnauthorized: false };
    const socket = tlsConnect(options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return client;
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(text: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (err) => (err ? reject(err) : resolve())));
  }

  async waitClosed(what: string): Promise<void> {
    await until(() => this.closed, what);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A STUN Binding request as a NAT keep-alive client sends it (RFC 5389 §6). */
export function bindingRequest(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(b, 8);
  return b;
}

/** Decodes XOR-MAPPED-ADDRESS the way a client does. */
export function mappedAddress(res: Buffer): { address: string; port: number } {
  let p = 20;
  while (p < res.length) {
    const type = res.readUInt16BE(p);
    const len = res.readUInt16BE(p + 2);
    if (type === 0x0020) {
      const family = res[p + 5];
      const port = res.readUInt16BE(p + 6) ^ 0x2112;
      const n = family === 1 ? 4 : 16;
      const bytes = Array.from({ length: n }, (_, i) => res[p + 8 + i]! ^ res[4 + i]!);
      const address =
        family === 1
          ? bytes.join('.')
          : Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':');
      return { address, port };
    }
    p += 4 + len + ((4 - (len % 4)) % 4);
  }
  throw new Error('no XOR-MAPPED-ADDRESS');
}
