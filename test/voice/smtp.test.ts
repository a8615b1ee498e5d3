// Voicemail e-mail through the SMTP client, against a tiny SMTP server written here
// (node:net on 127.0.0.1): the envelope, AUTH, STARTTLS, dot-stuffing, the MIME message
// with the recording attached and the transcription in the body, and retries that never
// touch the message.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/config.js';
import { EmailNotifier, parseSmtpSettings, sendMail, type SmtpSettings } from '../../voice/voicemail/index.js';
import { tempDataDir } from '../helpers/server.js';
import { eventually, goForwardWav, startVoicemailRig, toneWav, type VoicemailRig } from './voicemail-rig.js';

interface Received {
  commands: string[];
  /** DATA as it came over the wire (dot-stuffed), and as the server reads it. */
  wire: string;
  data: string;
  tlsUsed: boolean;
}

interface FakeSmtpOptions {
  auth?: string; // e.g. "PLAIN LOGIN"
  starttls?: { key: string; cert: string };
  /** Reply to MAIL FROM for the first N sessions, instead of 250. */
  failMail?: { times: number; reply: string };
}

/** A minimal SMTP server: enough of RFC 5321 for one client, recording what it got. */
async function fakeSmtp(opts: FakeSmtpOptions = {}) {
  const mails: Received[] = [];
  let sessions = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    const session = sessions++;
    const got: Received = { commands: [], wire: '', data: '', tlsUsed: false };
    let sock: net.Socket = raw;
    let buf = '';
    let inData = false;
    const send = (l: string) => sock.write(`${l}\r\n`);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          got.wire = buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          // RFC 5321 §4.5.2: the receiver removes the first "." of a line that starts with one.
          got.data = got.wire.split('\r\n').map((l) => (l.startsWith('.') ? l.slice(1) : l)).join('\r\n');
          mails.push(got);
          send('250 2.0.0 queued');
          continue;
        }
        const i = buf.indexOf('\r\n');
        if (i < 0) return;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        got.commands.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          const ext = [...(opts.auth ? [`AUTH ${opts.auth}`] : []), ...(opts.starttls && !got.tlsUsed ? ['STARTTLS'] : []), '8BITMIME'];
          sock.write(`250-fake.test greets you\r\n${ext.map((e, k) => `250${k === ext.length - 1 ? ' ' : '-'}${e}\r\n`).join('')}`);
        } else if (verb === 'STARTTLS' && opts.starttls) {
          send('220 2.0.0 go ahead');
          sock.removeListener('data', onData);
          const secured = new tls.TLSSocket(sock, { isServer: true, key: opts.starttls.key, cert: opts.starttls.cert });
          secured.on('data', onData);
          secured.on('error', () => undefined);
          sock = secured;
          got.tlsUsed = true;
        } else if (verb === 'AUTH') {
          const [, mech, initial] = line.split(' ');
          if (mech === 'PLAIN') send('235 2.7.0 ok');
          else if (mech === 'LOGIN') send('334 VXNlcm5hbWU6');
          else send('504 no');
          void initial;
        } else if (got.commands.length >= 2 && got.commands[got.commands.length - 2] === 'AUTH LOGIN') {
          send('334 UGFzc3dvcmQ6');
        } else if (got.commands.length >= 3 && got.commands[got.commands.length - 3] === 'AUTH LOGIN') {
          send('235 2.7.0 ok');
        } else if (verb === 'MAIL') {
          if (opts.failMail && session < opts.failMail.times) send(opts.failMail.reply);
          else send('250 2.1.0 ok');
        } else if (verb === 'RCPT') send('250 2.1.5 ok');
        else if (verb === 'DATA') {
          inData = true;
          send('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          send('221 2.0.0 bye');
          sock.end();
        } else if (verb === 'RSET' || verb === 'NOOP') send('250 ok');
        else send('502 5.5.2 what');
      }
    };
    raw.on('data', onData);
    raw.on('error', () => undefined);
    raw.on('close', () => sockets.delete(raw));
    send('220 fake.test ESMTP');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    get sessions() {
      return sessions;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
type AddressInfo = { port: number };

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function settings(port: number, over: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: '127.0.0.1', port, implicitTls: false, requireStartTls: false, user: undefined, pass: undefined, from: 'voicemail@switchboard.test', ...over };
}

describe('the SMTP client', () => {
  it('sends the envelope, authenticates with PLAIN and dot-stuffs lines that start with "."', async () => {
    const srv = await fakeSmtp({ auth: 'PLAIN LOGIN' });
    servers.push(srv);
    const body = 'Subject: dots\r\n\r\nfirst\r\n.hidden line\r\n..two dots\r\n.\r\nlast';
    await sendMail(settings(srv.port, { user: 'ann@example.com', pass: 'p@ss word' }), ['bob@example.com'], body);
    expect(srv.mails).toHaveLength(1);
    const m = srv.mails[0]!;
    expect(m.commands[0]).toMatch(/^EHLO \S+/);
    const auth = m.commands.find((c) => c.startsWith('AUTH PLAIN '))!;
    expect(Buffer.from(auth.slice('AUTH PLAIN '.length), 'base64').toString()).toBe('\0ann@example.com\0p@ss word');
    expect(m.commands).toContain('MAIL FROM:<voicemail@switchboard.test>');
    expect(m.commands).toContain('RCPT TO:<bob@example.com>');
    expect(m.commands[m.commands.length - 1]).toBe('QUIT');
    // On the wire every leading "." is doubled, so a lone "." never ends the message early...
    expect(m.wire).toContain('\r\n..hidden line\r\n...two dots\r\n..\r\nlast\r\n');
    // ...and the server reads back exactly what was sent.
    expect(m.data).toBe(`${body}\r\n`);
  });

  it('uses AUTH LOGIN when that is all the server offers', async () => {
    const srv = await fakeSmtp({ auth: 'LOGIN' });
    servers.push(srv);
    await sendMail(settings(srv.port, { user: 'ann', pass: 'secret' }), ['bob@example.com'], 'Subject: x\r\n\r\nhi');
    const c = srv.mails[0]!.commands;
    const i = c.indexOf('AUTH LOGIN');
    expect(i).toBeGreaterThan(0);
    expect(Buffer.from(c[i + 1]!, 'base64').toString()).toBe('ann');
    expect(Buffer.from(c[i + 2]!, 'base64').toString()).toBe('secret');
  });

  it('upgrades with STARTTLS when offered, and EHLOs again over TLS', async () => {
    const dir = tempDataDir();
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
    ], { stdio: 'ignore' });
    const key = readFileSync(path.join(dir, 'k.pem'), 'utf8');
    const cert = readFileSync(path.join(dir, 'c.pem'), 'utf8');
    const srv = await fakeSmtp({ auth: 'PLAIN', starttls: { key, cert } });
    servers.push(srv);
    await sendMail(settings(srv.port, { user: 'u', pass: 'p' }), ['bob@example.com'], 'Subject: tls\r\n\r\nsecret', { tls: { ca: cert } });
    const m = srv.mails[0]!;
    expect(m.tlsUsed).toBe(true);
    const starttls = m.commands.indexOf('STARTTLS');
    expect(starttls).toBe(1);
    // Credentials only after the upgrade.
    expect(m.commands.slice(starttls + 1).some((c) => c.startsWith('EHLO'))).toBe(true);
    expect(m.commands.findIndex((c) => c.startsWith('AUTH'))).toBeGreaterThan(starttls);
    // An untrusted certificate is not accepted.
    await expect(sendMail(settings(srv.port), ['bob@example.com'], 'Subject: x\r\n\r\ny')).rejects.toThrow(/TLS/);
  });

  it('starttls=required refuses a server without STARTTLS before any credential is sent', async () => {
    const srv = await fakeSmtp({ auth: 'PLAIN' });
    servers.push(srv);
    const s = parseSmtpSettings(`smtp://u:p@127.0.0.1:${srv.port}?starttls=required`, 'vm@switchboard.test') as SmtpSettings;
    await expect(sendMail(s, ['bob@example.com'], 'Subject: x\r\n\r\ny')).rejects.toThrow(/STARTTLS/);
    expect(srv.mails).toHaveLength(0);
  });
});

describe('notification retries', () => {
  const view = {
    id: 'vmsg_retry0000000000000000000', tenantId: 'ten_x', voicemailId: 'vmail_x', caller: '+14155552671', callee: null,
    direction: 'inbound' as const, callId: null, durationSeconds: 4, transcription: null, transcriptionStatus: 'none' as const,
    listened: false, createdAt: new Date().toISOString(),
  };
  const audio = toneWav(tempDataDir(), 'a.wav', 0.5);

  it('retries a temporary refusal with backoff and then delivers', async () => {
    const srv = await fakeSmtp({ failMail: { times: 2, reply: '451 4.3.0 try later' } });
    servers.push(srv);
    const n = new EmailNotifier({ settings: settings(srv.port), logger: pino({ level: 'silent' }), retry: { attempts: 4, baseMs: 20 } });
    expect(await n.notify({ message: view, boxName: 'Main', to: 'bob@example.com', audioFile: audio, transcribes: false })).toBe('sent');
    expect(srv.sessions).toBe(3);
    expect(srv.mails).toHaveLength(1);
  });

  it('gives up at once on a permanent refusal, and after the bounded attempts on temporary ones', async () => {
    const perm = await fakeSmtp({ failMail: { times: 99, reply: '550 5.7.1 relaying denied' } });
    const temp = await fakeSmtp({ failMail: { times: 99, reply: '421 4.7.0 busy' } });
    servers.push(perm, temp);
    const log = pino({ level: 'silent' });
    const input = { message: view, boxName: 'Main', to: 'bob@example.com', audioFile: audio, transcribes: false };
    expect(await new EmailNotifier({ settings: settings(perm.port), logger: log, retry: { attempts: 4, baseMs: 20 } }).notify(input)).toBe('failed');
    expect(perm.sessions).toBe(1);
    expect(await new EmailNotifier({ settings: settings(temp.port), logger: log, retry: { attempts: 3, baseMs: 20 } }).notify(input)).toBe('failed');
    expect(temp.sessions).toBe(3);
  });
});

describe('a new message by e-mail', () => {
  let rig: VoicemailRig | undefined;
  afterAll(async () => rig?.stop());

  it('sends the recording attached and the transcription in the body to the box address', async () => {
    const srv = await fakeSmtp({ auth: 'PLAIN' });
    servers.push(srv);
    rig = await startVoicemailRig({ smtp: settings(srv.port, { user: 'relay', pass: 'pw' }) });
    const work = path.join(rig.dataDir, 'rec');
    mkdirSync(work);
    const box = (
      await rig.a.post('/api/v1/voice/voicemail-boxes', { name: 'Support', transcribe: true, notification_email: 'team@acme.test' })
    ).body.data.id;
    const m = await rig.voicemail.service.deposit({
      tenantId: rig.tenantA, voicemailId: box, caller: '+14155552671', callee: '+14155550100', direction: 'inbound',
      callId: null, audioPath: goForwardWav(work), durationSeconds: 2.79,
    });
    const stored = readFileSync(path.join(rig.dataDir, 'voicemail', rig.tenantA, `${m.id}.wav`));
    const mail = await eventually(async () => srv.mails[0], 60_000, 'the e-mail');
    expect(mail.commands).toContain('RCPT TO:<team@acme.test>');
    expect(mail.commands).toContain('MAIL FROM:<voicemail@switchboard.test>');
    const text = mail.data;
    expect(text).toMatch(/^To: team@acme\.test$/m);
    expect(text).toMatch(/^Subject: New voicemail from \+14155552671 \(0:03\)$/m);
    // The transcription is in the text part.
    const [, boundary] = /boundary="([^"]+)"/.exec(text)!;
    const parts = text.split(`--${boundary}`);
    const plain = parts.find((p) => p.includes('Content-Type: text/plain'))!;
    expect(plain).toMatch(/go forward/i);
    expect(plain).toContain('From: +14155552671');
    // The attachment decodes to the stored recording, byte for byte.
    const att = parts.find((p) => p.includes('Content-Disposition: attachment'))!;
    expect(att).toContain(`filename="${m.id}.wav"`);
    expect(att).toContain('Content-Type: audio/wav');
    const b64 = att.split('\r\n\r\n')[1]!.replace(/\s+/g, '');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(Buffer.from(b64, 'base64'))).toBe(sha(stored));
    expect(att.split('\r\n\r\n')[1]!.split('\r\n').every((l) => l.length <= 76)).toBe(true);
  });

  it('a mail server that refuses leaves the message as it was', async () => {
    const srv = await fakeSmtp({ failMail: { times: 99, reply: '550 5.1.1 no such user' } });
    servers.push(srv);
    const r2 = await startVoicemailRig({ smtp: settings(srv.port) });
    try {
      const work = path.join(r2.dataDir, 'rec');
      mkdirSync(work);
      const box = (await r2.a.post('/api/v1/voice/voicemail-boxes', { name: 'B', notification_email: 'x@acme.test' })).body.data.id;
      const m = await r2.voicemail.service.deposit({
        tenantId: r2.tenantA, voicemailId: box, caller: '+14155552671', callee: null, direction: 'inbound',
        callId: null, audioPath: toneWav(work, 't.wav', 1), durationSeconds: 1,
      });
      await eventually(async () => (srv.sessions > 0 ? true : undefined), 10_000, 'the attempt');
      const d = (await r2.a.get(`/api/v1/voice/voicemails/${m.id}`)).body.data;
      expect(d).toMatchObject({ id: m.id, listened: false, duration_seconds: 1 });
      expect((await fetch(d.recording_url)).status).toBe(200);
    } finally {
      await r2.stop();
    }
  });
});

describe('configuration', () => {
  const base = { SWITCHBOARD_DATA_DIR: tempDataDir() };
  it('reads SWITCHBOARD_SMTP_URL and SWITCHBOARD_SMTP_FROM', () => {
    const c = loadConfig({ ...base, SWITCHBOARD_SMTP_URL: 'smtps://me%40x.test:p%3Aw@mail.x.test', SWITCHBOARD_SMTP_FROM: 'vm@x.test' });
    expect(c.smtp).toEqual({ host: 'mail.x.test', port: 465, implicitTls: true, requireStartTls: false, user: 'me@x.test', pass: 'p:w', from: 'vm@x.test' });
    expect(loadConfig(base).smtp).toBeUndefined();
  });
  it('names the variable when a value is wrong', () => {
    for (const [env, re] of [
      [{ SWITCHBOARD_SMTP_URL: 'http://mail.x.test' }, /SWITCHBOARD_SMTP_URL must start with smtp/],
      [{ SWITCHBOARD_SMTP_URL: 'smtp://mail.x.test:2525' }, /SWITCHBOARD_SMTP_FROM must be set/],
      [{ SWITCHBOARD_SMTP_URL: 'smtp://mail.x.test', SWITCHBOARD_SMTP_FROM: 'not an address' }, /SWITCHBOARD_SMTP_FROM=/],
    ] as const) {
      let err: unknown;
      try {
        loadConfig({ ...base, ...env });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(re);
    }
  });
});
