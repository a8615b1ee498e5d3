// Pieces shared by the Voice API's resource routes.
import { z } from 'zod';
import type { B2buaCallControl } from '../../../voice/b2bua/b2bua.js';
import type { Logger } from 'pino';
import type { Reference, Store } from '../../../store/index.js';
import { ApiError, validationFailed, type ErrorDetail } from '../../errors.js';

/** What every voice route module is built from. */
export interface VoiceRouteContext {
  store: Store;
  logger: Logger;
  /** Allow server-side fetches (clone samples, hold music) to private and loopback addresses. */
  fetchAllowPrivate: boolean;
  /** The B2BUA, for POST /calls and the per-call operations; absent, those routes are not mounted. */
  calls?: B2buaCallControl;
}

/** E.164: "+" and 7-15 digits, the first not 0 (spec §1). */
export const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number: + and 7-15 digits');

/** Path parameter `{id}` of a resource with the given id prefix. */
export function idParams(prefix: string) {
  return z.object({
    id: z
      .string()
      .max(64)
      .regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must be a ${prefix}_ id`),
  });
}

/** `name` of a resource: trimmed, 1-200 characters. */
export const resourceName = (max = 200) => z.string().trim().min(1).max(max);

/** An http(s) URL. */
export const httpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http or https URL');

/** 409 for deleting something still referenced, saying what refers to it. */
export function inUse(what: string, id: string, refs: Reference[]): ApiError {
  const list = refs.map((r) => (r.kind === 'number' ? `number ${r.label} (${r.field})` : `${r.kind} "${r.label}" (${r.id})`));
  return new ApiError(
    409,
    'RESOURCE_IN_USE',
    `${what} ${id} is still referenced by ${list.join(', ')}`,
    refs.map((r) => ({
      code: 'referenced_by',
      message: `referenced by ${r.kind} ${r.label} through ${r.field}`,
      referrer_kind: r.kind,
      referrer_id: r.id,
      field: r.field,
    })),
  );
}

/** 422 for one field that fails a check needing the database (existence, uniqueness). */
export function fieldError(field: string, code: string, message: string): ApiError {
  return validationFailed([{ field, location: 'body', code, message }]);
}

export function fieldErrors(details: ErrorDetail[]): ApiError {
  return validationFailed(details);
}
