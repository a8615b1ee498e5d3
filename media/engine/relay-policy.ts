// When a bridge takes the relay fast path (docs/media/engine.md, "Relay fast path").
//
// A room of exactly two legs with the same format hearing each other and nothing else
// (Room.canRelay), neither detecting nor sending in-band DTMF, no RFC 4733 digit going out and no
// recording or answering machine detection on either leg, is bridged by relaying packets: the
// room is not ticked and audio is not decoded. Re-evaluated after every command that changes a
// room, when DTMF has been sent, and when an analysis ended.
import { EndpointRecording, type Recording } from './recording.js';
import type { RoomSlot } from './session-slots.js';

export function relayable(slot: RoomSlot, recordings: Iterable<Recording>, analysed: ReadonlySet<string> = new Set()): boolean {
  if (slot.private || slot.endpoints.size !== 2 || !slot.room.canRelay()) return false;
  for (const leg of slot.endpoints) {
    const e = leg.endpoint;
    if (e.negotiated === null || e.detectsInband || e.sendingDtmf || leg.dtmfTones !== null || analysed.has(e.id)) return false;
  }
  for (const rec of recordings) {
    if (rec instanceof EndpointRecording) for (const l of slot.endpoints) if (l.endpoint.id === rec.targetId) return false;
  }
  return true;
}

/** Switches each room to relaying or mixing as it now qualifies. */
export function updateRelays(rooms: Iterable<RoomSlot>, recordings: Iterable<Recording>, analysed?: ReadonlySet<string>): void {
  const recs = [...recordings];
  for (const slot of rooms) {
    const want = relayable(slot, recs, analysed);
    if (want === slot.relaying) continue;
    slot.relaying = want;
    const [a, b] = [...slot.endpoints];
    for (const leg of slot.endpoints) {
      const other = !want ? null : leg === a ? b! : a!;
      leg.endpoint.relayTo = other ? other.endpoint : null;
      // Whatever the jitter buffer held from before is stale now, either way.
      leg.endpoint.input.reset();
    }
  }
}
