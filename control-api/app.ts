// The HTTP application: health and metrics, the docs, and the REST API under
// /api/v1 (tenant-level) and /api/v1/voice (the Voice API).
import { randomBytes } from 'node:crypto';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { errorBody, meta } from './envelope.js';
import { authenticate } from './auth.js';
import { state } from './context.js';
import { httpMetrics } from './http-metrics.js';
import { buildOpenApi, type MountedGroup } from './openapi.js';
import { docsRouter } from './docs.js';
import { mountRoute, rateLimited, type AnyRouteSpec } from './route.js';
import type { RateLimiter } from './rate-limiter.js';
import { tenantRoutes } from './routes/tenant.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { mountRecordingDownload } from './routes/voice/recordings.js';
import { mountVoicemailDownload } from './routes/voice/voicemails.js';

export interface HttpAppDeps {
  store: Store;
  logger: Logger;
  registry: Registry;
  limiter: RateLimiter;
  /** Requests per minute per tenant, across all endpoints. */
  tenantRatePerMinute: number;
  /** Says whether the node can take traffic (store reachable, not draining). */
  readiness: () => Promise<{ ready: boolean; checks: Record<string, string> }>;
  now?: () => Date;
  /** The Voice API's routes, mounted under /api/v1/voice. */
  voiceRoutes?: AnyRouteSpec[];
  /** Tenant-level routes besides the tenant and its keys (numbers), mounted under /api/v1. */
  tenantLevelRoutes?: AnyRouteSpec[];
}

export const TENANT_BASE = '/api/v1';
export const VOICE_BASE = '/api/v1/voice';

export function newRequestId(): string {
  return `req_${randomBytes(10).toString('hex')}`;
}

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const s = state(res);
    s.requestId = newRequestId();
    res.set('X-Request-Id', s.requestId);
    res.set('X-Content-Type-Options', 'nosniff');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      log.info(
        {
          request_id: s.requestId,
          method: req.method,
          route: s.route ?? 'unmatched',
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          tenant: s.auth?.tenant.id,
        },
        'http request',
      );
    });
    next();
  });
  app.use(httpMetrics(deps.registry));

  // Operational endpoints: no API key, no tenant data.
  app.get('/healthz', (_req, res) => {
    state(res).route = '/healthz';
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    state(res).route = '/readyz';
    const r = await deps.readiness();
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, res) => {
    state(res).route = '/metrics';
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  const groups: MountedGroup[] = [
    {
      basePath: TENANT_BASE,
      routes: [...tenantRoutes(deps.store), ...apiKeyRoutes(deps.store), ...(deps.tenantLevelRoutes ?? [])],
    },
    { basePath: VOICE_BASE, routes: deps.voiceRoutes ?? [] },
  ];
  const openapi = buildOpenApi(groups, { title: 'Switchboard API', version: '1.0' });
  app.get('/openapi.json', (_req, res) => {
    state(res).route = '/openapi.json';
    res.json(openapi);
  });
  app.use('/docs', docsRouter());

  const api = express.Router();
  api.use((req, _res, next) => {
    // A body we cannot read as JSON is refused before anything else happens.
    const hasBody = Number(req.get('Content-Length') ?? 0) > 0 || req.get('Transfer-Encoding') !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json');
    }
    next();
  });
  api.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  api.use(authenticate(deps.store, now));
  api.use((_req, res, next) => {
    const d = deps.limiter.take(state(res).auth!.tenant.id, deps.tenantRatePerMinute);
    res.set('X-RateLimit-Limit', String(d.limit));
    res.set('X-RateLimit-Remaining', String(d.remaining));
    if (!d.allowed) throw rateLimited(d.retryAfterSeconds);
    next();
  });
  const rt = { idempotency: deps.store.idempotency, limiter: deps.limiter, now };
  // Longer base paths first, so /api/v1/voice/... is not taken by the /api/v1 router.
  for (const g of [...groups].sort((a, b) => b.basePath.length - a.basePath.length)) {
    const router = express.Router();
    for (const r of g.routes) mountRoute(router, g.basePath, r, rt);
    api.use(g.basePath.slice('/api'.length), router);
  }
  // Signed recording downloads carry their authorisation in the URL (24 h HMAC), so they
  // sit in front of the API-key check.
  mountRecordingDownload(app, deps.store);
  mountVoicemailDownload(app, deps.store);
  app.use('/api', api);

  app.use((req: Request) => {
    throw new ApiError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`);
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const s = state(res);
    const requestId = s.requestId ?? newRequestId();
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (isBodyParserError(err)) e = fromBodyParser(err);
    else {
      log.error({ err, request_id: requestId, method: req.method, route: s.route }, 'unhandled error');
      e = new ApiError(500, 'INTERNAL_ERROR', 'Internal server error');
    }
    if (res.headersSent) return;
    res.set(e.headers);
    res.status(e.status).json(errorBody(e.code, e.message, e.details, meta(requestId, now())));
  };
  app.use(onError);
  return app;
}

interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as BodyParserError).type === 'string' && 'status' in err;
}

function fromBodyParser(err: BodyParserError): ApiError {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'INVALID_JSON', 'Request body is not valid JSON');
    case 'entity.too.large':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Request body exceeds 1 MB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', err.message);
    default:
      return new ApiError(err.status >= 400 && err.status < 500 ? err.status : 400, 'BAD_REQUEST', 'Unreadable request body');
  }
}
