// What a held party hears. A trunk's `hold_music` is "default", "silence" or the URL of a
// file; the built-in music is a slow arpeggio of tones, so it needs no file on disk and a
// test can find it by frequency.
import type { PlayItem } from '../../media/engine/index.js';

/** A-major arpeggio, 400 ms a note with a short breath between. */
const NOTES_HZ = [440, 554, 659, 554];

export const DEFAULT_HOLD_MUSIC: PlayItem[] = NOTES_HZ.flatMap((f): PlayItem[] => [
  { type: 'tone', frequencies: [f], level: -18, durationMs: 400 },
  { type: 'silence', durationMs: 100 },
]);

/**
 * The items to loop for a hold. A URL setting is not fetched yet (a hold must not wait on
 * the network, and no copy is kept ahead of time): it plays the built-in music too.
 */
export function holdMusicFor(setting: string | undefined): PlayItem[] {
  return setting === 'silence' ? [] : DEFAULT_HOLD_MUSIC;
}
