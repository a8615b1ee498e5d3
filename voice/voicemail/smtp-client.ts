// A small SMTP submission client (RFC 5321) for notification e-mail: one connection per
// message, EHLO, STARTTLS when offered (RFC 3207), AUTH PLAIN or LOGIN when credentials are
// set (RFC 4954), MAIL FROM / RCPT TO / DATA with dot-stuffing, QUIT.
import net from 'node:net';
import tls from 'node:tls';
import { hostname } from 'node:os';
import type { SmtpSettings } from './smtp-settings.js';

export interface SmtpReply {
  code: number;
  lines: string[];
}

export class SmtpError extends Error {
  constructor(
    message: string,
    /** The server's reply code; undefined for network failures and timeouts. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SmtpError';
  }

  /**
   * RFC 5321 §4.2.1: 5yz is a permanent failure (the same message will fail again);
   * 4yz and a lost connection are transient and worth retrying.
   */
  get permanent(): boolean {
    return this.code !== undefined && this.code >= 500;
  }
}

export interface SendOptions {
  /** For each command's reply (and the connect). */
  timeoutMs?: number;
  /** The name given in EHLO; the host's name by default. */
  clientName?: string;
  /** Extra TLS options (tests pass a CA for their own certificate). */
  tls?: tls.ConnectionOptions;
}

/**
 * RFC 5321 §4.5.2: a line of the message that starts with "." gets one more "."; the
 * receiver strips it. Line ends are normalised to CRLF, and the message ends with a CRLF
 * before the terminating ".".
 */
export function dotStuff(message: string): string {
  const crlf = message.replace(/\r?\n/g, '\r\n');
  const stuffed = crlf.replace(/^\./, '..').replace(/\r\n\./g, '\r\n..');
  return stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`;
}

/** Reads replies line by line; a multi-line reply is "250-..." lines ending with "250 ...". */
class ReplyReader {
  private buf = '';
  private lines: string[] = [];
  private waiter: ((r: SmtpReply | Error) => void) | undefined;
  private ready: (SmtpReply | Error)[] = [];

  feed(chunk: string): void {
    this.buf += chunk;
    for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!m) {
        this.push(new SmtpError(`unreadable reply line: ${line.slice(0, 200)}`));
        continue;
      }
      this.lines.push(m[3]!);
      if (m[2] === ' ') {
        this.push({ code: Number(m[1]), lines: this.lines });
        this.lines = [];
      }
    }
    if (this.buf.length > 64 * 1024) this.push(new SmtpError('reply line too long'));
  }

  fail(err: Error): void {
    this.push(err);
  }

  private push(r: SmtpReply | Error): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(r);
    } else this.ready.push(r);
  }

  next(timeoutMs: number): Promise<SmtpReply> {
    const r = this.ready.shift();
    if (r) return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new SmtpError(`no reply from the SMTP server within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiter = (v) => {
        clearTimeout(timer);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
    });
  }
}

class SmtpSession {
  private socket: net.Socket;
  private reader = new ReplyReader();
  extensions = new Map<string, string>();
  secure: boolean;

  constructor(
    socket: net.Socket,
    secure: boolean,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.reader.feed(d));
    socket.on('error', (e) => this.reader.fail(new SmtpError(`connection failed: ${e.message}`)));
    socket.on('close', () => this.reader.fail(new SmtpError('the SMTP server closed the connection')));
  }

  reply(): Promise<SmtpReply> {
    return this.reader.next(this.timeoutMs);
  }

  async expect(what: string, ok: (code: number) => boolean): Promise<SmtpReply> {
    const r = await this.reply();
    if (!ok(r.code)) throw new SmtpError(`${what} refused: ${r.code} ${r.lines.join(' ')}`, r.code);
    return r;
  }

  /** Sends one command line; `shown` replaces it in errors (credentials). */
  async command(line: string, ok: (code: number) => boolean, shown = line): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.expect(shown, ok);
  }

  write(data: string): void {
    this.socket.write(data);
  }

  async ehlo(name: string): Promise<void> {
    const r = await this.command(`EHLO ${name}`, (c) => c === 250);
    this.extensions.clear();
    // The first line is the greeting; each next one is "KEYWORD params".
    for (const l of r.lines.slice(1)) {
      const [kw, ...rest] = l.trim().split(/\s+/);
      if (kw) this.extensions.set(kw.toUpperCase(), rest.join(' ').toUpperCase());
    }
  }

  /** RFC 3207: after 220 the TLS handshake starts; everything learnt before is forgotten. */
  async startTls(host: string, extra: tls.ConnectionOptions | undefined): Promise<void> {
    await this.command('STARTTLS', (c) => c === 220);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
    const plain = this.socket;
    const secured = await connectTls({ socket: plain, servername: net.isIP(host) ? undefined : host, ...extra }, this.timeoutMs);
    this.socket = secured;
    this.reader = new ReplyReader();
    this.attach(secured);
    this.secure = true;
  }

  close(): void {
    this.socket.destroy();
  }
}

function connectTls(opts: tls.ConnectionOptions, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(opts);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new SmtpError(`TLS handshake timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new SmtpError(`TLS failed: ${e.message}`));
    });
  });
}

function connectPlain(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new SmtpError(`connecting to ${host}:${port} timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new SmtpError(`connecting to ${host}:${port} failed: ${e.message}`));
    });
  });
}

const is2xx = (c: number): boolean => c >= 200 && c < 300;

async function authenticate(s: SmtpSession, user: string, pass: string): Promise<void> {
  const mechs = (s.extensions.get('AUTH') ?? '').split(/\s+/);
  if (mechs.includes('PLAIN')) {
    // RFC 4616: authzid NUL authcid NUL passwd, base64 as the initial response.
    const token = Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64');
    await s.command(`AUTH PLAIN ${token}`, (c) => c === 235, 'AUTH PLAIN');
  } else if (mechs.includes('LOGIN')) {
    await s.command('AUTH LOGIN', (c) => c === 334);
    await s.command(Buffer.from(user, 'utf8').toString('base64'), (c) => c === 334, 'AUTH LOGIN user name');
    await s.command(Buffer.from(pass, 'utf8').toString('base64'), (c) => c === 235, 'AUTH LOGIN password');
  } else {
    throw new SmtpError(`the SMTP server offers no AUTH mechanism this client speaks (PLAIN, LOGIN): "${mechs.join(' ')}"`, 504);
  }
}

/** Sends one message to `to` (envelope recipients); the message is headers + body text. */
export async function sendMail(settings: SmtpSettings, to: string[], message: string, opts: SendOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const clientName = opts.clientName ?? (hostname() || 'switchboard');
  const socket = settings.implicitTls
    ? await connectTls(
        { host: settings.host, port: settings.port, servername: net.isIP(settings.host) ? undefined : settings.host, ...opts.tls },
        timeoutMs,
      )
    : await connectPlain(settings.host, settings.port, timeoutMs);
  const s = new SmtpSession(socket, settings.implicitTls, timeoutMs);
  try {
    await s.expect('connection', (c) => c === 220);
    await s.ehlo(clientName);
    if (!s.secure && s.extensions.has('STARTTLS')) {
      await s.startTls(settings.host, opts.tls);
      await s.ehlo(clientName);
    } else if (!s.secure && settings.requireStartTls) {
      throw new SmtpError('the SMTP server does not offer STARTTLS and starttls=required', 530);
    }
    if (settings.user !== undefined) await authenticate(s, settings.user, settings.pass ?? '');
    await s.command(`MAIL FROM:<${settings.from}>`, is2xx);
    for (const rcpt of to) await s.command(`RCPT TO:<${rcpt}>`, is2xx);
    await s.command('DATA', (c) => c === 354);
    s.write(`${dotStuff(message)}.\r\n`);
    await s.expect('message', is2xx);
    // The message is accepted; a failed QUIT changes nothing.
    await s.command('QUIT', () => true).catch(() => undefined);
  } finally {
    s.close();
  }
}
