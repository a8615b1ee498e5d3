// The certificate TLS and WSS present: the configured PEM files when there are any,
// otherwise a self-signed one generated on first start into the data directory and
// reused on every later start (a new one each time would break clients that pinned it).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateOptions {
  certPath?: string;
  keyPath?: string;
  /** Subject common name of a generated certificate. */
  commonName?: string;
  /** The openssl binary (tests may point elsewhere). */
  openssl?: string;
}

export interface Certificate {
  cert: Buffer;
  key: Buffer;
  /** True when this call created the certificate. */
  generated: boolean;
  certPath: string;
  keyPath: string;
}

/** Where a generated certificate lives under the data directory. */
export const GENERATED_DIR = 'sip-tls';
const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';

export async function ensureCertificate(dataDir: string, opts: CertificateOptions = {}): Promise<Certificate> {
  if (opts.certPath !== undefined || opts.keyPath !== undefined) {
    if (opts.certPath === undefined || opts.keyPath === undefined) {
      throw new Error('TLS needs both a certificate and a key path, or neither (then one is generated)');
    }
    return { ...(await readPair(opts.certPath, opts.keyPath)), generated: false, certPath: opts.certPath, keyPath: opts.keyPath };
  }
  const dir = join(dataDir, GENERATED_DIR);
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  const existing = await readPair(certPath, keyPath).catch(() => undefined);
  if (existing) return { ...existing, generated: false, certPath, keyPath };

  await mkdir(dataDir, { recursive: true });
  // Generated in a private temporary directory that is then renamed into place in one
  // step, so a crash or a second process starting at the same time never leaves a
  // certificate without its key or a key readable by others.
  const tmp = await mkdtemp(join(dataDir, `${GENERATED_DIR}.tmp-`));
  try {
    await chmod(tmp, 0o700);
    await generate(join(tmp, CERT_FILE), join(tmp, KEY_FILE), opts);
    await chmod(join(tmp, KEY_FILE), 0o600);
    try {
      await rename(tmp, dir);
    } catch (err) {
      // Another process won the race (the directory exists and is not empty): use its pair.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      return { ...(await readPair(certPath, keyPath)), generated: false, certPath, keyPath };
    }
    return { ...(await readPair(certPath, keyPath)), generated: true, certPath, keyPath };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function readPair(certPath: string, keyPath: string): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
  return { cert, key };
}

async function generate(certPath: string, keyPath: string, opts: CertificateOptions): Promise<void> {
  const cn = opts.commonName ?? 'switchboard';
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
    '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=DNS:${cn},DNS:localhost,IP:127.0.0.1,IP:::1`,
    '-keyout', keyPath, '-out', certPath,
  ];
  try {
    await run(opts.openssl ?? 'openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === 'ENOENT' ? 'the openssl command is not installed' : (e.stderr?.trim() || e.message);
    throw new Error(`could not generate a self-signed TLS certificate: ${why}`);
  }
}
