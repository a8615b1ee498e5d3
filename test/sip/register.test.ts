// Registration against the running server with real peers: sipp over UDP and TCP
// (digest authentication), sip.js over WebSocket, wrong passwords and lockout, and
// the registration state the API shows.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';
import { ROOT } from '../helpers/server.js';
import { parseWireResponse, UdpPeer } from '../helpers/sip-udp.js';
import { registerWithSipJs } from '../helpers/sipjs.js';

const SCENARIOS = path.join(ROOT, 'test/sip/scenarios');

let t: TwoTenants;
const creds: Record<string, string> = {};

beforeAll(async () => {
  t = await startWithTwoTenants();
  for (const [username, password] of [
    ['alice', 'alice-secret-1'],
    ['bob', 'bob-secret-22'],
    ['carol', 'carol-secret-3'],
    ['dave', 'dave-secret-44'],
  ] as const) {
    const r = await t.a.post('/api/v1/voice/sip-credentials', { username, password });
    expect(r.status, r.text).toBe(201);
    creds[username] = r.body.data.id;
  }
});
afterAll(async () => {
  await t?.sb.stop();
});

interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs sipp to completion (bounded by -m and a kill timer). */
function sipp(args: string[], timeoutMs = 60_000): Promise<SippResult> {
  return new Promise((resolve) => {
    const child = spawn('sipp', [...args, '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`], {
      cwd: '/tmp',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function registrations(username: string): Promise<any[]> {
  // Bindings are written behind (within ~100 ms); poll briefly.
  for (let i = 0; i < 50; i++) {
    const r = await t.a.get(`/api/v1/voice/sip-credentials/${creds[username]}`);
    if (r.body.data.registrations.length > 0) return r.body.data.registrations;
    await new Promise((res) => setTimeout(res, 100));
  }
  return [];
}

describe('REGISTER with digest authentication', () => {
  it('sipp registers over UDP: every registration succeeds and the API shows it', async () => {
    const r = await sipp([
      '-sf', path.join(SCENARIOS, 'register-digest.xml'),
      '-s', 'alice', '-au', 'alice', '-ap', 'alice-secret-1',
      `127.0.0.1:${t.sb.sipPort}`, '-t', 'u1', '-m', '50', '-r', '50', '-l', '10',
    ]);
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0); // sipp exits 0 only when every call succeeded
    const regs = await registrations('alice');
    expect(regs).toHaveLength(1); // one Contact, refreshed 50 times
    expect(regs[0]).toMatchObject({ transport: 'UDP', source_address: '127.0.0.1' });
    expect(regs[0].contact).toMatch(/^sip:alice@127\.0\.0\.1:\d+;transport=UDP$/i);
    expect(regs[0].expires_in).toBeGreaterThan(250);
    const metrics = (await fetch(`${t.sb.baseUrl}/metrics`).then((r) => r.text())).split('\n');
    const accepted = Number(metrics.find((l) => l.startsWith('switchboard_sip_registrations_accepted_total '))?.split(' ')[1]);
    expect(accepted).toBeGreaterThanOrEqual(50);
    expect(metrics.find((l) => l.startsWith('switchboard_sip_bindings '))).toBeDefined();
  });

  it('sipp registers over TCP', async () => {
    const r = await sipp([
      '-sf', path.join(SCENARIOS, 'register-digest.xml'),
      '-s', 'bob', '-au', 'bob', '-ap', 'bob-secret-22',
      `127.0.0.1:${t.sb.sip.TCP}`, '-t', 't1', '-m', '20', '-r', '20',
    ]);
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const regs = await registrations('bob');
    expect(regs[0]).toMatchObject({ transport: 'TCP' });
  });

  it('sip.js registers over WebSocket', async () => {
    const reg = await registerWithSipJs({ server: `ws://127.0.0.1:${t.sb.sip.WS}`, user: 'carol', password: 'carol-secret-3' });
    try {
      const regs = await registrations('carol');
      expect(regs[0]).toMatchObject({ transport: 'WS' });
      await reg.unregister();
    } finally {
      await reg.stop();
    }
  });
});

describe('registrations across a restart and per tenant domain', () => {
  it('keeps bindings through a restart and picks the tenant by the request domain', async () => {
    const { startServer, runCli, tempDataDir } = await import('../helpers/server.js');
    const { client } = await import('../helpers/http.js');
    const dataDir = tempDataDir();
    let sb = await startServer({ dataDir });
    // A second tenant with its own SIP domain and an account of the same name.
    const made = JSON.parse((await runCli(['tenant', 'create', '--name', 'B', '--sip-domain', 'pbx.b.example', '--json'], dataDir)).stdout);
    const b = client(sb.baseUrl, made.api_key);
    const cred = await b.post('/api/v1/voice/sip-credentials', { username: 'frank', password: 'frank-in-b-1' });
    expect(cred.body.data.realm).toBe('pbx.b.example');
    const peer = await UdpPeer.open();
    try {
      const req = (n: number, auth?: string) =>
        [
          'REGISTER sip:pbx.b.example SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-dom-${n};rport`,
          'From: <sip:frank@pbx.b.example>;tag=d1',
          'To: <sip:frank@pbx.b.example>',
          'Call-ID: domain-test@127.0.0.1',
          `CSeq: ${n} REGISTER`,
          `Contact: <sip:frank@127.0.0.1:${peer.port}>`,
          ...(auth ? [`Authorization: ${auth}`] : []),
          'Max-Forwards: 70',
          'Expires: 600',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      const { parseMessage } = await import('../../sip/message/parse.js');
      const { answerChallenge, DigestClientState } = await import('../../sip/auth/index.js');
      await peer.send(req(1), sb.sipPort);
      const raw = (await peer.next(2000))!;
      expect(parseWireResponse(raw)!.header('www-authenticate')).toContain('realm="pbx.b.example"');
      const [answer] = answerChallenge(parseMessage(Buffer.from(raw)) as any, parseMessage(Buffer.from(req(1))) as any,
        { username: 'frank', password: 'frank-in-b-1' }, new DigestClientState());
      await peer.send(req(2, answer!.value), sb.sipPort);
      expect(parseWireResponse((await peer.next(2000))!)!.status).toBe(200);
      const registered = async () => {
        for (let i = 0; i < 50; i++) {
          const r = await b.get(`/api/v1/voice/sip-credentials/${cred.body.data.id}`);
          if (r.body.data.registrations.length) return r.body.data.registrations;
          await new Promise((res) => setTimeout(res, 100));
        }
        return [];
      };
      expect(await registered()).toHaveLength(1);
      // Restart: the binding is back, with its remaining lifetime.
      expect(await sb.stop()).toBe(0);
      sb = await startServer({ dataDir });
      expect(sb.stdout()).toMatch(/"restored_registrations":1/);
      const again = await client(sb.baseUrl, made.api_key).get(`/api/v1/voice/sip-credentials/${cred.body.data.id}`);
      expect(again.body.data.registrations).toHaveLength(1);
      expect(again.body.data.registrations[0].expires_in).toBeGreaterThan(500);
    } finally {
      peer.close();
      await sb.stop();
    }
  });
});

describe('SHA-256 digests (RFC 8760) when offered', () => {
  it('registers with a SHA-256 answer to the first of two challenges', async () => {
    const { startServer } = await import('../helpers/server.js');
    const { client } = await import('../helpers/http.js');
    const { parseMessage } = await import('../../sip/message/parse.js');
    const { answerChallenge, DigestClientState } = await import('../../sip/auth/index.js');
    const sb = await startServer({ env: { SWITCHBOARD_SIP_DIGEST_ALGORITHMS: 'SHA-256,MD5' } });
    const peer = await UdpPeer.open();
    try {
      await client(sb.baseUrl, sb.firstKey).post('/api/v1/voice/sip-credentials', { username: 'erin', password: 'erin-secret-55' });
      const req = (n: number, auth?: string) =>
        [
          'REGISTER sip:127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-sha-${n};rport`,
          'From: <sip:erin@127.0.0.1>;tag=sha1',
          'To: <sip:erin@127.0.0.1>',
          'Call-ID: sha-256@127.0.0.1',
          `CSeq: ${n} REGISTER`,
          `Contact: <sip:erin@127.0.0.1:${peer.port}>`,
          ...(auth ? [`Authorization: ${auth}`] : []),
          'Max-Forwards: 70',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      await peer.send(req(1), sb.sipPort);
      const raw401 = (await peer.next(2000))!;
      const challenge = parseWireResponse(raw401)!;
      expect(challenge.all('www-authenticate').map((h) => /algorithm=([\w-]+)/.exec(h)?.[1])).toEqual(['SHA-256', 'MD5']);
      const answers = answerChallenge(
        parseMessage(Buffer.from(raw401)) as any,
        parseMessage(Buffer.from(req(1))) as any,
        { username: 'erin', password: 'erin-secret-55' },
        new DigestClientState(),
      );
      expect(answers[0]!.algorithm).toBe('SHA-256');
      await peer.send(req(2, answers[0]!.value), sb.sipPort);
      expect(parseWireResponse((await peer.next(2000))!)?.status).toBe(200);
    } finally {
      peer.close();
      await sb.stop();
    }
  });
});

describe('wrong passwords and lockout', () => {
  function register(port: number, user: string, n: number, authorization?: string): string {
    return [
      `REGISTER sip:127.0.0.1 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.3:${port};branch=z9hG4bK-lock-${n};rport`,
      `From: <sip:${user}@127.0.0.1>;tag=lock${n}`,
      `To: <sip:${user}@127.0.0.1>`,
      `Call-ID: lock-${user}-${n}@127.0.0.3`,
      `CSeq: ${n} REGISTER`,
      `Contact: <sip:${user}@127.0.0.3:${port}>`,
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      'Max-Forwards: 70',
      'Expires: 300',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  /** A digest answer computed with a wrong password (MD5, qop=auth). */
  async function wrongAnswer(challenge: string, user: string): Promise<string> {
    const { createHash } = await import('node:crypto');
    const p = Object.fromEntries([...challenge.matchAll(/(\w+)="?([^",]+)"?/g)].map((m) => [m[1], m[2]]));
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${user}:${p.realm}:not-the-password`);
    const ha2 = md5('REGISTER:sip:127.0.0.1');
    const response = md5(`${ha1}:${p.nonce}:00000001:abcdef:auth:${ha2}`);
    return `Digest username="${user}", realm="${p.realm}", nonce="${p.nonce}", uri="sip:127.0.0.1", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="abcdef"`;
  }

  it('answers a wrong password and an unknown user the same way, then locks the account out', async () => {
    const peer = await UdpPeer.open('127.0.0.3');
    try {
      const statuses: number[] = [];
      const shapes: string[] = [];
      for (let i = 1; i <= 7; i++) {
        const user = i === 1 ? 'nobody-here' : 'dave';
        // Without credentials nobody is known yet: always a challenge.
        await peer.send(register(peer.port, user, i * 2), t.sb.sipPort);
        const challenge = parseWireResponse((await peer.next(2000))!)!;
        expect(challenge.status).toBe(401);
        const md5 = challenge.all('www-authenticate').find((h) => /MD5/.test(h))!;
        await peer.send(register(peer.port, user, i * 2 + 1, await wrongAnswer(md5, user)), t.sb.sipPort);
        const r = parseWireResponse((await peer.next(2000))!)!;
        statuses.push(r.status);
        shapes.push(r.headers.map(([k]) => k).join(','));
      }
      // The unknown user and dave's first five wrong passwords get the same answer; then
      // dave's account is locked: 403, without looking at the password.
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 403]);
      expect(new Set(shapes.slice(0, 6)).size).toBe(1);
      // Security events are JSON log lines a fail2ban filter can match.
      for (let i = 0; i < 20 && !t.sb.stdout().includes('sip_auth_lockout'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(t.sb.stdout()).toMatch(/"event":"sip_auth_failed","ip":"127\.0\.0\.3","user":"dave"/);
      expect(t.sb.stdout()).toMatch(/"event":"sip_auth_lockout","ip":"127\.0\.0\.3","user":"dave"/);
    } finally {
      peer.close();
    }
  });
});
