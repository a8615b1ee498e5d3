// The TLS certificate: generated once into the data directory with a private key
// nobody else can read, reused on the next start, or read from configured paths.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureCertificate, GENERATED_DIR } from './certificate.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sip-cert-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ensureCertificate', () => {
  it('generates a self-signed certificate with a 0600 key on first start', async () => {
    const dataDir = join(tempDir(), 'data');
    const c = await ensureCertificate(dataDir);
    expect(c.generated).toBe(true);
    expect(c.keyPath).toBe(join(dataDir, GENERATED_DIR, 'key.pem'));
    expect(statSync(c.keyPath).mode & 0o777).toBe(0o600);
    const x509 = new X509Certificate(c.cert);
    expect(x509.subject).toBe('CN=switchboard');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkPrivateKey(createPrivateKey(c.key))).toBe(true);
    // Valid for about ten years.
    const years = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / (365 * 24 * 3600 * 1000);
    expect(Math.round(years)).toBe(10);
  });

  it('reuses the generated certificate on later starts', async () => {
    const dataDir = tempDir();
    const first = await ensureCertificate(dataDir);
    const second = await ensureCertificate(dataDir);
    expect(second.generated).toBe(false);
    expect(second.cert.equals(first.cert)).toBe(true);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('two processes starting together end up with one matching pair', async () => {
    const dataDir = tempDir();
    const [a, b] = await Promise.all([ensureCertificate(dataDir), ensureCertificate(dataDir)]);
    expect(a.cert.equals(b.cert)).toBe(true);
    expect(new X509Certificate(a.cert).checkPrivateKey(createPrivateKey(a.key))).toBe(true);
    expect([a.generated, b.generated].filter(Boolean)).toHaveLength(1);
  });

  it('reads configured PEM files instead of generating', async () => {
    const generated = await ensureCertificate(tempDir());
    const dir = tempDir();
    const certPath = join(dir, 'c.pem');
    const keyPath = join(dir, 'k.pem');
    writeFileSync(certPath, generated.cert);
    writeFileSync(keyPath, generated.key);
    const dataDir = tempDir();
    const c = await ensureCertificate(dataDir, { certPath, keyPath });
    expect(c).toMatchObject({ generated: false, certPath, keyPath });
    expect(c.cert.equals(generated.cert)).toBe(true);
    expect(() => statSync(join(dataDir, GENERATED_DIR))).toThrow();
  });

  it('refuses half a configuration and a missing file', async () => {
    await expect(ensureCertificate(tempDir(), { certPath: '/nonexistent.pem' })).rejects.toThrow(/both/);
    await expect(ensureCertificate(tempDir(), { certPath: '/nonexistent.pem', keyPath: '/nonexistent.key' })).rejects.toThrow(/ENOENT/);
  });

  it('explains a missing openssl', async () => {
    await expect(ensureCertificate(tempDir(), { openssl: '/nonexistent/openssl' })).rejects.toThrow(/openssl command is not installed/);
  });
});
