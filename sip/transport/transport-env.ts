// What every transport is given rather than reaching for globals (STYLE.md: inject
// clock and timers): the timer clock, a monotonic "now", the connection limits, the
// admission guard shared by all connection-oriented transports, and a logger.
import { performance } from 'node:perf_hooks';
import { realClock, type Clock } from '../transaction/timers.js';
import { connectionLimits, type ConnectionLimits } from './connection-limits.js';
import { ConnectionGuard } from './connection-guard.js';

/** The subset of a pino logger the transports use. */
export interface TransportLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export const silentLog: TransportLog = { warn: () => undefined };

export interface TransportEnvOptions {
  clock?: Clock;
  /** Milliseconds on the same scale as `clock` (monotonic). */
  now?: () => number;
  limits?: Partial<ConnectionLimits>;
  /** Share one guard between transports so the caps hold across all of them. */
  guard?: ConnectionGuard;
  log?: TransportLog;
}

export interface TransportEnv {
  clock: Clock;
  now: () => number;
  limits: ConnectionLimits;
  guard: ConnectionGuard;
  log: TransportLog;
}

export function transportEnv(opts: TransportEnvOptions = {}): TransportEnv {
  const limits = connectionLimits(opts.limits);
  return {
    clock: opts.clock ?? realClock,
    now: opts.now ?? (() => performance.now()),
    limits,
    guard: opts.guard ?? new ConnectionGuard(limits),
    log: opts.log ?? silentLog,
  };
}
