// One declaration per endpoint: its zod schemas validate the request, type the
// handler and generate /openapi.json, so the three can never disagree.
import { createHash } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Page, Scope } from '../store/index.js';
import { InvalidCursorError } from '../store/index.js';
import type { IdempotencyRepository } from '../store/idempotency-repository.js';
import { ApiError, validationFailed, type ErrorDetail } from './errors.js';
import { ConfigError, ConflictError } from '../voice/config/errors.js';
import { errorBody, meta, successBody } from './envelope.js';
import { authOf, state, type AuthContext } from './context.js';
import type { RateLimiter } from './rate-limiter.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthContext;
  req: Request;
}

/** What a handler returns: the `data` of the envelope, or a page for list routes. */
export type HandlerResult = unknown;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: HttpMethod;
  /** Path relative to the router's base, OpenAPI style: "/api-keys/{id}". */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Scope the caller's key must hold. */
  scope: Scope;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of `data` in the success envelope (of one item, for list routes). */
  response: z.ZodType;
  /** List route: the handler returns a Page and the envelope carries the cursor. */
  list?: boolean;
  /** Success status; 200 unless said. */
  status?: number;
  /** An extra limit on this endpoint, besides the tenant's overall one. */
  rateLimit?: { bucket: string; perMinute: number };
  handler(input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<HandlerResult>;
}

// The registry keeps specs with their schema generics erased.
export type AnyRouteSpec = RouteSpec<AnyObject, AnyObject, z.ZodType>;

export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): AnyRouteSpec {
  return spec as unknown as AnyRouteSpec;
}

export interface RouteRuntime {
  idempotency: IdempotencyRepository;
  limiter: RateLimiter;
  now: () => Date;
}

/** Express path syntax for an OpenAPI path: "/a/{id}" becomes "/a/:id". */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Formats a zod issue path the way users write it: members[0].value */
export function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function zodDetails(error: z.ZodError, location: ErrorDetail['location']): ErrorDetail[] {
  return error.issues.map((i) => ({
    field: fieldPath(i.path) || undefined,
    location,
    code: i.code,
    message: i.message,
  }));
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function mountRoute(router: Router, basePath: string, spec: AnyRouteSpec, rt: RouteRuntime): void {
  const fullPath = basePath + spec.path;
  router[spec.method](expressPath(spec.path), async (req: Request, res: Response) => {
    const st = state(res);
    st.route = fullPath;
    const auth = authOf(res);

    if (!auth.apiKey.scopes.includes(spec.scope)) {
      throw new ApiError(403, 'FORBIDDEN', `This API key lacks the ${spec.scope} scope`);
    }
    if (spec.rateLimit) {
      const d = rt.limiter.take(`${auth.tenant.id}:${spec.rateLimit.bucket}`, spec.rateLimit.perMinute);
      if (!d.allowed) throw rateLimited(d.retryAfterSeconds);
    }

    // Idempotency-Key: the first outcome (anything but a server error) is stored and replayed.
    const idemKey = spec.method === 'post' ? req.get('Idempotency-Key') : undefined;
    if (idemKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idemKey)) {
        throw validationFailed([
          { field: 'Idempotency-Key', location: 'header', code: 'invalid', message: '1-255 printable ASCII characters' },
        ]);
      }
      const hash = createHash('sha256')
        .update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body ?? null)}`)
        .digest('hex');
      const claim = await rt.idempotency.claim(auth.tenant.id, idemKey, hash);
      if (claim.kind === 'replay') {
        res.status(claim.statusCode).set('Idempotent-Replayed', 'true').type('application/json').send(claim.body);
        return;
      }
      if (claim.kind === 'mismatch') {
        throw new ApiError(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request body or path',
          [{ field: 'Idempotency-Key', location: 'header', code: 'reused', message: 'key already used for another request' }],
        );
      }
      if (claim.kind === 'in_flight') {
        throw new ApiError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed');
      }
    }

    let status: number;
    let payload: unknown;
    try {
      [status, payload] = await run(spec, req, auth, st.requestId, rt.now);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) {
        if (idemKey !== undefined) await rt.idempotency.release(auth.tenant.id, idemKey);
        throw err;
      }
      status = err.status;
      payload = errorBody(err.code, err.message, err.details, meta(st.requestId, rt.now()));
      res.set(err.headers);
    }
    const text = JSON.stringify(payload);
    if (idemKey !== undefined) await rt.idempotency.complete(auth.tenant.id, idemKey, status, text);
    res.status(status).type('application/json').send(text);
  });
}

async function run(
  spec: AnyRouteSpec,
  req: Request,
  auth: AuthContext,
  requestId: string,
  now: () => Date,
): Promise<[number, unknown]> {
  const details: ErrorDetail[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, location: ErrorDetail['location']): unknown => {
    if (!schema) return undefined;
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    details.push(...zodDetails(r.error, location));
    return undefined;
  };
  const params = parse(spec.params, req.params, 'path');
  const query = parse(spec.query, req.query, 'query');
  const body = parse(spec.body, req.body ?? {}, 'body');
  if (details.length > 0) throw validationFailed(details);

  let result: unknown;
  try {
    result = await spec.handler({ params, query, body, auth, req } as HandlerInput<never, never, never>);
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw validationFailed([{ field: 'cursor', location: 'query', code: 'invalid_cursor', message: err.message }]);
    }
    if (err instanceof ConfigError) {
      throw validationFailed(err.problems.map((p) => ({ ...p, location: 'body' as const })));
    }
    if (err instanceof ConflictError) {
      throw new ApiError(409, err.code, err.message, err.field ? [{ field: err.field, code: err.code, message: err.message }] : []);
    }
    throw err;
  }
  if (spec.list) {
    // A list may add to its meta (voicemails: the seed's pagination object with a total).
    const page = result as Page<unknown> & { meta?: Record<string, unknown> };
    const extra = { cursor: page.cursor, has_more: page.hasMore, ...page.meta };
    return [spec.status ?? 200, successBody(page.items, meta(requestId, now(), extra))];
  }
  return [spec.status ?? 200, successBody(result, meta(requestId, now()))];
}

export function rateLimited(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'RATE_LIMITED',
    `Too many requests; retry after ${retryAfterSeconds} s`,
    [],
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** Query parameters every list endpoint takes. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Results per page (max 100)'),
  cursor: z.string().min(1).max(512).optional().describe('Opaque cursor from the previous page\'s meta.cursor'),
});
