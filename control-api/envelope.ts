// The success and error envelopes every endpoint answers with (spec §1).
import type { ErrorDetail } from './errors.js';

export interface Meta {
  request_id: string;
  timestamp: string;
  cursor?: string | null;
  has_more?: boolean;
  [extra: string]: unknown;
}

export function meta(requestId: string, now: Date, extra: Partial<Meta> = {}): Meta {
  return { request_id: requestId, timestamp: now.toISOString(), ...extra };
}

export function successBody(data: unknown, m: Meta): { data: unknown; meta: Meta } {
  return { data, meta: m };
}

export function errorBody(
  code: string,
  message: string,
  details: ErrorDetail[],
  m: Meta,
): { error: { code: string; message: string; details: ErrorDetail[] }; meta: Meta } {
  return { error: { code, message, details }, meta: m };
}
