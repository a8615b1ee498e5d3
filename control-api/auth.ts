// Authentication of /api requests by API key: `X-API-Key: <key>` or
// `Authorization: Bearer <key>`. Missing, unknown and revoked keys all get the
// same 401, so a caller learns nothing about which keys exist.
import type { NextFunction, Request, Response } from 'express';
import type { Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { state } from './context.js';

export function presentedKey(req: Request): string | undefined {
  const header = req.get('X-API-Key');
  if (header) return header.trim();
  const authz = req.get('Authorization');
  if (authz) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (m) return m[1];
  }
  return undefined;
}

export function authenticate(store: Store, now: () => Date) {
  // last_used_at is refreshed at most once a minute per key: a write per request
  // would cost more than the lookup itself.
  const touched = new Map<string, number>();
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const secret = presentedKey(req);
    if (!secret) throw unauthorized('Missing API key: send X-API-Key or Authorization: Bearer');
    const apiKey = secret.length <= 512 ? await store.apiKeys.authenticate(secret) : undefined;
    if (!apiKey) throw unauthorized('Invalid API key');
    const tenant = await store.tenants.get(apiKey.tenantId);
    if (!tenant) throw unauthorized('Invalid API key');
    state(res).auth = { tenant, apiKey };

    const t = now();
    const last = touched.get(apiKey.id) ?? 0;
    if (t.getTime() - last > 60_000) {
      touched.set(apiKey.id, t.getTime());
      await store.apiKeys.touch(apiKey.id, t.toISOString());
    }
    next();
  };
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, [], { 'WWW-Authenticate': 'Bearer realm="switchboard"' });
}
