// Hold music from URLs, kept on disk: each URL is fetched once (through the SSRF-guarded
// fetch, voice/config/url-fetch.ts: one deadline, a byte cap, no private addresses unless the
// operator allows them), converted to an 8 kHz mono WAV (hold-music-file.ts) and kept as
// DATA_DIR/hold-music/<sha-256 of the URL>.wav, where later calls, and the next start of the
// server, find it. Another URL is another file: to change the music, change the URL.
//
// Nothing here is on a call's path: `fileFor` answers at once, from memory or one stat; a URL
// not fetched yet is fetched in the background and the built-in music plays meanwhile. A URL
// that fails (unreachable, refused, not audio) is logged and not tried again for a while, so a
// broken setting costs one warning per retry period rather than a fetch per call.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_FETCH_LIMITS, fetchUrlToFile, type FetchLimits, type Resolver } from '../config/url-fetch.js';
import { convertHoldMusic } from './hold-music-file.js';

export interface HoldMusicCacheOptions {
  /** Where the converted files live (DATA_DIR/hold-music). */
  dir: string;
  /** SWITCHBOARD_FETCH_ALLOW_PRIVATE: fetch from private and loopback addresses too. */
  allowPrivate: boolean;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Default: 30 s, 20 MB, 3 redirects. */
  limits?: Partial<FetchLimits>;
  /** Longest music kept (default 20 minutes). */
  maxSeconds?: number;
  /** A failed URL is tried again after this long (default 10 minutes). */
  retryAfterMs?: number;
  resolve?: Resolver;
  now?: () => number;
}

const DEFAULT_LIMITS: FetchLimits = { ...DEFAULT_FETCH_LIMITS, timeoutMs: 30_000, maxBytes: 20 * 1024 * 1024 };

/** The URL as logs may show it: no credentials, no query (it may carry a token). */
export function loggableUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export class HoldMusicCache {
  private readonly ready = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly failedAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: HoldMusicCacheOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Where the music of `url` is kept. */
  pathFor(url: string): string {
    return path.join(this.o.dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.wav`);
  }

  /**
   * The playable file of `url` when it is on disk; otherwise undefined, and the fetch starts
   * (once) in the background.
   */
  fileFor(url: string): string | undefined {
    const known = this.ready.get(url);
    if (known) return known;
    const file = this.pathFor(url);
    if (existsSync(file)) {
      this.ready.set(url, file);
      return file;
    }
    void this.get(url);
    return undefined;
  }

  /** The playable file of `url`, fetched and converted if need be; null when it cannot be had (logged). */
  get(url: string): Promise<string | null> {
    const known = this.ready.get(url);
    if (known) return Promise.resolve(known);
    const inFlight = this.pending.get(url);
    if (inFlight) return inFlight;
    const failed = this.failedAt.get(url);
    if (failed !== undefined && this.now() - failed < (this.o.retryAfterMs ?? 600_000)) return Promise.resolve(null);
    const p = this.fetch(url).finally(() => this.pending.delete(url));
    this.pending.set(url, p);
    return p;
  }

  private async fetch(url: string): Promise<string | null> {
    const file = this.pathFor(url);
    const stem = `${file.slice(0, -'.wav'.length)}.${randomBytes(4).toString('hex')}`;
    const download = `${stem}.download`;
    const converted = `${stem}.part.wav`;
    const started = this.now();
    try {
      await mkdir(this.o.dir, { recursive: true });
      const fetched = await fetchUrlToFile(url, download, {
        allowPrivate: this.o.allowPrivate,
        limits: { ...DEFAULT_LIMITS, ...this.o.limits },
        ...(this.o.resolve ? { resolve: this.o.resolve } : {}),
      });
      const { durationMs } = await convertHoldMusic(download, converted, { maxSeconds: this.o.maxSeconds ?? 1200, timeoutMs: 60_000 });
      // Whole or not at all: a call never plays a file half written.
      await rename(converted, file);
      this.ready.set(url, file);
      this.failedAt.delete(url);
      this.o.log.info({ url: loggableUrl(url), bytes: fetched.sizeBytes, duration_ms: durationMs, took_ms: this.now() - started }, 'hold music fetched');
      return file;
    } catch (err) {
      this.failedAt.set(url, this.now());
      this.o.log.warn({ url: loggableUrl(url), err: (err as Error).message }, 'hold music could not be fetched: the built-in music plays');
      await rm(converted, { force: true }).catch(() => undefined);
      return null;
    } finally {
      await rm(download, { force: true }).catch(() => undefined);
    }
  }
}
