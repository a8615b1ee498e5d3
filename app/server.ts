// Composition root: opens the store, makes sure a tenant exists, builds the HTTP
// control plane and starts listening. stop() drains: readiness turns false, open
// HTTP requests finish, then connections are closed and the store is shut.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { openStore, type Store } from '../store/index.js';
import { createHttpApp } from '../control-api/app.js';
import { TokenBucketLimiter } from '../control-api/rate-limiter.js';
import { voiceRoutes } from '../control-api/routes/voice/index.js';
import { numberRoutes } from '../control-api/routes/numbers.js';
import { webhookRoutes } from '../control-api/routes/webhooks.js';
import { createWebhooks } from '../voice/webhooks/index.js';
import { resumeProcessingClones } from '../voice/config/clone-samples.js';
import type { Config } from './config.js';
import { startSip, registerSipMetrics } from './sip.js';
import type { ListenAddress } from '../sip/transport/types.js';
import { ensureFirstTenant, type FirstStart } from './bootstrap.js';
import { startMedia } from './media.js';
import { B2bua } from '../voice/b2bua/b2bua.js';
import { startIvr } from '../voice/ivr/index.js';
import { CallRecords } from '../voice/calls/call-records.js';
import { CallRecordings } from '../voice/calls/call-recordings.js';
import { CallLimits } from '../voice/calls/call-limits.js';
import { CallLimitSettings } from '../voice/calls/call-limit-settings.js';
import { callWebhookHook } from '../voice/calls/call-webhooks.js';
import { registerCallMetrics } from './call-metrics.js';
import { TrunkRegistrations } from '../voice/trunks/trunk-registrations.js';
import { startVoicemail } from './voicemail.js';

export interface Switchboard {
  http: { host: string; port: number };
  /** Where SIP listens, per transport. */
  sip: ListenAddress[];
  firstStart: FirstStart | undefined;
  store: Store;
  stop(): Promise<void>;
}

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export async function startSwitchboard(config: Config, logger: Logger): Promise<Switchboard> {
  const store = await openStore(config.dataDir);
  const firstStart = await ensureFirstTenant(store, config.apiKey);

  const media = await startMedia(config, logger);
  const sip = await startSip(config, store, logger);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerSipMetrics(registry, sip);
  let draining = false;

  const voiceCtx = { store, logger: logger.child({ layer: 'voice' }), fetchAllowPrivate: config.fetchAllowPrivate };
  // Clone samples whose processing a stop or crash cut short are fetched again.
  const clones = await resumeProcessingClones(voiceCtx);
  if (clones.resumed > 0) logger.info({ resumed: clones.resumed }, 'voice clone samples resumed');
  // Call status events: queued in the outbox by the call domain, delivered by this loop.
  const webhooks = createWebhooks({
    store,
    logger: voiceCtx.logger,
    allowPrivate: config.fetchAllowPrivate,
    retry: { baseMs: config.webhooks.retryBaseMs },
  });
  await webhooks.dispatcher.start();
  // Voicemail messages and speech to text: unfinished deposits and transcriptions resume.
  const voicemail = await startVoicemail(config, voiceCtx.logger, store, webhooks.publisher);

  // Calls: records (and their webhooks, in the same transaction), limits, the B2BUA.
  const records = new CallRecords(store);
  records.onTransition(callWebhookHook(webhooks.publisher));
  const leftovers = await records.closeLeftovers();
  if (leftovers > 0) logger.warn({ calls: leftovers }, 'calls left open by an unclean stop were closed');
  // After the leftovers: /metrics counts the calls of this process.
  registerCallMetrics(registry, { store, records, ua: sip.ua, engine: media.engine });
  const b2bua = new B2bua({
    ua: sip.ua,
    engine: media.engine,
    store,
    bindings: sip.bindings,
    records,
    recordings: new CallRecordings(store),
    limits: new CallLimits({ settings: new CallLimitSettings(store) }),
    log: logger.child({ layer: 'b2bua' }),
    ringTimeoutMs: config.calls.ringTimeoutMs,
    fetchAllowPrivate: config.fetchAllowPrivate,
  });
  // Trunks with `register: true` REGISTER to their carriers (docs/trunks.md).
  const trunkRegistrations = new TrunkRegistrations({
    store,
    ua: sip.ua,
    log: logger.child({ layer: 'trunks' }),
    registration: { retryBaseMs: config.trunks.registerRetryMs },
  });
  trunkRegistrations.start();
  // Numbers routed to IVR flows and voicemail boxes; callbacks IVR callers asked for.
  const ivr = startIvr({
    b2bua,
    engine: media.engine,
    store,
    recordingsDir: media.recordingsDir,
    voicemail: voicemail.service,
    log: logger.child({ layer: 'ivr' }),
    callbackDelayMs: config.calls.callbackDelayMs,
  });
  const app = createHttpApp({
    store,
    logger: logger.child({ layer: 'http' }),
    registry,
    limiter: new TokenBucketLimiter(),
    tenantRatePerMinute: config.rateLimit.perMinute,
    voiceRoutes: voiceRoutes(voicemail.routeContext({ ...voiceCtx, calls: b2bua })),
    tenantLevelRoutes: [...numberRoutes(voiceCtx), ...webhookRoutes(webhooks)],
    readiness: async () => {
      const checks: Record<string, string> = {};
      try {
        await store.ping();
        checks.store = 'ok';
      } catch (err) {
        checks.store = err instanceof Error ? err.message : 'unreachable';
      }
      checks.draining = draining ? 'yes' : 'no';
      return { ready: !draining && checks.store === 'ok', checks };
    },
  });

  const server = http.createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;

  const purge = setInterval(() => {
    store.idempotency
      .purgeOlderThan(new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString())
      .catch((err: unknown) => logger.warn({ err }, 'idempotency purge failed'));
  }, 3600_000);
  purge.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      draining = true;
      // New calls are refused (503 + Retry-After); those in progress may finish, and the
      // API stays up meanwhile so they can still be hung up or transferred.
      b2bua.drain();
      await b2bua.idle(config.shutdownGraceMs);
      clearInterval(purge);
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      await b2bua.hangupAll();
      ivr.stop();
      await voicemail.stop();
      // Carriers' bindings are removed while SIP still runs (un-REGISTER, at most 3 s).
      await trunkRegistrations.stop();
      await sip.stop();
      await media.stop();
      clones.processor.stop();
      await webhooks.dispatcher.stop();
      await store.close();
    })());

  return { http: { host: config.http.host, port: addr.port }, sip: sip.addresses, firstStart, store, stop };
}
