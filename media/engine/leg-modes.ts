// A leg's mode in its room, on top of the room's "hears" mechanism (media/room/hears.ts):
//
//   normal   hears everyone, heard by everyone          mute     heard by nobody
//   deaf     hears nobody                              listen   hears everyone, heard by nobody
//   barge    hears and heard by all                     whisper  heard only by `target`
//   hold     hears its music (a looping player heard by it alone) or silence, heard by nobody
//
// setMode replaces the mode (mute after deaf is mute). Hold music starts with the mode and stops
// when the mode changes or the leg leaves the room.
import type { ModeSpec, PlayItem } from './commands.js';
import { invalidArgument } from './engine-error.js';
import type { Playback } from './playback.js';
import type { Leg, RoomSlot } from './session-slots.js';

export interface ModeDeps {
  legs: ReadonlyMap<string, Leg>;
  /** Starts a looping player of `items` in the leg's room (heard by nobody yet). */
  startMusic(leg: Leg, items: PlayItem[]): Playback;
}

/** Applies `mode`; with `restartMusic` false a leg already on hold keeps its music playing. */
export function applyMode(leg: Leg, mode: ModeSpec, restartMusic: boolean, deps: ModeDeps): void {
  const room = leg.slot.room;
  const p = leg.endpoint.participant;
  switch (mode.mode) {
    case 'normal':
      room.normal(p);
      break;
    case 'mute':
      room.normal(p);
      room.mute(p, true);
      break;
    case 'deaf':
      room.normal(p);
      room.deaf(p, true);
      break;
    case 'listen':
      room.listen(p);
      break;
    case 'barge':
      room.barge(p);
      break;
    case 'whisper': {
      const target = deps.legs.get(mode.target);
      if (!target || target.slot !== leg.slot) throw invalidArgument(`whisper target ${mode.target} is not in the same room`);
      if (target === leg) throw invalidArgument('an endpoint cannot whisper to itself');
      room.whisper(p, target.endpoint.participant);
      break;
    }
    case 'hold': {
      if (restartMusic || leg.holdMusic === null) {
        stopHoldMusic(leg);
        if (mode.music && mode.music.length > 0) leg.holdMusic = deps.startMusic(leg, mode.music);
      }
      room.hold(p, leg.holdMusic ? leg.holdMusic.feed : null);
      break;
    }
    default:
      throw invalidArgument(`unknown mode ${JSON.stringify((mode as { mode: unknown }).mode)}`);
  }
  if (mode.mode !== 'hold') stopHoldMusic(leg);
  leg.mode = mode;
}

export function stopHoldMusic(leg: Leg): void {
  const m = leg.holdMusic;
  if (m === null) return;
  leg.holdMusic = null;
  m.stop();
  if (leg.slot.room.has(m.feed)) leg.slot.room.remove(m.feed);
}

/** Legs of `slot` whispering to `target` go back to normal (their audience left). */
export function resetWhispersTo(slot: RoomSlot, target: Leg, deps: ModeDeps): void {
  for (const other of slot.endpoints) {
    if (other.mode.mode === 'whisper' && other.mode.target === target.endpoint.id) applyMode(other, { mode: 'normal' }, true, deps);
  }
}

/** Legs of `slot` whispering to `target` aim again at its (new) participant. */
export function reaimWhispersAt(slot: RoomSlot, target: Leg, deps: ModeDeps): void {
  for (const other of slot.endpoints) {
    if (other.mode.mode === 'whisper' && other.mode.target === target.endpoint.id) applyMode(other, other.mode, false, deps);
  }
}
