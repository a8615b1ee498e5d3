// Configuration from the environment, validated once at boot. Every bad value is
// reported with the variable's name; the process refuses to start on any of them.
import { availableParallelism, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseSmtpSettings, type SmtpSettings } from '../voice/voicemail/smtp-settings.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface Config {
  dataDir: string;
  http: { host: string; port: number };
  sip: {
    host: string;
    port: number;
    tlsPort: number;
    wsPort: number;
    wssPort: number;
    /** PEM files for TLS and WSS; unset: a self-signed certificate is made in the data dir. */
    tlsCertPath: string | undefined;
    tlsKeyPath: string | undefined;
    /** Digest algorithms offered in challenges, in order, and accepted. */
    digestAlgorithms: ('MD5' | 'SHA-256')[];
  };
  publicIp: string;
  rtp: { portMin: number; portMax: number };
  /** The media plane: worker threads, the address RTP binds to and the one written in SDP. */
  media: { workers: number; address: string; advertisedAddress: string; timeoutMs: number };
  /** The first tenant's key, adopted instead of a generated one. */
  apiKey: string | undefined;
  logLevel: LogLevel;
  rateLimit: { perMinute: number };
  /** Milliseconds a graceful shutdown may take before connections are cut. */
  shutdownGraceMs: number;
  /** Let server-side fetches of user-given URLs reach private and loopback addresses. */
  fetchAllowPrivate: boolean;
  /** Delay before the first webhook retry; each next one is 3 times longer (docs/webhooks.md). */
  webhooks: { retryBaseMs: number };
  /**
   * How long the B2BUA lets a callee ring before it CANCELs (the call ends no_answer), and how
   * long after the call ends an IVR callback is placed (docs/ivr.md).
   */
  calls: { ringTimeoutMs: number; callbackDelayMs: number };
  /** First wait before a failed trunk REGISTER is retried; it doubles up to 10 min (docs/trunks.md). */
  trunks: { registerRetryMs: number };
  /** Voicemail notification e-mail (SWITCHBOARD_SMTP_URL, SWITCHBOARD_SMTP_FROM); unset: no e-mail. */
  smtp: SmtpSettings | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The defaults of the documented environment variables (README, docs/configuration.md). */
export const DEFAULTS = {
  SWITCHBOARD_DATA_DIR: './data',
  SWITCHBOARD_HTTP_HOST: '0.0.0.0',
  SWITCHBOARD_HTTP_PORT: '8080',
  SWITCHBOARD_SIP_HOST: '0.0.0.0',
  SWITCHBOARD_SIP_PORT: '5060',
  SWITCHBOARD_SIP_TLS_PORT: '5061',
  SWITCHBOARD_SIP_WS_PORT: '5066',
  SWITCHBOARD_SIP_WSS_PORT: '5067',
  SWITCHBOARD_SIP_DIGEST_ALGORITHMS: 'MD5',
  SWITCHBOARD_RTP_PORT_MIN: '20000',
  SWITCHBOARD_RTP_PORT_MAX: '29999',
  SWITCHBOARD_LOG_LEVEL: 'info',
  SWITCHBOARD_RATE_LIMIT_PER_MINUTE: '1200',
  SWITCHBOARD_SHUTDOWN_GRACE_MS: '10000',
  SWITCHBOARD_FETCH_ALLOW_PRIVATE: 'false',
  SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '5000',
  SWITCHBOARD_RING_TIMEOUT_MS: '60000',
  SWITCHBOARD_CALLBACK_DELAY_MS: '5000',
  SWITCHBOARD_TRUNK_REGISTER_RETRY_MS: '30000',
  SWITCHBOARD_MEDIA_WORKERS: String(Math.max(1, availableParallelism())),
  SWITCHBOARD_MEDIA_ADDRESS: '0.0.0.0',
  SWITCHBOARD_MEDIA_TIMEOUT_MS: '30000',
} as const;

/** First non-internal IPv4 address of this host, else loopback. */
export function detectPublicIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const get = (name: keyof typeof DEFAULTS): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? DEFAULTS[name] : v.trim();
  };

  const port = (name: keyof typeof DEFAULTS, allowZero: boolean): number => {
    const raw = get(name);
    const n = Number(raw);
    const min = allowZero ? 0 : 1;
    if (!/^\d+$/.test(raw) || n < min || n > 65535) {
      problems.push(`${name}=${JSON.stringify(raw)} is not a port number (${min}-65535)`);
      return 0;
    }
    return n;
  };

  const positiveInt = (name: keyof typeof DEFAULTS): number => {
    const raw = get(name);
    if (!/^\d+$/.test(raw) || Number(raw) < 1) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a positive integer`);
      return 1;
    }
    return Number(raw);
  };

  // For delays where 0 means "at once".
  const nonNegativeInt = (name: keyof typeof DEFAULTS): number => {
    const raw = get(name);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number of milliseconds (0 or more)`);
      return 0;
    }
    return Number(raw);
  };

  const host = (name: keyof typeof DEFAULTS): string => {
    const raw = get(name);
    if (isIP(raw) === 0 && !/^[A-Za-z0-9.-]+$/.test(raw)) {
      problems.push(`${name}=${JSON.stringify(raw)} is not an IP address or host name`);
    }
    return raw;
  };

  const dataDir = path.resolve(cwd, get('SWITCHBOARD_DATA_DIR'));
  const httpHost = host('SWITCHBOARD_HTTP_HOST');
  // Port 0 (an ephemeral port) is allowed for HTTP and SIP so tests can run many servers.
  const httpPort = port('SWITCHBOARD_HTTP_PORT', true);
  const sipHost = host('SWITCHBOARD_SIP_HOST');
  const sipPort = port('SWITCHBOARD_SIP_PORT', true);
  const tlsPort = port('SWITCHBOARD_SIP_TLS_PORT', true);
  const wsPort = port('SWITCHBOARD_SIP_WS_PORT', true);
  const wssPort = port('SWITCHBOARD_SIP_WSS_PORT', true);
  const algos = get('SWITCHBOARD_SIP_DIGEST_ALGORITHMS')
    .split(',')
    .map((a) => a.trim().toUpperCase());
  if (algos.some((a) => a !== 'MD5' && a !== 'SHA-256') || new Set(algos).size !== algos.length) {
    problems.push(`SWITCHBOARD_SIP_DIGEST_ALGORITHMS=${JSON.stringify(algos.join(','))} must list MD5 and/or SHA-256, each once`);
  }
  const tlsCertPath = env.SWITCHBOARD_SIP_TLS_CERT?.trim() || undefined;
  const tlsKeyPath = env.SWITCHBOARD_SIP_TLS_KEY?.trim() || undefined;
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    problems.push('SWITCHBOARD_SIP_TLS_CERT and SWITCHBOARD_SIP_TLS_KEY must be set together');
  }
  for (const [name, file] of [['SWITCHBOARD_SIP_TLS_CERT', tlsCertPath], ['SWITCHBOARD_SIP_TLS_KEY', tlsKeyPath]] as const) {
    if (file !== undefined && !existsSync(path.resolve(cwd, file))) problems.push(`${name}=${JSON.stringify(file)}: no such file`);
  }
  const rtpMin = port('SWITCHBOARD_RTP_PORT_MIN', false);
  const rtpMax = port('SWITCHBOARD_RTP_PORT_MAX', false);
  if (rtpMin && rtpMax) {
    if (rtpMin >= rtpMax) {
      problems.push(`SWITCHBOARD_RTP_PORT_MIN (${rtpMin}) must be below SWITCHBOARD_RTP_PORT_MAX (${rtpMax})`);
    } else if (rtpMin % 2 !== 0) {
      // RTP takes the even port, RTCP the odd one above it (RFC 3550 §11).
      problems.push(`SWITCHBOARD_RTP_PORT_MIN (${rtpMin}) must be even`);
    }
  }

  let publicIp = env.SWITCHBOARD_PUBLIC_IP?.trim() ?? '';
  if (publicIp === '') publicIp = detectPublicIp();
  else if (isIP(publicIp) === 0) {
    problems.push(`SWITCHBOARD_PUBLIC_IP=${JSON.stringify(publicIp)} is not an IPv4 or IPv6 address`);
  }

  const mediaWorkers = positiveInt('SWITCHBOARD_MEDIA_WORKERS');
  if (mediaWorkers > 64) problems.push(`SWITCHBOARD_MEDIA_WORKERS=${mediaWorkers} is more than 64`);
  const mediaTimeoutMs = positiveInt('SWITCHBOARD_MEDIA_TIMEOUT_MS');
  const mediaAddress = get('SWITCHBOARD_MEDIA_ADDRESS');
  if (isIP(mediaAddress) === 0) problems.push(`SWITCHBOARD_MEDIA_ADDRESS=${JSON.stringify(mediaAddress)} is not an IP address`);
  // SDP must name an address peers can send to: the bound one, or the public one when
  // RTP binds every interface.
  const wildcard = mediaAddress === '0.0.0.0' || mediaAddress === '::';
  const advertisedAddress = wildcard ? publicIp : mediaAddress;

  const apiKey = env.SWITCHBOARD_API_KEY?.trim() || undefined;
  if (apiKey !== undefined && !/^[A-Za-z0-9_\-.~]{24,200}$/.test(apiKey)) {
    problems.push(
      'SWITCHBOARD_API_KEY must be 24-200 characters of letters, digits, "_", "-", "." or "~" (use a random value)',
    );
  }

  const logLevelRaw = get('SWITCHBOARD_LOG_LEVEL').toLowerCase();
  if (!LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    problems.push(`SWITCHBOARD_LOG_LEVEL=${JSON.stringify(logLevelRaw)} must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const perMinute = positiveInt('SWITCHBOARD_RATE_LIMIT_PER_MINUTE');
  const shutdownGraceMs = positiveInt('SWITCHBOARD_SHUTDOWN_GRACE_MS');
  const webhookRetryBaseMs = positiveInt('SWITCHBOARD_WEBHOOK_RETRY_BASE_MS');
  const ringTimeoutMs = positiveInt('SWITCHBOARD_RING_TIMEOUT_MS');
  const callbackDelayMs = nonNegativeInt('SWITCHBOARD_CALLBACK_DELAY_MS');
  const trunkRegisterRetryMs = positiveInt('SWITCHBOARD_TRUNK_REGISTER_RETRY_MS');
  const fetchPrivateRaw = get('SWITCHBOARD_FETCH_ALLOW_PRIVATE').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(fetchPrivateRaw)) {
    problems.push(`SWITCHBOARD_FETCH_ALLOW_PRIVATE=${JSON.stringify(fetchPrivateRaw)} must be true or false`);
  }

  const smtpUrl = env.SWITCHBOARD_SMTP_URL?.trim() || undefined;
  const smtp = smtpUrl === undefined ? undefined : parseSmtpSettings(smtpUrl, env.SWITCHBOARD_SMTP_FROM?.trim() || undefined);
  if (typeof smtp === 'string') problems.push(smtp);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    dataDir,
    http: { host: httpHost, port: httpPort },
    sip: {
      host: sipHost,
      port: sipPort,
      tlsPort,
      wsPort,
      wssPort,
      tlsCertPath: tlsCertPath && path.resolve(cwd, tlsCertPath),
      tlsKeyPath: tlsKeyPath && path.resolve(cwd, tlsKeyPath),
      digestAlgorithms: algos as ('MD5' | 'SHA-256')[],
    },
    publicIp,
    rtp: { portMin: rtpMin, portMax: rtpMax },
    media: { workers: mediaWorkers, address: mediaAddress, advertisedAddress, timeoutMs: mediaTimeoutMs },
    apiKey,
    logLevel: logLevelRaw as LogLevel,
    rateLimit: { perMinute },
    shutdownGraceMs,
    fetchAllowPrivate: fetchPrivateRaw === 'true' || fetchPrivateRaw === '1',
    webhooks: { retryBaseMs: webhookRetryBaseMs },
    calls: { ringTimeoutMs, callbackDelayMs },
    trunks: { registerRetryMs: trunkRegisterRetryMs },
    smtp: typeof smtp === 'string' ? undefined : smtp,
  };
}
