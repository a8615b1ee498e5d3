// A play() in progress: a Player (media/player) as a Feed member of a room, heard by one endpoint
// (a prompt to a leg, music on hold) or by everyone in the room (an announcement).
import { Player, type PlayItem, type PlayerRate } from '../player/player.js';
import type { PromptCache } from '../player/prompt-cache.js';
import { PlayerError } from '../player/player-error.js';
import { Feed } from '../room/member.js';
import type { FrameSource, SampleRate } from '../room/frame.js';
import { MediaEngineError } from './engine-error.js';

/** Player → FrameSource: fill() writes silence and returns false when nothing is queued. */
class PlayerSource implements FrameSource {
  constructor(
    readonly sampleRate: SampleRate,
    private readonly player: Player,
  ) {}
  readFrame(out: Int16Array): boolean {
    return this.player.fill(out);
  }
}

export class Playback {
  readonly id: string;
  /** The endpoint that hears it, or null for the whole room. */
  readonly endpointId: string | null;
  readonly player: Player;
  readonly feed: Feed;
  readonly loop: boolean;
  private ended = false;

  constructor(o: { id: string; endpointId: string | null; sampleRate: PlayerRate; cache: PromptCache; loop: boolean; onDone: (p: Playback, playedMs: number) => void }) {
    this.id = o.id;
    this.endpointId = o.endpointId;
    this.loop = o.loop;
    this.player = new Player({ sampleRate: o.sampleRate, cache: o.cache });
    this.feed = new Feed({ id: o.id, source: new PlayerSource(o.sampleRate, this.player) });
    this.player.on('done', (d) => {
      if (this.ended) return;
      this.ended = true;
      o.onDone(this, d.playedMs);
    });
  }

  /** Loads the items and starts; rejects with a typed error when a file cannot be played. */
  async start(items: PlayItem[]): Promise<void> {
    try {
      await this.player.play(items, { loop: this.loop });
    } catch (err) {
      if (err instanceof PlayerError) throw new MediaEngineError('media_file', err.message, { fileError: err.code });
      throw err;
    }
  }

  /** Stops without a 'done' from the player; true if it had not ended already. */
  stop(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.player.stop();
    return true;
  }

  get playedMs(): number {
    return this.player.toJSON().playedMs;
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, endpointId: this.endpointId, loop: this.loop, ended: this.ended, player: this.player.toJSON() };
  }
}
