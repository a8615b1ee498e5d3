import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ SWITCHBOARD_PUBLIC_IP: '203.0.113.7' }, '/srv');
    expect(c).toMatchObject({
      dataDir: '/srv/data',
      http: { host: '0.0.0.0', port: 8080 },
      sip: { host: '0.0.0.0', port: 5060, tlsPort: 5061, wsPort: 5066, wssPort: 5067, tlsCertPath: undefined, tlsKeyPath: undefined, digestAlgorithms: ['MD5'] },
      publicIp: '203.0.113.7',
      rtp: { portMin: 20000, portMax: 29999 },
      apiKey: undefined,
      logLevel: 'info',
    });
  });

  it('detects a public IP when none is set', () => {
    expect(loadConfig({}).publicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('reports each bad value once, by name', () => {
    try {
      loadConfig({ SWITCHBOARD_HTTP_PORT: '-1', SWITCHBOARD_RTP_PORT_MIN: '20001', SWITCHBOARD_LOG_LEVEL: 'verbose' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^SWITCHBOARD_HTTP_PORT=/);
      expect(problems[1]).toMatch(/SWITCHBOARD_RTP_PORT_MIN \(20001\) must be even/);
      expect(problems[2]).toMatch(/^SWITCHBOARD_LOG_LEVEL=/);
    }
  });

  it('reads the callback delay and the trunk registration retry, 5 s and 30 s by default', () => {
    const defaults = loadConfig({});
    expect(defaults.calls.callbackDelayMs).toBe(5000);
    expect(defaults.trunks.registerRetryMs).toBe(30000);
    const set = loadConfig({ SWITCHBOARD_CALLBACK_DELAY_MS: '0', SWITCHBOARD_TRUNK_REGISTER_RETRY_MS: '1500' });
    expect(set.calls.callbackDelayMs).toBe(0);
    expect(set.trunks.registerRetryMs).toBe(1500);
    try {
      loadConfig({ SWITCHBOARD_CALLBACK_DELAY_MS: '-5', SWITCHBOARD_TRUNK_REGISTER_RETRY_MS: '0' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^SWITCHBOARD_CALLBACK_DELAY_MS="-5"/);
      expect(problems[1]).toMatch(/^SWITCHBOARD_TRUNK_REGISTER_RETRY_MS="0" must be a positive integer/);
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ SWITCHBOARD_HTTP_PORT: '', SWITCHBOARD_API_KEY: ' ' }).http.port).toBe(8080);
  });
});
