// What a held party hears. A trunk's `hold_music` is "default", "silence" or the URL of a
// file; the built-in music is a slow arpeggio of tones, so it needs no file on disk and a
// test can find it by frequency. A URL plays its file once hold-music-cache.ts has it on disk.
import type { PlayItem } from '../../media/engine/index.js';
import type { HoldMusicCache } from './hold-music-cache.js';

/** A-major arpeggio, 400 ms a note with a short breath between. */
const NOTES_HZ = [440, 554, 659, 554];

export const DEFAULT_HOLD_MUSIC: PlayItem[] = NOTES_HZ.flatMap((f): PlayItem[] => [
  { type: 'tone', frequencies: [f], level: -18, durationMs: 400 },
  { type: 'silence', durationMs: 100 },
]);

const isUrl = (setting: string): boolean => /^https?:\/\//i.test(setting);

/**
 * The items to loop for a hold, now. A URL whose file is not on disk yet (being fetched, or
 * failed) plays the built-in music: a hold never waits on the network.
 */
export function holdMusicFor(setting: string | undefined, cache?: HoldMusicCache): PlayItem[] {
  if (setting === 'silence') return [];
  if (setting && cache && isUrl(setting)) {
    const file = cache.fileFor(setting);
    if (file) return [{ type: 'file', path: file }];
  }
  return DEFAULT_HOLD_MUSIC;
}

/** Starts fetching a URL setting ahead of the first hold (the call has just begun). */
export function prepareHoldMusic(setting: string | undefined, cache: HoldMusicCache): void {
  if (setting && isUrl(setting)) cache.fileFor(setting);
}
