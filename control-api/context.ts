// Per-request state kept on res.locals: the request id, the matched route pattern
// (for metrics and logs) and, once authenticated, the caller's tenant and key.
import type { Response } from 'express';
import type { ApiKey, Tenant } from '../store/index.js';

export interface AuthContext {
  tenant: Tenant;
  apiKey: ApiKey;
}

export interface RequestState {
  requestId: string;
  /** Route pattern such as "/api/v1/api-keys/{id}", or undefined when unmatched. */
  route?: string;
  auth?: AuthContext;
}

export function state(res: Response): RequestState {
  return res.locals as RequestState;
}

export function authOf(res: Response): AuthContext {
  const a = state(res).auth;
  if (!a) throw new Error('route reached without authentication');
  return a;
}
