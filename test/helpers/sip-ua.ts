// Test rigs for the user-agent layer (sip/ua): an in-memory one (a fake UDP transport
// and a manual clock, for exact wire and timer checks) and a real one (SipStack with
// UDP and TCP on 127.0.0.1, port 0) for sipp and other real peers. Test-only.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { DigestServer } from '../../sip/auth/digest-server.js';
import { ha1Of, MD5, SHA256 } from '../../sip/auth/digest-algorithm.js';
import { SipStack, type SipDirectory } from '../../sip/core/sip-stack.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { parseMessage } from '../../sip/message/parse.js';
import { BindingTable, memoryOnly } from '../../sip/registrar/bindings.js';
import { DEFAULT_POLICY, Registrar } from '../../sip/registrar/registrar.js';
import type { Peer } from '../../sip/transaction/transaction-layer.js';
import { ManualClock, realClock, type TimerValues } from '../../sip/transaction/timers.js';
import { createTransports } from '../../sip/transport/transports.js';
import type { ListenAddress, SipTransport, TransportName } from '../../sip/transport/types.js';
import type { SessionLimits } from '../../sip/ua/ua-env.js';
import { UserAgent, type UserAgentOptions } from '../../sip/ua/user-agent.js';
import type { InboundCall } from '../../sip/ua/inbound-call.js';
import { ROOT } from './server.js';

export const SCENARIOS = path.join(ROOT, 'test/sip/scenarios');

export const REALM = 'switchboard.test';
export const TENANT = 'tenant-1';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One tenant whose SIP credentials are the given username → password pairs. */
export function testDirectory(users: Record<string, string> = {}): SipDirectory {
  return {
    tenantFor: async () => ({ tenantId: TENANT, realm: REALM }),
    credential: async (_tenant, username) => {
      const password = users[username];
      if (password === undefined) return undefined;
      return { id: `cred-${username}`, ha1Md5: ha1Of(MD5, username, REALM, password), ha1Sha256: ha1Of(SHA256, username, REALM, password) };
    },
  };
}

function testRegistrar(): Registrar {
  let n = 0;
  return new Registrar(new BindingTable(memoryOnly), DEFAULT_POLICY, () => `reg-${++n}`);
}

/** A SIP message from lines; Content-Length is computed. */
export function sipText(lines: string[], body = ''): string {
  return `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export const SDP_OFFER = ['v=0', 'o=phone 1 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
export const SDP_ANSWER = ['v=0', 'o=sb 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

/** The SDP with its direction attribute replaced (hold: sendonly; answer to hold: recvonly). */
export function withDirection(sdp: string, direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): string {
  return sdp.replace(/a=(sendrecv|sendonly|recvonly|inactive)/, `a=${direction}`);
}

// ---- in memory -------------------------------------------------------------------

/** A transport that records what is sent and delivers what a test hands it. */
export class FakeTransport implements SipTransport {
  readonly reliable: boolean;
  readonly sent: { data: string; to: Peer }[] = [];
  onMessage: (data: Buffer, source: Peer) => void = () => undefined;
  onSendError: (to: Peer, err: Error) => void = () => undefined;

  constructor(
    readonly name: TransportName = 'UDP',
    private readonly address: ListenAddress = { transport: 'UDP', host: '192.0.2.1', port: 5060 },
  ) {
    this.reliable = name !== 'UDP';
  }

  async listen(): Promise<ListenAddress> {
    return this.address;
  }

  send(data: Buffer, to: Peer): void {
    this.sent.push({ data: data.toString('utf8'), to });
  }

  async close(): Promise<void> {}
}

/** The phone or trunk the in-memory tests talk to. */
export const PHONE: Peer = { transport: 'UDP', address: '203.0.113.5', port: 5062 };

export interface Wire {
  msg: SipRequest | SipResponse;
  text: string;
  to: Peer;
}

export interface UaHarness {
  clock: ManualClock;
  udp: FakeTransport;
  stack: SipStack;
  ua: UserAgent;
  calls: InboundCall[];
  /** Hands the stack a message from `from` (default PHONE) and lets async work settle. */
  deliver(text: string, from?: Peer): Promise<void>;
  /** Everything sent since the last take(), parsed. */
  take(): Wire[];
  /** Advances the manual clock and lets promise callbacks run. */
  advance(ms: number): Promise<void>;
  flush(): Promise<void>;
}

export async function uaHarness(
  opts: {
    timers?: TimerValues;
    limits?: Partial<SessionLimits>;
    random?: () => number;
    users?: Record<string, string>;
    directory?: SipDirectory;
    ua?: Partial<UserAgentOptions>;
  } = {},
): Promise<UaHarness> {
  const clock = new ManualClock();
  const udp = new FakeTransport();
  const stack = new SipStack({
    transports: [udp],
    clock,
    ...(opts.timers ? { timers: opts.timers } : {}),
    directory: opts.directory ?? testDirectory(opts.users),
    auth: new DigestServer({ secret: 'test-secret-test-secret', algorithms: ['MD5'], lockout: false }),
    registrar: testRegistrar(),
    log: silent,
  });
  await stack.start();
  let branch = 0;
  let tag = 0;
  let callId = 0;
  const calls: InboundCall[] = [];
  const ua = new UserAgent({
    stack,
    random: opts.random ?? (() => 0.5),
    newBranch: () => `z9hG4bK-ua${++branch}`,
    newTag: () => `sbtag${++tag}`,
    newCallId: () => `sbcall${++callId}`,
    lookup: async (host) => (host === 'trunk.example.net' ? '198.51.100.7' : Promise.reject(new Error('NXDOMAIN'))),
    limits: opts.limits ?? {},
    onInvite: (call) => calls.push(call),
    ...opts.ua,
  }).attach();
  let seen = 0;
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    clock,
    udp,
    stack,
    ua,
    calls,
    flush,
    async deliver(text, from = PHONE) {
      udp.onMessage(Buffer.from(text), from);
      await flush();
    },
    take() {
      const out = udp.sent.slice(seen).map((s) => ({ msg: parseMessage(Buffer.from(s.data)), text: s.data, to: s.to }));
      seen = udp.sent.length;
      return out;
    },
    async advance(ms) {
      clock.advance(ms);
      await flush();
    },
  };
}

// ---- messages from the phone of the in-memory tests ----

export function phoneInvite(o: { callId?: string; branch?: string; cseq?: number; sdp?: string | null; extra?: string[]; contact?: boolean } = {}): string {
  const sdp = o.sdp === null ? '' : (o.sdp ?? SDP_OFFER);
  return sipText(
    [
      'INVITE sip:+15550001111@192.0.2.1 SIP/2.0',
      `Via: SIP/2.0/UDP 203.0.113.5:5062;branch=${o.branch ?? 'z9hG4bK-inv1'};rport`,
      'Max-Forwards: 70',
      'Record-Route: <sip:proxy.example.test;lr>',
      'From: "Alice" <sip:alice@example.test>;tag=ph1',
      'To: <sip:+15550001111@example.test>',
      `Call-ID: ${o.callId ?? 'call-1'}`,
      `CSeq: ${o.cseq ?? 1} INVITE`,
      ...(o.contact === false ? [] : ['Contact: <sip:alice@203.0.113.5:5062>']),
      ...(sdp ? ['Content-Type: application/sdp'] : []),
      ...(o.extra ?? []),
    ],
    sdp,
  );
}

/** A request from the phone inside the dialog whose To tag is ours. */
export function phoneInDialog(method: string, o: { toTag: string; cseq: number; branch: string; callId?: string; body?: string; type?: string; extra?: string[] }): string {
  return sipText(
    [
      `${method} sip:192.0.2.1:5060 SIP/2.0`,
      `Via: SIP/2.0/UDP 203.0.113.5:5062;branch=${o.branch};rport`,
      'Max-Forwards: 70',
      'From: "Alice" <sip:alice@example.test>;tag=ph1',
      `To: <sip:+15550001111@example.test>;tag=${o.toTag}`,
      `Call-ID: ${o.callId ?? 'call-1'}`,
      `CSeq: ${o.cseq} ${method}`,
      'Contact: <sip:alice@203.0.113.5:5062>',
      ...(o.body ? [`Content-Type: ${o.type ?? 'application/sdp'}`] : []),
      ...(o.extra ?? []),
    ],
    o.body ?? '',
  );
}

/** A call answered and ACKed. */
export async function establishedCall(h: UaHarness): Promise<{ call: InboundCall; tag: string }> {
  await h.deliver(phoneInvite());
  const call = h.calls.at(-1)!;
  call.answer(SDP_ANSWER);
  const ok = h.take().flatMap((w) => (w.msg.isRequest ? [] : [w.msg])).at(-1)!;
  const tag = ok.to().params.get('tag')!;
  await h.deliver(phoneInDialog('ACK', { toTag: tag, cseq: 1, branch: 'z9hG4bK-ack1' }));
  h.take();
  return { call, tag };
}

// ---- real sockets ----------------------------------------------------------------

export interface UaServer {
  stack: SipStack;
  ua: UserAgent;
  udpPort: number;
  tcpPort: number;
  stop(): Promise<void>;
}

/** SipStack + UserAgent on 127.0.0.1 (UDP and TCP, ephemeral ports), real clock. */
export async function startUaServer(opts: { users?: Record<string, string>; timers?: TimerValues; ua?: Partial<UserAgentOptions> } = {}): Promise<UaServer> {
  const transports = createTransports({ host: '127.0.0.1', udpPort: 0, tcpPort: 0 });
  const stack = new SipStack({
    transports: [...transports.all],
    clock: realClock,
    ...(opts.timers ? { timers: opts.timers } : {}),
    directory: testDirectory(opts.users),
    // SIPp 3.6 answers only the first challenge and knows MD5 only.
    auth: new DigestServer({ secret: 'test-secret-test-secret', algorithms: ['MD5'], lockout: false }),
    registrar: testRegistrar(),
    log: silent,
  });
  const addresses = await stack.start();
  const ua = new UserAgent({ stack, ...opts.ua }).attach();
  return {
    stack,
    ua,
    udpPort: addresses.find((a) => a.transport === 'UDP')!.port,
    tcpPort: addresses.find((a) => a.transport === 'TCP')!.port,
    stop: () => stack.stop(),
  };
}

/** A UDP port free a moment ago (for a sipp UAS to bind). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface SippRun {
  /** Resolves when sipp exits: 0 means every call of the scenario succeeded. */
  done: Promise<{ code: number | null; output: string }>;
  kill(): void;
}

/** Starts sipp (bounded by -timeout and a kill timer). */
export function sipp(args: string[], timeoutMs = 30_000): SippRun {
  const child = spawn('sipp', [...args, '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error'], {
    cwd: '/tmp',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.slice(-4000) });
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

/** Resolves with the next value `register` hands its callback, or rejects after `ms`. */
export function nextEvent<T>(register: (cb: (v: T) => void) => void, what: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}
