// One webhook POST: a deadline over the whole request (connect, send, response
// headers), no redirects followed, no pooled sockets (each request connects through
// the address guard), and any 2xx is success. The outcome is data, never a throw:
// a receiver's failure is the receiver's, not the server's.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isBlockedAddress } from '../config/blocked-addresses.js';
import type { Resolver } from '../config/url-fetch.js';
import { BlockedAddressError, literalAddressBlocked, webhookLookup } from './guarded-lookup.js';

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Aborts the request (the server is stopping). */
  signal?: AbortSignal;
}

export interface SendResult {
  ok: boolean;
  /** The HTTP status, when the receiver answered. */
  statusCode: number | null;
  /** Why it failed, for the delivery's last_error. */
  error: string | null;
}

export type Sender = (req: SendRequest) => Promise<SendResult>;

export interface HttpSenderOptions {
  /** SWITCHBOARD_FETCH_ALLOW_PRIVATE */
  allowPrivate: boolean;
  timeoutMs: number;
  resolve?: Resolver;
  isBlocked?: (address: string) => boolean;
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));

/** Bytes of an error response kept for last_error. */
const SNIPPET_BYTES = 200;

function failure(error: string, statusCode: number | null = null): SendResult {
  return { ok: false, statusCode, error };
}

function describe(err: unknown): string {
  if (err instanceof BlockedAddressError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOTFOUND') return e.message;
  return `connection failed${e?.code ? ` (${e.code})` : ''}`;
}

export function httpSender(opts: HttpSenderOptions): Sender {
  const blocked = opts.allowPrivate ? () => false : (opts.isBlocked ?? isBlockedAddress);
  const lookup = webhookLookup(opts.resolve ?? systemResolver, blocked);
  return (req) =>
    new Promise<SendResult>((resolve) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        resolve(failure('not a valid URL'));
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        resolve(failure(`only http and https URLs are supported, not ${url.protocol}`));
        return;
      }
      if (literalAddressBlocked(url.hostname, blocked)) {
        resolve(failure(new BlockedAddressError().message));
        return;
      }
      let settled = false;
      const settle = (r: SendResult): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const body = Buffer.from(req.body, 'utf8');
      const mod = url.protocol === 'https:' ? https : http;
      const request = mod.request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        headers: { ...req.headers, 'Content-Length': String(body.length) },
        lookup,
        agent: false,
      });
      // One deadline for the whole exchange; it also ends a response body that never finishes.
      const deadline = setTimeout(() => {
        settle(failure(`timed out after ${opts.timeoutMs / 1000} s`));
        request.destroy();
      }, opts.timeoutMs);
      const onAbort = (): void => {
        settle(failure('cancelled: the server is stopping'));
        request.destroy();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(deadline);
        req.signal?.removeEventListener('abort', onAbort);
      };
      request.on('close', done);
      request.on('error', (err) => settle(failure(describe(err))));
      request.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status <= 299) {
          settle({ ok: true, statusCode: status, error: null });
          res.resume();
          return;
        }
        // Keep the start of an error body: it usually says what the receiver disliked.
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = (): void => {
          const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
          const what = status >= 300 && status <= 399 ? `redirect not followed (HTTP ${status})` : `HTTP ${status}`;
          settle(failure(text ? `${what}: ${text}` : what, status));
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= SNIPPET_BYTES) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
        res.on('close', finish);
      });
      if (req.signal?.aborted) onAbort();
      else request.end(body);
    });
}
