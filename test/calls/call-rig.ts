// The rig of the B2BUA end-to-end tests: a real server, a tenant with a trunk whose carrier
// is SIPp on loopback, an extension (alice) registered by SIPp, SIPp callers and callees,
// and RTP peers on real sockets that play tones and record what they hear.
//
// SIPp is the signalling peer; the media of every SIPp party is one of our RtpPeers: the
// scenarios put `-key rtpip`/`-key rtpport` in their SDP, and the peer sends to the SDP
// Switchboard gave that party (read from SIPp's message log, which SIPp writes as it goes).
import Database from 'better-sqlite3';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { client, type Client } from '../helpers/http.js';
import { ROOT, startServer, type RunningServer } from '../helpers/server.js';
import { freeUdpPort, sipp } from '../helpers/sip-ua.js';
import { RtpPeer } from '../helpers/rtp-peer.js';
import { sine } from '../../media/dsp/tone.js';
import { toneLevelDbfs } from '../helpers/tone-analysis.js';

export const SCENARIOS = path.join(ROOT, 'test/calls/scenarios');
const REGISTER_SCENARIO = path.join(ROOT, 'test/sip/scenarios/register-digest.xml');

export const ALICE = { username: 'alice', password: 'alice-secret-1', extension: '101' };
/** The carrier's gateway: calls from this address are the trunk's. */
export const CARRIER_IP = '127.0.0.2';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Rig {
  sb: RunningServer;
  api: Client;
  tenantId: string;
  trunkId: string;
  aliceId: string;
  /** The UDP port alice registered from (her SIPp callee listens there). */
  alicePort: number;
  /** Points the trunk's termination_uri at a SIPp callee on 127.0.0.1:port. */
  carrierAt(port: number): Promise<void>;
}

export async function startRig(o: { env?: Record<string, string>; register?: boolean } = {}): Promise<Rig> {
  const sb = await startServer({ env: { SWITCHBOARD_RING_TIMEOUT_MS: '2000', ...o.env } });
  const api = client(sb.baseUrl, sb.firstKey);
  const tenantId = (await api.get('/api/v1/tenant')).body.data.id as string;
  const trunk = await api.post('/api/v1/voice/sip-trunks', {
    name: 'Loopback carrier',
    termination_uri: 'sip:127.0.0.1:9',
    origination_uris: [`sip:${CARRIER_IP}`],
    codecs: ['PCMU', 'PCMA'],
    encryption: 'none',
  });
  expect(trunk.status, trunk.text).toBe(201);
  const alice = await api.post('/api/v1/voice/sip-credentials', ALICE);
  expect(alice.status, alice.text).toBe(201);
  const rig: Rig = {
    sb,
    api,
    tenantId,
    trunkId: trunk.body.data.id,
    aliceId: alice.body.data.id,
    alicePort: 0,
    carrierAt: async (port) => {
      const r = await api.put(`/api/v1/voice/sip-trunks/${rig.trunkId}`, { termination_uri: `sip:127.0.0.1:${port}` });
      expect(r.status, r.text).toBe(200);
    },
  };
  if (o.register !== false) rig.alicePort = await registerAlice(rig);
  return rig;
}

/** alice REGISTERs (digest) from a fixed local port, where her SIPp callee listens later. */
function registerAlice(rig: Rig): Promise<number> {
  return register(rig, rig.aliceId, ALICE);
}

/**
 * An extension REGISTERs (digest) from a fixed local port, where its SIPp callee listens
 * later; resolves with the port once the API shows the registration.
 */
export async function register(rig: Rig, id: string, cred: { username: string; password: string }): Promise<number> {
  const port = await freeUdpPort();
  const r = await sipp([
    '-sf', REGISTER_SCENARIO, '-s', cred.username, '-au', cred.username, '-ap', cred.password,
    '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-m', '1', `127.0.0.1:${rig.sb.sipPort}`,
  ]).done;
  expect(r.code, r.output).toBe(0);
  // Bindings are written behind; the registrar's table has it at once, the API shortly.
  for (let i = 0; i < 50; i++) {
    const c = await rig.api.get(`/api/v1/voice/sip-credentials/${id}`);
    if (c.body.data.registrations.length > 0) return port;
    await sleep(100);
  }
  throw new Error(`${cred.username} did not show as registered`);
}

/** A number of the tenant routed to alice. */
export async function numberToAlice(rig: Rig, e164: string): Promise<void> {
  const r = await rig.api.put(`/api/v1/numbers/${encodeURIComponent(e164)}/routing`, { type: 'extension', extension_id: rig.aliceId });
  expect(r.status, r.text).toBe(200);
}

// ---- SIPp parties ----------------------------------------------------------------

export interface SipMessage {
  direction: 'sent' | 'received';
  /** When SIPp logged it, ms since the epoch. */
  at: number;
  text: string;
  /** Status code of a response, undefined for a request. */
  status: number | undefined;
  /** Method of a request (or of the CSeq of a response). */
  method: string;
  header(name: string): string | undefined;
  body: string;
}

export interface Party {
  /** Resolves when SIPp exits: 0 when the scenario went as written. */
  done: Promise<{ code: number | null; output: string }>;
  /** Every SIP message SIPp sent and received (its -trace_msg log), read when asked. */
  messages(): SipMessage[];
  kill(): void;
}

export interface PartyOptions {
  scenario: string;
  /** Local address SIPp binds (127.0.0.2: the carrier). */
  ip?: string;
  /** Local SIP port; 0: any. */
  port?: number;
  /** The callee's user part, for callers. */
  service?: string;
  /** Where a caller sends its INVITE (Switchboard's SIP port). */
  target?: number;
  /** The RTP peer the SDP names. */
  rtp?: RtpPeer;
  /** Generic keys: [name] in the scenario. */
  keys?: Record<string, string>;
  /** -au/-ap. */
  auth?: { username: string; password: string };
  /** -d: pause length in ms. */
  pauseMs?: number;
  timeoutMs?: number;
}

/** Runs one SIPp call of a scenario from test/calls/scenarios. Callees: await `listening(port)` before dialling them. */
export function party(o: PartyOptions): Party {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-sipp-'));
  const log = path.join(dir, 'messages.log');
  const keys: Record<string, string> = { caller: '+14155550100', ...o.keys };
  if (o.rtp) {
    keys.rtpip = o.rtp.address;
    keys.rtpport = String(o.rtp.port);
  } else {
    keys.rtpip ??= '127.0.0.1';
    keys.rtpport ??= '9';
  }
  const args = [
    '-sf', path.join(SCENARIOS, o.scenario),
    '-i', o.ip ?? '127.0.0.1',
    '-p', String(o.port ?? 0),
    '-t', 'u1', '-m', '1',
    '-trace_msg', '-message_file', log,
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.service ? ['-s', o.service] : []),
    // The digest uri must be the Request-URI (RFC 3261 §22.4); SIPp's default leaves the user out.
    ...(o.auth ? ['-au', o.auth.username, '-ap', o.auth.password, ...(o.service && o.target ? ['-auth_uri', `${o.service}@127.0.0.1:${o.target}`] : [])] : []),
    ...(o.pauseMs !== undefined ? ['-d', String(o.pauseMs)] : []),
    ...(o.target ? [`127.0.0.1:${o.target}`] : []),
  ];
  const run = sipp(args, o.timeoutMs ?? 20_000);
  return {
    done: run.done,
    kill: run.kill,
    messages: () => {
      let text = '';
      try {
        text = readFileSync(log, 'latin1');
      } catch {
        return [];
      }
      return parseMessageLog(text);
    },
  };
}

/** SIPp's -message_file: each message after a dashed line and "UDP message sent/received". */
function parseMessageLog(text: string): SipMessage[] {
  const out: SipMessage[] = [];
  const chunks = text.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)$/m);
  // split() with a group: [before, stamp1, chunk1, stamp2, chunk2, ...]
  for (let i = 1; i + 1 < chunks.length; i += 2) {
    const at = Date.parse(chunks[i]!.replace(' ', 'T').slice(0, 23));
    const chunk = chunks[i + 1]!;
    const m = /^\s*\S+ message (sent|received)[^\n]*\n\n?([\s\S]*)$/m.exec(chunk);
    if (!m) continue;
    const raw = m[2]!.replace(/\r?\n/g, '\r\n').replace(/^(\r\n)+/, '');
    const split = raw.indexOf('\r\n\r\n');
    const head = split >= 0 ? raw.slice(0, split) : raw;
    const body = split >= 0 ? raw.slice(split + 4) : '';
    const lines = head.split('\r\n');
    const first = lines[0] ?? '';
    const status = /^SIP\/2\.0 (\d{3})/.exec(first);
    const headers = lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const);
    const header = (n: string): string | undefined => headers.find(([k]) => k === n.toLowerCase())?.[1];
    out.push({
      direction: m[1] as 'sent' | 'received',
      at,
      text: raw,
      status: status ? Number(status[1]) : undefined,
      method: status ? (header('cseq')?.split(/\s+/)[1] ?? '') : first.split(' ')[0]!,
      header,
      body,
    });
  }
  return out;
}

/** The final response statuses (and provisionals) a caller received, in order. */
export function statusesReceived(p: Party): number[] {
  return p
    .messages()
    .filter((m) => m.direction === 'received' && m.status !== undefined && m.method === 'INVITE')
    .map((m) => m.status!)
    .filter((s, i, all) => i === 0 || s !== all[i - 1]); // retransmissions once
}

/** Resolves once something listens on UDP `port` at `ip` (a SIPp callee is ready for its INVITE). */
export async function listening(port: number, ip = '127.0.0.1', timeoutMs = 5000): Promise<void> {
  const want = `${ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0')).reverse().join('').toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const table = readFileSync('/proc/net/udp', 'utf8');
    if (table.split('\n').some((l) => l.trim().split(/\s+/)[1] === want)) return;
    await sleep(20);
  }
  throw new Error(`nothing listens on udp ${ip}:${port}`);
}

/** A SIPp callee on its own free port, listening when this resolves. */
export async function callee(o: Omit<PartyOptions, 'port' | 'target'> & { port?: number }): Promise<Party & { port: number }> {
  const port = o.port ?? (await freeUdpPort());
  const p = party({ ...o, port });
  await listening(port, o.ip ?? '127.0.0.1');
  return { ...p, port };
}

/**
 * A carrier (SIPp from CARRIER_IP, `caller` scenario, default caller-waits.xml) calls `number`,
 * routed to alice (her SIPp `alice` scenario, default callee.xml, on her registered port);
 * resolves once the call is in progress, both RTP peers aimed. The peers go into `peers`.
 */
export async function carrierCallsAlice(
  rig: Rig,
  number: string,
  peers: RtpPeer[],
  o: { alice?: string; caller?: string; pauseMs?: number; keys?: Record<string, string> } = {},
) {
  const since = new Date().toISOString();
  const callerRtp = await rtpPeer(CARRIER_IP);
  const aliceRtp = await rtpPeer();
  peers.push(callerRtp, aliceRtp);
  const alice = await callee({
    scenario: o.alice ?? 'callee.xml', port: rig.alicePort, rtp: aliceRtp,
    ...(o.pauseMs !== undefined ? { pauseMs: o.pauseMs } : {}), ...(o.keys ? { keys: o.keys } : {}),
  });
  const caller = party({ scenario: o.caller ?? 'caller-waits.xml', ip: CARRIER_IP, service: number, target: rig.sb.sipPort, rtp: callerRtp });
  await Promise.all([aim(callerRtp, caller), aim(aliceRtp, alice)]);
  const call = await waitForCall(rig.api, (await newestCallTo(rig.api, number, since)).id, hasStatus('in_progress'), 'in_progress');
  return { call, caller, alice, callerRtp, aliceRtp };
}

/** Creates an extension and registers it (from its own port, where its SIPp callee listens later). */
export async function extension(rig: Rig, cred: { username: string; password: string; extension: string }): Promise<{ id: string; port: number }> {
  const made = await rig.api.post('/api/v1/voice/sip-credentials', cred);
  expect(made.status, made.text).toBe(201);
  return { id: made.body.data.id, port: await register(rig, made.body.data.id, cred) };
}

// ---- media -----------------------------------------------------------------------

export async function rtpPeer(address = '127.0.0.1'): Promise<RtpPeer> {
  return RtpPeer.open({ address });
}

/**
 * The RTP peers of one test file, closed together at its end:
 *   const rtp = rtpPeers();  …  const carrierRtp = await rtp.open(CARRIER_IP);  …  afterAll: await rtp.closeAll();
 */
export function rtpPeers(): { open(address?: string): Promise<RtpPeer>; closeAll(): Promise<void> } {
  const open: RtpPeer[] = [];
  return {
    async open(address = '127.0.0.1') {
      const p = await rtpPeer(address);
      open.push(p);
      return p;
    },
    async closeAll() {
      for (const p of open.splice(0)) await p.close();
    },
  };
}

/**
 * Aims the peer at Switchboard's endpoint for this party: the SDP of the first message with
 * one that the party received (a caller: the answer in the 200; a callee: the offer in the
 * INVITE), read from SIPp's message log. `nth` > 0: a later one (a re-INVITE that moved the
 * party to another endpoint).
 */
export async function aim(peer: RtpPeer, p: Party, timeoutMs = 5000, nth = 0): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const m = p.messages().filter((x) => x.direction === 'received' && /^m=audio /m.test(x.body))[nth];
    if (m) {
      peer.target(m.body);
      return m.body;
    }
    await sleep(20);
  }
  throw new Error(`no SDP (#${nth}) from Switchboard reached the party`);
}

/** Plays `hz` from the peer until stop() (20 ms frames, paced): a party that keeps talking. */
export function keepPlaying(p: RtpPeer, hz: number): { stop(): Promise<void> } {
  let on = true;
  const done = (async () => {
    while (on) await p.play(tone(hz, 200));
  })();
  return {
    stop: async () => {
      on = false;
      await done;
    },
  };
}

/** What the peer hears during the next `ms` (after `settleMs` for the media to follow a change). */
export async function listenFor(peer: RtpPeer, ms: number, settleMs = 200): Promise<Int16Array> {
  await sleep(settleMs);
  const from = peer.received.length;
  await sleep(ms);
  return peer.heard(from);
}

/**
 * The dialog a SIPp callee holds with Switchboard, as Switchboard sees it: the Call-ID, our
 * tag (the From tag of the INVITE it received) and its tag (the To tag of its 200).
 */
export function dialogOf(p: Party): { callId: string; ourTag: string; theirTag: string } {
  const invite = p.messages().find((m) => m.direction === 'received' && m.method === 'INVITE' && m.status === undefined);
  const ok = p.messages().find((m) => m.direction === 'sent' && m.method === 'INVITE' && m.status === 200);
  const tag = (h: string | undefined) => /;\s*tag=([^;\s]+)/i.exec(h ?? '')?.[1];
  const callId = invite?.header('call-id');
  const ourTag = tag(invite?.header('from'));
  const theirTag = tag(ok?.header('to'));
  if (!callId || !ourTag || !theirTag) throw new Error('the party has no confirmed dialog yet');
  return { callId, ourTag, theirTag };
}

/**
 * The signal carries `want` (at -30 dBFS or louder; the peers send -10) and `not` at least
 * 20 dB below it: a channel or a direction holds the one voice and not the other. (A relative
 * bound, because a jitter-buffer concealment click spreads a little energy to every frequency.)
 */
export function carries(samples: Int16Array, want: number, not: number, rate = 8000): boolean {
  const level = toneLevelDbfs(samples, rate, want);
  return level >= -30 && toneLevelDbfs(samples, rate, not) < level - 20;
}

/** `ms` of a sine at `hz`, -10 dBFS, 8 kHz. */
export function tone(hz: number, ms: number): Int16Array {
  return sine(hz, 8000, (8000 * ms) / 1000, -10);
}

// ---- the API -------------------------------------------------------------------

/** A client whose API key has only these scopes. */
export async function clientWithScopes(rig: Rig, scopes: string[]): Promise<Client> {
  const r = await rig.api.post('/api/v1/api-keys', { name: `scopes ${scopes.join(' ')}`, scopes });
  expect(r.status, r.text).toBe(201);
  return client(rig.sb.baseUrl, r.body.data.key);
}

/** The call's timeline (status changes and notes such as transfer_completed), read from the server's database. */
export function timeline(rig: Rig, callId: string): { type: string; data: Record<string, unknown> }[] {
  const db = new Database(path.join(rig.sb.dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT type, data FROM call_events WHERE call_id = ? ORDER BY seq').all(callId) as { type: string; data: string }[];
    return rows.map((r) => ({ type: r.type, data: JSON.parse(r.data) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** Polls GET /calls/{id} until `pred` holds; returns the call. */
export async function waitForCall(api: Client, id: string, pred: (c: any) => boolean, what: string, timeoutMs = 10_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    const r = await api.get(`/api/v1/voice/calls/${id}`);
    last = r.body.data;
    if (r.status === 200 && pred(last)) return last;
    await sleep(50);
  }
  throw new Error(`call ${id}: timed out waiting for ${what}; last seen ${JSON.stringify(last)}`);
}

export const hasStatus = (...s: string[]) => (c: any) => s.includes(c.status);

/**
 * The newest call of the tenant to this number (inbound calls are found by the number
 * dialled), created at `since` or later: a test takes the time before it dials.
 */
export async function newestCallTo(api: Client, to: string, since: string, timeoutMs = 5000): Promise<any> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await api.get(`/api/v1/voice/calls?to=${encodeURIComponent(to)}&limit=1`);
    const c = r.body.data?.[0];
    if (c && c.created_at >= since) return c;
    await sleep(50);
  }
  throw new Error(`no call to ${to} since ${since}`);
}

// ---- recordings and webhooks -------------------------------------------------------

/** The channels of a 16-bit PCM WAV file (the recorder's format), de-interleaved. */
export function wavChannels(file: Uint8Array): { rate: number; channels: Int16Array[] } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const id = (o: number): string => String.fromCharCode(...file.subarray(o, o + 4));
  if (id(0) !== 'RIFF' || id(8) !== 'WAVE') throw new Error('not a WAV file');
  let at = 12;
  let fmt: { channels: number; rate: number; bits: number } | undefined;
  for (let n = 0; n < 100 && at + 8 <= file.length; n++) {
    const size = view.getUint32(at + 4, true);
    if (id(at) === 'fmt ') fmt = { channels: view.getUint16(at + 10, true), rate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    if (id(at) === 'data') {
      if (!fmt || fmt.bits !== 16) throw new Error(`unexpected WAV format ${JSON.stringify(fmt)}`);
      const frames = Math.floor(Math.min(size, file.length - at - 8) / (2 * fmt.channels));
      const channels = Array.from({ length: fmt.channels }, () => new Int16Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.channels; c++) channels[c]![i] = view.getInt16(at + 8 + (i * fmt.channels + c) * 2, true);
      }
      return { rate: fmt.rate, channels };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('WAV file without a data chunk');
}

export interface ReceivedHook {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A webhook receiver on 127.0.0.1 answering 204 to everything. */
export async function webhookReceiver(): Promise<{ url: string; received: ReceivedHook[]; close(): Promise<void> }> {
  const received: ReceivedHook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** docs/webhooks.md's recipe: HMAC-SHA256 of "<timestamp>.<raw body>" with the secret, hex, v1=. */
export function signatureValid(secret: string, hook: ReceivedHook): boolean {
  const timestamp = String(hook.headers['switchboard-timestamp'] ?? '');
  const header = String(hook.headers['switchboard-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(hook.body).digest('hex');
  return header.split(',').some((part) => {
    const [version, sig] = part.trim().split('=');
    return version === 'v1' && sig?.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
  });
}
