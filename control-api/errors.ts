// Typed errors of the control plane. Each carries the HTTP status and the
// UPPER_SNAKE code of the error envelope (docs/api-conventions.md).

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. "members[0].value". */
  field?: string;
  /** Where the field was: body, query or path. */
  location?: 'body' | 'query' | 'path' | 'header';
  code: string;
  message: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'Resource'): ApiError => new ApiError(404, 'NOT_FOUND', `${what} not found`);

export const validationFailed = (details: ErrorDetail[], message = 'Request validation failed'): ApiError =>
  new ApiError(422, 'VALIDATION_FAILED', message, details);

export const conflict = (code: string, message: string, details: ErrorDetail[] = []): ApiError =>
  new ApiError(409, code, message, details);
