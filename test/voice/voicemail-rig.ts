// The voicemail part of a server, in the test process: the real store, webhooks,
// voicemail service, transcriber and HTTP app (as app/server.ts composes them), listening
// on 127.0.0.1, without the SIP and media planes. A deposit is what the IVR's voicemail
// node does at the end of a call; here the test makes it directly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { openStore, type Store } from '../../store/index.js';
import { ensureFirstTenant } from '../../app/bootstrap.js';
import { startVoicemail, type VoicemailPart } from '../../app/voicemail.js';
import { createHttpApp } from '../../control-api/app.js';
import { TokenBucketLimiter } from '../../control-api/rate-limiter.js';
import { voiceRoutes } from '../../control-api/routes/voice/index.js';
import { createWebhooks } from '../../voice/webhooks/index.js';
import type { SmtpSettings } from '../../voice/voicemail/index.js';
import { client, type Client } from '../helpers/http.js';
import { tempDataDir } from '../helpers/server.js';

export const GOFORWARD_RAW = '/usr/share/pocketsphinx/test/data/goforward.raw';

export interface VoicemailRig {
  baseUrl: string;
  a: Client;
  b: Client;
  tenantA: string;
  tenantB: string;
  store: Store;
  voicemail: VoicemailPart;
  dataDir: string;
  stop(): Promise<void>;
}

export interface RigOptions {
  smtp?: SmtpSettings;
  dataDir?: string;
}

export async function startVoicemailRig(opts: RigOptions = {}): Promise<VoicemailRig> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const store = await openStore(dataDir);
  const keyA = `sk_test_${randomBytes(16).toString('hex')}`;
  await ensureFirstTenant(store, keyA);
  const tenantA = (await store.tenants.first())!.id;
  const tb = await store.tenants.create({ name: 'Tenant B' });
  const keyB = await store.apiKeys.create({ tenantId: tb.id, name: 'b' });
  const logger = pino({ level: 'silent' });
  const webhooks = createWebhooks({ store, logger, allowPrivate: true, retry: { baseMs: 100 } });
  await webhooks.dispatcher.start();
  const voicemail = await startVoicemail({ smtp: opts.smtp, fetchAllowPrivate: true }, logger, store, webhooks.publisher, {
    emailRetry: { baseMs: 50 },
  });
  const app = createHttpApp({
    store,
    logger,
    registry: new Registry(),
    limiter: new TokenBucketLimiter(),
    tenantRatePerMinute: 100_000,
    voiceRoutes: voiceRoutes(voicemail.routeContext({ store, logger, fetchAllowPrivate: true })),
    readiness: async () => ({ ready: true, checks: {} }),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    a: client(baseUrl, keyA),
    b: client(baseUrl, keyB.secret),
    tenantA,
    tenantB: tb.id,
    store,
    voicemail,
    dataDir,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await voicemail.stop();
      await webhooks.dispatcher.stop();
      await store.close();
    },
  };
}

/** A WAV of `seconds` of a 440 Hz tone (8 kHz mono, as a G.711 call records), made by sox. */
export function toneWav(dir: string, name: string, seconds: number): string {
  const file = path.join(dir, name);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', '440', 'vol', '0.3']);
  return file;
}

/**
 * Debian's pocketsphinx-testdata "go forward ten meters" (16 kHz raw PCM) as the WAV a
 * wideband (G.722) call would record.
 */
export function goForwardWav(dir: string, name = 'goforward.wav'): string {
  const file = path.join(dir, name);
  execFileSync('sox', ['-t', 'raw', '-r', '16000', '-e', 'signed-integer', '-b', '16', '-c', '1', GOFORWARD_RAW, file]);
  return file;
}

/** Polls `fn` every 100 ms until it returns a value, for at most `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
