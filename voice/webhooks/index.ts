// Webhooks of one server: the publisher the call domain queues events with, the
// dispatcher that delivers them, the secrets that sign them, and the outbox the API reads.
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import type { Resolver } from '../config/url-fetch.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { DISPATCH_DEFAULTS, WebhookDispatcher } from './dispatcher.js';
import type { WebhookOutbox } from './outbox.js';
import { WebhookPublisher } from './publisher.js';
import { WebhookSecrets } from './secrets.js';
import { httpSender } from './sender.js';

export interface WebhooksOptions {
  store: Store;
  logger: Logger;
  /** SWITCHBOARD_FETCH_ALLOW_PRIVATE */
  allowPrivate: boolean;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  resolve?: Resolver;
}

export interface Webhooks {
  publisher: WebhookPublisher;
  dispatcher: WebhookDispatcher;
  secrets: WebhookSecrets;
  outbox: WebhookOutbox;
  policy: RetryPolicy;
}

export function createWebhooks(opts: WebhooksOptions): Webhooks {
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const timeoutMs = opts.timeoutMs ?? DISPATCH_DEFAULTS.timeoutMs;
  const secrets = new WebhookSecrets(opts.store);
  const dispatcher = new WebhookDispatcher({
    store: opts.store,
    logger: opts.logger,
    secrets,
    retry: policy,
    timeoutMs,
    send: httpSender({ allowPrivate: opts.allowPrivate, timeoutMs, ...(opts.resolve ? { resolve: opts.resolve } : {}) }),
  });
  const publisher = new WebhookPublisher({
    store: opts.store,
    logger: opts.logger,
    maxAgeMs: policy.maxAgeMs,
    onQueued: () => dispatcher.wake(),
  });
  return { publisher, dispatcher, secrets, outbox: dispatcher.outbox, policy };
}

export { WebhookPublisher, type PublishInput } from './publisher.js';
export { WebhookDispatcher } from './dispatcher.js';
export { WebhookSecrets } from './secrets.js';
export { WebhookOutbox, DELIVERY_STATUSES, type DeliveryRow, type DeliveryStatus } from './outbox.js';
export { CALL_EVENT_TYPES, TEST_EVENT_TYPE } from './event.js';
export { signatureHeader, signPayload, verifySignature } from './signature.js';
