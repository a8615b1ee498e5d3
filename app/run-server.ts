// `npm start` / `switchboard start`: load config, start, print the first key, and
// stop gracefully on SIGTERM or SIGINT (a second signal exits at once).
import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { startSwitchboard } from './server.js';

export async function runServer(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let sb;
  try {
    sb = await startSwitchboard(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    process.exit(1);
  }

  if (sb.firstStart) {
    const lines = [
      '',
      `First start: created tenant "default" (${sb.firstStart.tenantId}).`,
      sb.firstStart.generatedKey
        ? `API key (shown only this once, store it now): ${sb.firstStart.generatedKey}`
        : 'API key: the one in SWITCHBOARD_API_KEY.',
      `Try: curl -H "X-API-Key: <key>" http://127.0.0.1:${sb.http.port}/api/v1/tenant`,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  logger.info({ http: sb.http, sip: sb.sip, data_dir: config.dataDir, public_ip: config.publicIp }, 'switchboard started');

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: draining');
    sb.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
