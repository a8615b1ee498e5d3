// Configuration errors stop the process at boot, each one naming its variable.
import { describe, expect, it } from 'vitest';
import { runMain, tempDataDir } from './helpers/server.js';

describe('configuration at boot', () => {
  it('exits 78 and names every bad variable', async () => {
    const r = await runMain({
      SWITCHBOARD_DATA_DIR: tempDataDir(),
      SWITCHBOARD_HTTP_PORT: '99999',
      SWITCHBOARD_SIP_PORT: 'five',
      SWITCHBOARD_RTP_PORT_MIN: '30000',
      SWITCHBOARD_RTP_PORT_MAX: '20000',
      SWITCHBOARD_PUBLIC_IP: 'not-an-ip',
      SWITCHBOARD_LOG_LEVEL: 'loud',
      SWITCHBOARD_API_KEY: 'short',
    });
    expect(r.code).toBe(78);
    for (const name of [
      'SWITCHBOARD_HTTP_PORT',
      'SWITCHBOARD_SIP_PORT',
      'SWITCHBOARD_RTP_PORT_MIN',
      'SWITCHBOARD_PUBLIC_IP',
      'SWITCHBOARD_LOG_LEVEL',
      'SWITCHBOARD_API_KEY',
    ]) {
      expect(r.stderr).toContain(name);
    }
    expect(r.stderr.trim().split('\n').filter((l) => l.trim().startsWith('- '))).toHaveLength(6);
    expect(r.stdout).not.toContain('switchboard started');
  });

  it('exits non-zero with a clear message when the HTTP port is taken', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runMain({
        SWITCHBOARD_DATA_DIR: tempDataDir(),
        SWITCHBOARD_HTTP_HOST: '127.0.0.1',
        SWITCHBOARD_HTTP_PORT: String(port),
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });
});
