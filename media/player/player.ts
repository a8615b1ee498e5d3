// The player: a media stage that fills one frame per tick from a queue of prompts, tones and
// silences, at the rate of the leg or room it feeds (8, 16 or 48 kHz).
//
//   play([welcome.wav, tone 440+480 2s/4s, hold.mp3], { loop })
//     └─ async: files through the shared PromptCache (decoded, converted to the player's rate)
//   tick: fill(out) ──▶ entry 0 ─ends mid-frame─▶ entry 1 ─▶ … ─▶ end: loop to entry 0, or 'done'
//
// Loading is async and happens before a queue starts; fill() is synchronous, allocates nothing,
// and writes silence whenever nothing is queued. 'done' is emitted once when a queue plays to its
// end — never for a looping queue (hold music plays until stop()), never on stop() (the caller
// stopped it), never for a queue replaced by a later play().
import { EventEmitter } from 'node:events';
import { PlayerError } from './player-error.js';
import { PromptSource, SilenceSource, ToneSource, type PlaySource, type ToneSpec } from './play-source.js';
import type { PromptCache } from './prompt-cache.js';

export type PlayerRate = 8000 | 16000 | 48000;

export type PlayItem =
  | { type: 'file'; path: string }
  | ({ type: 'tone' } & ToneSpec)
  | { type: 'silence'; durationMs: number };

export interface PlayerOptions {
  sampleRate: PlayerRate;
  /** Decoded prompts, shared by the players of a worker. */
  cache: PromptCache;
  /** The frame length fill() is usually called with. Default 20 ms. */
  frameMs?: number;
}

export interface PlayOptions {
  /** Repeat the queue until stop() (music on hold). */
  loop?: boolean;
}

export interface PlayerDone {
  /** Entries played. */
  items: number;
  /** Audio played since the queue started, in ms. */
  playedMs: number;
}

export interface PlayerEvents {
  done: [PlayerDone];
}

export interface PlayerStats {
  state: 'idle' | 'playing';
  /** A play() or enqueue() is loading files. */
  loading: boolean;
  /** Index of the entry playing, null when idle. */
  item: number | null;
  items: number;
  itemType: PlaySource['type'] | null;
  path: string | null;
  /** Position in the current entry. */
  positionMs: number;
  /** Audio played since the queue started. */
  playedMs: number;
  loop: boolean;
  /** Times a looping queue wrapped around. */
  loops: number;
}

/** Silence entries longer than this are refused (a typo of ms for s would block a leg for days). */
const MAX_SILENCE_MS = 3_600_000;

export class Player extends EventEmitter<PlayerEvents> {
  readonly sampleRate: PlayerRate;
  readonly frameSamples: number;
  private readonly cache: PromptCache;
  private queue: PlaySource[] = [];
  private index = 0;
  private playing = false;
  private loop = false;
  private loops = 0;
  private playedSamples = 0;
  /** Bumped by play() and stop(): a load that finishes after either is dropped. */
  private generation = 0;
  private loading = 0;

  constructor(o: PlayerOptions) {
    super();
    if (o.sampleRate !== 8000 && o.sampleRate !== 16000 && o.sampleRate !== 48000) {
      throw new PlayerError('invalid_item', `unsupported player rate ${String(o.sampleRate)} Hz (8000, 16000 or 48000)`);
    }
    this.sampleRate = o.sampleRate;
    this.cache = o.cache;
    this.frameSamples = Math.round((o.sampleRate * (o.frameMs ?? 20)) / 1000);
  }

  /**
   * Loads `items` and, once all are ready, plays them in order in place of whatever was playing
   * (which plays on while they load). Resolves when playback starts; rejects with PlayerError
   * (nothing changes then). A play() or stop() made while this one loads wins.
   */
  async play(items: PlayItem[], o: PlayOptions = {}): Promise<void> {
    const generation = ++this.generation;
    const sources = await this.load(items);
    if (generation !== this.generation) return;
    const loop = o.loop ?? false;
    if (loop && !sources.some((s) => s.totalSamples > 0)) throw new PlayerError('empty', 'a looping queue needs some audio in it');
    this.start(sources, loop);
  }

  /** Loads `items` and appends them to the queue playing, or plays them when idle. */
  async enqueue(items: PlayItem[]): Promise<void> {
    const generation = this.generation;
    const sources = await this.load(items);
    if (generation !== this.generation) return;
    if (this.playing) this.queue.push(...sources);
    else this.start(sources, false);
  }

  /** Stops playback now (no 'done'); a load in progress is dropped. */
  stop(): void {
    this.generation++;
    this.playing = false;
    this.queue = [];
    this.index = 0;
  }

  /**
   * Writes the next out.length samples: the queue's audio, then silence once it is over (or
   * while idle). Returns whether any queued audio was written. Allocates nothing.
   */
  fill(out: Int16Array): boolean {
    const n = out.length;
    if (!this.playing) {
      out.fill(0);
      return false;
    }
    let at = 0;
    let finished = false;
    // Bounded: a full pass over the queue without a sample ends the frame.
    for (let guard = this.queue.length + 1; guard > 0 && !finished; ) {
      const source = this.queue[this.index]!;
      const got = source.read(out, at, n - at);
      at += got;
      if (source.position >= source.totalSamples) {
        finished = !this.advance();
        if (got === 0) guard--;
      }
      if (at === n) break;
    }
    if (at < n) out.fill(0, at, n);
    this.playedSamples += at;
    if (finished) {
      const items = this.queue.length;
      // Let the prompts go: the cache decides how long decoded audio stays in memory.
      this.queue = [];
      this.index = 0;
      this.emit('done', { items, playedMs: this.ms(this.playedSamples) });
    }
    return at > 0;
  }

  toJSON(): PlayerStats {
    const source = this.playing ? this.queue[this.index] : undefined;
    return {
      state: this.playing ? 'playing' : 'idle',
      loading: this.loading > 0,
      item: source ? this.index : null,
      items: this.queue.length,
      itemType: source?.type ?? null,
      path: source?.path ?? null,
      positionMs: source ? this.ms(source.position) : 0,
      playedMs: this.ms(this.playedSamples),
      loop: this.loop,
      loops: this.loops,
    };
  }

  private ms(samples: number): number {
    return (samples * 1000) / this.sampleRate;
  }

  private start(sources: PlaySource[], loop: boolean): void {
    this.queue = sources;
    this.index = 0;
    this.loop = loop;
    this.loops = 0;
    this.playedSamples = 0;
    this.playing = sources.length > 0;
    // An empty queue is over as soon as it starts.
    if (!this.playing) this.emit('done', { items: 0, playedMs: 0 });
  }

  /** Moves to the next entry; false when the queue is over. */
  private advance(): boolean {
    this.index++;
    if (this.index < this.queue.length) return true;
    if (this.loop) {
      this.index = 0;
      this.loops++;
      for (const s of this.queue) s.reset();
      return true;
    }
    this.playing = false;
    return false;
  }

  private async load(items: PlayItem[]): Promise<PlaySource[]> {
    // Built first, synchronously: a bad entry fails before any file is read.
    const pending = items.map((item) => this.source(item));
    this.loading++;
    try {
      return await Promise.all(pending.map(async (p) => (typeof p === 'string' ? new PromptSource(await this.cache.get(p, this.sampleRate)) : p)));
    } finally {
      this.loading--;
    }
  }

  /** The source for an entry, or the path to load for a file. */
  private source(item: PlayItem): PlaySource | string {
    switch (item.type) {
      case 'file':
        return item.path;
      case 'silence': {
        const ms = item.durationMs;
        if (!(ms >= 0 && ms <= MAX_SILENCE_MS)) throw new PlayerError('invalid_item', `silence of ${String(ms)} ms; 0 to ${MAX_SILENCE_MS} ms`);
        return new SilenceSource(Math.round((ms * this.sampleRate) / 1000));
      }
      case 'tone':
        try {
          return new ToneSource(item, this.sampleRate, this.frameSamples);
        } catch (err) {
          throw new PlayerError('invalid_item', `tone: ${err instanceof Error ? err.message : String(err)}`);
        }
      default:
        throw new PlayerError('invalid_item', `unknown queue entry type ${JSON.stringify((item as { type?: unknown }).type)}`);
    }
  }
}
