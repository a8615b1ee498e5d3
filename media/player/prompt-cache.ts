// Decoded prompts shared by every player of a worker: a thousand callers on hold hear the same
// music decoded once. Least recently used entries go when the total passes maxBytes.
//
// An entry is keyed by path and rate and checked against the file's size and mtime on every
// get (one stat), so a replaced prompt is picked up on its next play. Concurrent gets of the same
// prompt share one load. Evicting only drops the cache's reference: players still playing the
// samples keep them alive until they finish.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PlayerError } from './player-error.js';
import { loadPrompt, type Prompt, type PromptLimits } from './prompt-loader.js';

export interface PromptCacheOptions {
  /** Bytes of decoded samples kept. Default 64 MiB. */
  maxBytes?: number;
  /** Largest prompt file read. Default 32 MiB. */
  maxFileBytes?: number;
  /** Longest prompt decoded. Default 1200 s (20 minutes of hold music). */
  maxSeconds?: number;
  /** Loads one prompt (tests count loads through it). Default loadPrompt. */
  load?: (file: string, sampleRate: number, limits: PromptLimits) => Promise<Prompt>;
}

export interface PromptCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  /** Files decoded (misses that shared a load in flight count once). */
  loads: number;
  evictions: number;
}

interface Entry {
  prompt: Prompt;
  size: number;
  mtimeMs: number;
  bytes: number;
}

export class PromptCache {
  private readonly maxBytes: number;
  private readonly limits: PromptLimits;
  private readonly loader: NonNullable<PromptCacheOptions['load']>;
  /** Map iteration order is insertion order: re-inserting on use keeps the oldest first. */
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Prompt>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private loads = 0;
  private evictions = 0;

  constructor(o: PromptCacheOptions = {}) {
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    this.limits = { maxFileBytes: o.maxFileBytes ?? 32 * 1024 * 1024, maxSeconds: o.maxSeconds ?? 1200 };
    this.loader = o.load ?? loadPrompt;
  }

  /** The prompt at `file` as mono samples at `sampleRate`. Rejects with PlayerError. */
  async get(file: string, sampleRate: number): Promise<Prompt> {
    const resolved = path.resolve(file);
    let st;
    try {
      st = await stat(resolved);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new PlayerError('not_found', `${path.basename(file)}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${String(code)})`}`);
    }
    const key = `${sampleRate}:${resolved}`;
    const cached = this.entries.get(key);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.prompt;
    }
    this.misses++;
    const loading = this.inFlight.get(key);
    if (loading) return loading;
    const promise = this.loadEntry(key, resolved, sampleRate, st.size, st.mtimeMs);
    this.inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Drops every entry (players keep what they are playing). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  toJSON(): PromptCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      loads: this.loads,
      evictions: this.evictions,
    };
  }

  private async loadEntry(key: string, file: string, sampleRate: number, size: number, mtimeMs: number): Promise<Prompt> {
    this.loads++;
    const prompt = await this.loader(file, sampleRate, this.limits);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    const bytes = prompt.samples.byteLength;
    // A prompt bigger than the whole cache is played but not kept.
    if (bytes <= this.maxBytes) {
      this.entries.set(key, { prompt, size, mtimeMs, bytes });
      this.bytes += bytes;
      for (const [k, e] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(k);
        this.bytes -= e.bytes;
        this.evictions++;
      }
    }
    return prompt;
  }
}
