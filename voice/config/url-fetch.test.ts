// Fetching users' URLs: limits, redirects and the private-address guard, against a real
// HTTP server on 127.0.0.1 (and injected DNS answers where a test needs a host name).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress } from './blocked-addresses.js';
import { fetchUrlToFile, UrlFetchError, type FetchFailure, type UrlFetchOptions } from './url-fetch.js';

let server: http.Server;
let base: string;
let port: number;
let dir: string;
const seenHosts: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-fetch-'));
  server = http.createServer((req, res) => {
    seenHosts.push(req.headers.host ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const n = Number(hop[1]);
      res.writeHead(n > 0 ? 302 : 200, n > 0 ? { location: `/hop/${n - 1}` } : { 'content-type': 'text/plain' });
      res.end(n > 0 ? '' : 'arrived');
      return;
    }
    switch (url.pathname) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.alloc(1000, 7));
        return;
      case '/to':
        res.writeHead(301, { location: url.searchParams.get('u') ?? '/' }).end();
        return;
      case '/missing':
        res.writeHead(404).end('no such file');
        return;
      case '/declared-big':
        res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
        return;
      case '/streamed-big': {
        // Chunked, no length: only counting while reading can stop it.
        res.writeHead(200);
        let sent = 0;
        const more = (): void => {
          while (sent < 5_000_000) {
            sent += 10_000;
            if (!res.write(Buffer.alloc(10_000))) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('close', () => (sent = Infinity));
        more();
        return;
      }
      case '/stall':
        res.writeHead(200);
        res.write('a little, then nothing');
        return;
      default:
        res.writeHead(500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const dest = (): string => path.join(dir, `f${n++}`);
const open: UrlFetchOptions = { allowPrivate: true };

async function failure(url: string, opts: UrlFetchOptions): Promise<UrlFetchError> {
  const file = dest();
  try {
    await fetchUrlToFile(url, file, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(UrlFetchError);
    expect(existsSync(file), 'a failed fetch leaves no file behind').toBe(false);
    return err as UrlFetchError;
  }
  throw new Error(`fetching ${url} should have failed`);
}

async function expectFailure(url: string, opts: UrlFetchOptions, kind: FetchFailure): Promise<UrlFetchError> {
  const err = await failure(url, opts);
  expect(err.kind, err.message).toBe(kind);
  return err;
}

describe('fetchUrlToFile', () => {
  it('stores the body and reports its size and type', async () => {
    const file = dest();
    const got = await fetchUrlToFile(`${base}/ok`, file, open);
    expect(got).toEqual({ sizeBytes: 1000, contentType: 'audio/wav', finalUrl: `${base}/ok` });
    expect(readFileSync(file)).toEqual(Buffer.alloc(1000, 7));
  });

  it('follows up to 3 redirects and refuses the fourth', async () => {
    const file = dest();
    const got = await fetchUrlToFile(`${base}/hop/3`, file, open);
    expect(got.finalUrl).toBe(`${base}/hop/0`);
    expect(readFileSync(file, 'utf8')).toBe('arrived');
    await expectFailure(`${base}/hop/4`, open, 'too_many_redirects');
  });

  it('refuses a redirect to another scheme', async () => {
    const err = await expectFailure(`${base}/to?u=${encodeURIComponent('file:///etc/passwd')}`, open, 'unsupported_url');
    expect(err.redirected).toBe(true);
    await expectFailure('ftp://example.com/a.wav', open, 'unsupported_url');
    await expectFailure(`${base}/to?u=${encodeURIComponent('http://[nonsense')}`, open, 'unsupported_url');
  });

  it('reports the HTTP status of a failed answer', async () => {
    const err = await expectFailure(`${base}/missing`, open, 'http_status');
    expect(err.status).toBe(404);
    expect(err.message).toBe('HTTP 404');
  });

  it('stops at the size limit, whether the length is declared or only counted', async () => {
    const limits = { maxBytes: 4000 };
    expect((await expectFailure(`${base}/declared-big`, { ...open, limits }, 'too_large')).message).toBe(
      'the download exceeds 4000 bytes',
    );
    const started = Date.now();
    await expectFailure(`${base}/streamed-big`, { ...open, limits: { maxBytes: 100_000 } }, 'too_large');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up at the deadline when the server stalls', async () => {
    const started = Date.now();
    const err = await expectFailure(`${base}/stall`, { ...open, limits: { timeoutMs: 300 } }, 'timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.message).toBe('the fetch timed out after 0.3 s');
  });

  it('can be cancelled', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expectFailure(`${base}/stall`, { ...open, signal: ac.signal }, 'network');
  });

  it('refuses loopback and private addresses unless allowed, by literal or by name', async () => {
    const guarded: UrlFetchOptions = { allowPrivate: false };
    await expectFailure(`${base}/ok`, guarded, 'private_address');
    await expectFailure(`http://[::1]:${port}/ok`, guarded, 'private_address');
    await expectFailure(`http://localhost:${port}/ok`, guarded, 'private_address');
    // A name with one public and one private address is refused as a whole.
    const mixed = async (): Promise<{ address: string; family: 4 | 6 }[]> => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expectFailure('http://media.example/a.wav', { ...guarded, resolve: mixed }, 'private_address');
  });

  it('connects to the address it checked, keeping the URL host name', async () => {
    seenHosts.length = 0;
    const resolve = async (): Promise<{ address: string; family: 4 | 6 }[]> => [{ address: '127.0.0.1', family: 4 }];
    const file = dest();
    await fetchUrlToFile(`http://media.example:${port}/ok`, file, { allowPrivate: true, resolve });
    expect(seenHosts).toEqual([`media.example:${port}`]);
  });

  it('checks every redirect target again', async () => {
    // Only 127.0.0.2 is "private" here, so the first hop (127.0.0.1) is allowed.
    const opts: UrlFetchOptions = { allowPrivate: false, isBlocked: (a) => a === '127.0.0.2' };
    expect((await fetchUrlToFile(`${base}/ok`, dest(), opts)).sizeBytes).toBe(1000);
    const toLiteral = `${base}/to?u=${encodeURIComponent(`http://127.0.0.2:${port}/ok`)}`;
    expect((await expectFailure(toLiteral, opts, 'private_address')).redirected).toBe(true);
    const resolve = async (host: string): Promise<{ address: string; family: 4 | 6 }[]> => [
      { address: host === 'inside.example' ? '127.0.0.2' : '127.0.0.1', family: 4 },
    ];
    const toName = `${base}/to?u=${encodeURIComponent(`http://inside.example:${port}/ok`)}`;
    await expectFailure(toName, { ...opts, resolve }, 'private_address');
  });

  it('reports a name that does not resolve and a refused connection', async () => {
    const none = async (): Promise<{ address: string; family: 4 | 6 }[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expectFailure('http://nowhere.example/a.wav', { ...open, resolve: none }, 'dns');
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await expectFailure(`http://127.0.0.1:${closedPort}/`, open, 'network');
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1',
    '169.254.169.254', '224.0.0.1', '239.255.255.250', '0.0.0.0', '255.255.255.255',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', 'not-an-address',
  ])('blocks %s', (a) => expect(isBlockedAddress(a)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows %s',
    (a) => expect(isBlockedAddress(a)).toBe(false),
  );
});
