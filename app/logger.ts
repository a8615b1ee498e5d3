// JSON logs on stdout through pino. Layers take child loggers ({layer: "http"},
// later {callId, legId, tenant}); secrets are redacted wherever they appear.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['apiKey', 'secret', 'password', '*.password', 'req.headers["x-api-key"]', 'req.headers.authorization'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
