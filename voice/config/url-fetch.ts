// Downloads a user-given http(s) URL to a file, for voice-clone samples (and later hold
// music and played audio), within limits a hostile or broken server cannot stretch:
// one deadline for the whole fetch, a byte cap enforced while reading, a few redirects
// each checked like the first URL, and no connection to private addresses unless the
// operator allows it. The address checked is the address connected to: the guard sits
// in the socket's DNS lookup, so a name cannot resolve to a public address for the
// check and a private one for the connection (DNS rebinding).
import { lookup as dnsLookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isBlockedAddress } from './blocked-addresses.js';
import { guardedLookup, type Resolver } from './guarded-lookup.js';

export interface FetchLimits {
  /** For everything: DNS, connecting, redirects and the body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 30_000, maxBytes: 50 * 1024 * 1024, maxRedirects: 3 };

export type FetchFailure =
  | 'unsupported_url'
  | 'private_address'
  | 'dns'
  | 'http_status'
  | 'too_many_redirects'
  | 'too_large'
  | 'timeout'
  | 'network';

export class UrlFetchError extends Error {
  constructor(
    readonly kind: FetchFailure,
    message: string,
    /** The HTTP status, for http_status. */
    readonly status?: number,
    /** Whether the failing URL came from a redirect. */
    readonly redirected = false,
  ) {
    super(message);
    this.name = 'UrlFetchError';
  }
}

export type { ResolvedAddress, Resolver } from './guarded-lookup.js';

export interface UrlFetchOptions {
  /** Allow loopback, private, link-local... addresses (SWITCHBOARD_FETCH_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  limits?: Partial<FetchLimits>;
  resolve?: Resolver;
  /** Which addresses are refused when allowPrivate is false; isBlockedAddress unless a test narrows it. */
  isBlocked?: (address: string) => boolean;
  /** Cancels the fetch (the resource was deleted, the server is stopping). */
  signal?: AbortSignal;
}

export interface FetchedFile {
  sizeBytes: number;
  contentType: string | null;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function checkUrl(raw: string, redirected: boolean, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new UrlFetchError('unsupported_url', `not a valid URL: ${raw.slice(0, 200)}`, undefined, redirected);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlFetchError('unsupported_url', `only http and https URLs can be fetched, not ${url.protocol}`, undefined, redirected);
  }
  return url;
}

const privateAddress = (redirected: boolean): UrlFetchError =>
  new UrlFetchError('private_address', 'the URL resolves to a private address', undefined, redirected);

function send(url: URL, opts: UrlFetchOptions, signal: AbortSignal, redirected: boolean): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const blocked = opts.allowPrivate ? () => false : (opts.isBlocked ?? isBlockedAddress);
  // Literal addresses never reach the lookup, so they are checked here.
  if (isIP(host) && blocked(host)) return Promise.reject(privateAddress(redirected));
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
        headers: { 'user-agent': 'Switchboard/1 (+media fetch)', accept: '*/*' },
        lookup: guardedLookup(opts.resolve ?? systemResolver, blocked, {
          blocked: () => privateAddress(redirected),
          unresolvable: (name) => new UrlFetchError('dns', `${name} could not be resolved`, undefined, redirected),
        }),
        // Not pooled: each fetch connects through its own guarded lookup, under its own
        // policy, rather than reusing a socket another fetch opened.
        agent: false,
        signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/** Counts bytes through, failing once more than `max` have passed. */
function byteCap(max: number, counted: (n: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      counted(total);
      if (total > max) done(tooLarge(max));
      else done(null, chunk);
    },
  });
}

const MB = 1024 * 1024;
const bytesText = (n: number): string => (n >= MB && n % MB === 0 ? `${n / MB} MB` : `${n} bytes`);
const tooLarge = (max: number): UrlFetchError => new UrlFetchError('too_large', `the download exceeds ${bytesText(max)}`);

/**
 * Fetches `rawUrl` into the file `dest` (created or replaced). On failure the partial
 * file is removed and a UrlFetchError says why.
 */
export async function fetchUrlToFile(rawUrl: string, dest: string, opts: UrlFetchOptions): Promise<FetchedFile> {
  const limits = { ...DEFAULT_FETCH_LIMITS, ...opts.limits };
  const deadline = new AbortController();
  const timedOut = new UrlFetchError('timeout', `the fetch timed out after ${limits.timeoutMs / 1000} s`);
  const timer = setTimeout(() => deadline.abort(timedOut), limits.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
  let wroteFile = false;
  try {
    let url = checkUrl(rawUrl, false);
    for (let hop = 0; ; hop++) {
      const redirected = hop > 0;
      const res = await send(url, opts, signal, redirected);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.destroy();
        if (hop >= limits.maxRedirects) {
          throw new UrlFetchError('too_many_redirects', `more than ${limits.maxRedirects} redirects`, status, true);
        }
        url = checkUrl(res.headers.location, true, url);
        continue;
      }
      if (status < 200 || status > 299) {
        res.destroy();
        throw new UrlFetchError('http_status', `HTTP ${status}`, status, redirected);
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        res.destroy();
        throw tooLarge(limits.maxBytes);
      }
      let size = 0;
      wroteFile = true;
      await pipeline(res, byteCap(limits.maxBytes, (n) => (size = n)), createWriteStream(dest), { signal });
      return { sizeBytes: size, contentType: res.headers['content-type'] ?? null, finalUrl: url.toString() };
    }
  } catch (err) {
    if (wroteFile) await rm(dest, { force: true });
    if (deadline.signal.aborted) throw timedOut;
    if (err instanceof UrlFetchError) throw err;
    if (opts.signal?.aborted) throw new UrlFetchError('network', 'the fetch was cancelled');
    const code = (err as NodeJS.ErrnoException).code;
    throw new UrlFetchError('network', `the connection failed${code ? ` (${code})` : ''}`);
  } finally {
    clearTimeout(timer);
  }
}
