// One webhook POST against a real local receiver: what counts as success, redirects,
// the deadline, and the private-address guard.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender } from './sender.js';

let server: http.Server;
let base: string;
const seen: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body, headers: req.headers });
      if (req.url === '/ok') res.writeHead(204).end();
      else if (req.url === '/redirect') res.writeHead(302, { Location: '/ok' }).end();
      else if (req.url === '/error') res.writeHead(503).end('  maintenance\n window  ');
      else if (req.url === '/big-error') res.writeHead(400).end('x'.repeat(100_000));
      else if (req.url === '/hang') return; // never answers
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const open = httpSender({ allowPrivate: true, timeoutMs: 300 });

describe('webhook sender', () => {
  it('POSTs the body and headers; any 2xx is success', async () => {
    const r = await open({ url: `${base}/ok`, body: '{"a":"é"}', headers: { 'Content-Type': 'application/json', 'X-Test': '1' } });
    expect(r).toEqual({ ok: true, statusCode: 204, error: null });
    const got = seen.at(-1)!;
    expect(got.body).toBe('{"a":"é"}');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-test']).toBe('1');
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
  });

  it('does not follow a redirect', async () => {
    const before = seen.length;
    const r = await open({ url: `${base}/redirect`, body: '{}', headers: {} });
    expect(r).toEqual({ ok: false, statusCode: 302, error: 'redirect not followed (HTTP 302)' });
    expect(seen.length).toBe(before + 1);
  });

  it('keeps the start of an error body', async () => {
    expect(await open({ url: `${base}/error`, body: '{}', headers: {} })).toEqual({
      ok: false,
      statusCode: 503,
      error: 'HTTP 503: maintenance window',
    });
    const big = await open({ url: `${base}/big-error`, body: '{}', headers: {} });
    expect(big.statusCode).toBe(400);
    expect(big.error!.length).toBeLessThan(220);
  });

  it('gives up at the deadline on a receiver that never answers', async () => {
    const t = Date.now();
    const r = await open({ url: `${base}/hang`, body: '{}', headers: {} });
    expect(r).toEqual({ ok: false, statusCode: null, error: 'timed out after 0.3 s' });
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('reports a refused connection', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const r = await open({ url: `http://127.0.0.1:${port}/`, body: '{}', headers: {} });
    expect(r).toEqual({ ok: false, statusCode: null, error: 'connection failed (ECONNREFUSED)' });
  });

  it('refuses private and loopback addresses unless allowed, without connecting', async () => {
    const guarded = httpSender({ allowPrivate: false, timeoutMs: 300 });
    const before = seen.length;
    expect(await guarded({ url: `${base}/ok`, body: '{}', headers: {} })).toEqual({
      ok: false,
      statusCode: null,
      error: 'the URL resolves to a private address',
    });
    const named = httpSender({
      allowPrivate: false,
      timeoutMs: 300,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const port = new URL(base).port;
    expect((await named({ url: `http://hooks.example.com:${port}/ok`, body: '{}', headers: {} })).error).toBe(
      'the URL resolves to a private address',
    );
    expect(seen.length).toBe(before);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    const p = open({ url: `${base}/hang`, body: '{}', headers: {}, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await p).error).toBe('cancelled: the server is stopping');
  });
});
