// The log lines a fail2ban filter reads: emitted through a real pino logger, matched
// with the filter exactly as docs/sip/authentication.md publishes it.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FAIL2BAN_FAILREGEX, SecurityLog } from './security-log.js';

const DOC = new URL('../../docs/sip/authentication.md', import.meta.url);

/** The failregex lines of the filter file shown in the doc (first line plus continuation lines). */
function documentedFailregex(): string[] {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('failregex = '));
  expect(start).toBeGreaterThan(0);
  const out = [lines[start]!.slice('failregex = '.length)];
  for (let i = start + 1; i < lines.length && /^\s+\S/.test(lines[i]!); i++) out.push(lines[i]!.trim());
  return out;
}

/** fail2ban's <ADDR> as a named group (IPv4 or IPv6 literal). */
function compile(failregex: string): RegExp {
  return new RegExp(failregex.replace('<ADDR>', '(?<addr>[0-9A-Fa-f.:]+)'));
}

/** A SecurityLog writing through pino configured like app/logger.ts, and the lines it wrote. */
function pinoLog() {
  const lines: string[] = [];
  const logger = pino(
    {
      level: 'info',
      base: { service: 'switchboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (s: string) => lines.push(s.trimEnd()) },
  ).child({ layer: 'sip' });
  return { log: new SecurityLog(logger), lines };
}

/** The address a fail2ban filter would ban for `line`, or undefined. */
function banned(line: string): string | undefined {
  for (const re of FAIL2BAN_FAILREGEX.map(compile)) {
    const m = re.exec(line);
    if (m) return m.groups!.addr;
  }
  return undefined;
}

describe('security log and fail2ban filter', () => {
  it('documents exactly the regexes the code exports', () => {
    expect(documentedFailregex()).toEqual(FAIL2BAN_FAILREGEX);
  });

  it('writes one JSON line per event with stable fields', () => {
    const { log, lines } = pinoLog();
    log.authFailed('192.0.2.7', 'alice', 'example.com', 'bad_password');
    log.lockout('192.0.2.7', 'alice', 'example.com', 'account', 30_000, 1);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      event: 'sip_auth_failed',
      ip: '192.0.2.7',
      user: 'alice',
      realm: 'example.com',
      reason: 'bad_password',
      msg: 'sip auth failed',
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({ event: 'sip_auth_lockout', scope: 'account', backoff_s: 30, lockouts: 1, msg: 'sip auth lockout' });
    expect(JSON.parse(lines[1]!).level).toBe('warn');
  });

  it('bans on wrong passwords, unknown users and lockouts, IPv4 and IPv6', () => {
    const { log, lines } = pinoLog();
    log.authFailed('192.0.2.7', 'alice', 'example.com', 'bad_password');
    log.authFailed('2001:db8::7', 'nobody', 'example.com', 'unknown_user');
    log.lockout('198.51.100.3', 'alice', 'example.com', 'address', 60_000, 2);
    expect(lines.map(banned)).toEqual(['192.0.2.7', '2001:db8::7', '198.51.100.3']);
  });

  it('does not ban on events a legitimate phone causes', () => {
    const { log, lines } = pinoLog();
    for (const reason of ['stale_nonce', 'bad_nonce', 'nc_replay', 'uri_mismatch'] as const) log.authFailed('192.0.2.7', 'alice', 'example.com', reason);
    expect(lines).toHaveLength(4);
    expect(lines.map(banned)).toEqual([undefined, undefined, undefined, undefined]);
    expect(JSON.parse(lines[0]!).level).toBe('info');
  });

  it('cannot be steered to another address by a crafted username or realm', () => {
    const { log, lines } = pinoLog();
    log.authFailed('192.0.2.7', 'x","ip":"6.6.6.6","user":"y","realm":"r","reason":"bad_password', 'example.com', 'nc_replay');
    log.authFailed('192.0.2.8', 'a\\', '","ip":"6.6.6.6', 'bad_password');
    log.authFailed('192.0.2.9', 'q"\\"', 'example.com', 'unknown_user');
    expect(lines.map(banned)).toEqual([undefined, '192.0.2.8', '192.0.2.9']);
  });

  it('cuts long usernames', () => {
    const { log, lines } = pinoLog();
    log.authFailed('192.0.2.7', 'u'.repeat(10_000), 'example.com', 'unknown_user');
    expect(JSON.parse(lines[0]!).user).toHaveLength(64);
  });
});
