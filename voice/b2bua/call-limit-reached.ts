// POST /calls beyond the tenant's max_concurrent_calls or max_calls_per_second. The API
// answers 429 RATE_LIMITED with Retry-After (docs/voice-api/calls.md "Call limits"), the way
// an INVITE gets 503 with Retry-After; a plain ConflictError would be a 409 with no hint of
// when to come back.
import { ConflictError } from '../config/errors.js';

export class CallLimitReached extends ConflictError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super('CALL_LIMIT_REACHED', `the tenant's ${limit} is reached; retry in ${retryAfterSeconds} s`);
    this.name = 'CallLimitReached';
  }
}
