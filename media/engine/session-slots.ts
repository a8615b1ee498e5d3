// The records a MediaSession keeps: a room with what is in it, and a leg (endpoint) with what
// belongs to it. Plain state; the session's methods keep them consistent.
import type { DtmfGenerator } from '../dtmf/generator.js';
import type { Feed } from '../room/member.js';
import { Room } from '../room/room.js';
import type { ModeSpec } from './commands.js';
import type { Endpoint } from './endpoint.js';
import type { Playback } from './playback.js';
import type { RoomRecording } from './recording.js';

/** One room of the session, or an endpoint's private room. */
export interface RoomSlot {
  id: string;
  room: Room;
  /** An endpoint's own room while it is in no other: never joined, never relays. */
  private: boolean;
  endpoints: Set<Leg>;
  plays: Set<Playback>;
  recordings: Set<RoomRecording>;
  /** Bridged by the relay fast path: the room is not ticked. */
  relaying: boolean;
}

/** An endpoint and what belongs to it. */
export interface Leg {
  endpoint: Endpoint;
  slot: RoomSlot;
  mode: ModeSpec;
  holdMusic: Playback | null;
  /** Prompts played to this leg alone: they move with it between rooms. */
  plays: Set<Playback>;
  /** In-band DTMF being sent to this leg (no telephone-event negotiated). */
  dtmfTones: { generator: DtmfGenerator; feed: Feed } | null;
}

export function roomSlot(id: string, isPrivate: boolean): RoomSlot {
  return { id, room: new Room({ id }), private: isPrivate, endpoints: new Set(), plays: new Set(), recordings: new Set(), relaying: false };
}

/** The highest rate among a room's legs (what a prompt to the whole room is decoded to). */
export function roomRate(slot: RoomSlot): number {
  let rate = 8000;
  for (const l of slot.endpoints) rate = Math.max(rate, l.endpoint.participant.sampleRate);
  return rate;
}

export function firstOf<T>(s: Set<T>): T | null {
  for (const v of s) return v;
  return null;
}
