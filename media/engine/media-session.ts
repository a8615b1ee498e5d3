// A session: the endpoints and rooms of one call or one conference, all in one worker, so a
// room and its legs share a thread and a tick.
//
// Every endpoint is always in exactly one room: its own private room while it is alone (so it is
// ticked, its input drained and its prompts mixed), or a room of the session it joined. Players
// and in-band DTMF tones aimed at an endpoint are Feed members of whatever room it is in, heard
// by it alone; they move with it.
import { CodecError } from '../codecs/index.js';
import type { PlayerRate } from '../player/player.js';
import type { PromptCache } from '../player/prompt-cache.js';
import type { Direction } from '../sdp/index.js';
import type { AmdDecision, AmdSettings, CreateEndpointOptions, EndpointCreated, HostEvent, ModeSpec, PlayItem, RecordOptions, RecordingResult, RoomMember } from './commands.js';
import { Endpoint, type EndpointEvents } from './endpoint.js';
import { MediaEngineError, invalidArgument, invalidState, notFound } from './engine-error.js';
import { LegDtmf } from './leg-dtmf.js';
import { MachineDetections } from './machine-detection.js';
import { applyMode, reaimWhispersAt, resetWhispersTo, stopHoldMusic, type ModeDeps } from './leg-modes.js';
import { Playback } from './playback.js';
import type { PortAllocator } from './port-allocator.js';
import type { MediaHostOptions } from './media-host.js';
import { EndpointRecording, RoomRecording, openRecorder, recordingRate, type Recording } from './recording.js';
import { recordingPath } from './recording-path.js';
import { updateRelays } from './relay-policy.js';
import { firstOf, roomRate, roomSlot, type Leg, type RoomSlot } from './session-slots.js';
import { UdpPair } from './udp-pair.js';

/** What a session runs with: its host's options, port allocator, prompt cache, clock and events. */
export type SessionContext = Omit<MediaHostOptions, 'ports' | 'idPrefix' | 'promptCacheBytes' | 'codecs'> & {
  ports: PortAllocator;
  codecs: readonly string[];
  promptCache: PromptCache;
  now: () => number;
  random: () => number;
  emit: (e: HostEvent) => void;
};

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export class MediaSession {
  readonly id: string;
  private readonly ctx: SessionContext;
  private readonly legs = new Map<string, Leg>();
  private readonly rooms = new Map<string, RoomSlot>();
  private readonly plays = new Map<string, { play: Playback; slot: RoomSlot; leg: Leg | null }>();
  private readonly recordings = new Map<string, Recording>();
  private readonly finished: Playback[] = [];
  private readonly dtmf = new LegDtmf();
  private readonly amd = new MachineDetections();
  private readonly modes: ModeDeps = {
    legs: this.legs,
    startMusic: (leg, items) => this.startHoldMusic(leg, items),
  };
  private counter = 0;
  private closed = false;
  // What the tick walks, as arrays (no iterator per tick), rebuilt after a command changed things.
  private listsDirty = true;
  private tickEndpoints: Endpoint[] = [];
  private tickRooms: RoomSlot[] = [];
  private tickRecordings: Recording[] = [];

  constructor(id: string, ctx: SessionContext) {
    this.id = id;
    this.ctx = ctx;
  }

  private nextId(kind: string): string {
    return `${this.id}:${kind}${++this.counter}`;
  }

  // ---- endpoints -------------------------------------------------------------------------------

  async createEndpoint(o: CreateEndpointOptions): Promise<EndpointCreated> {
    this.checkOpen();
    if (o.direction !== undefined && !DIRECTIONS.has(o.direction)) throw invalidArgument(`unknown direction ${String(o.direction)}`);
    const id = this.nextId('ep');
    const ctx = this.ctx;
    const transport = await UdpPair.open(ctx.ports, {
      address: ctx.address,
      ...(ctx.socketBufferBytes ? { receiveBufferBytes: ctx.socketBufferBytes, sendBufferBytes: ctx.socketBufferBytes } : {}),
    });
    let endpoint: Endpoint;
    let localSdp: string;
    try {
      const srtp = o.srtp ?? ctx.srtp;
      endpoint = new Endpoint({
        id,
        transport,
        advertisedAddress: ctx.advertisedAddress,
        codecs: o.codecs ?? ctx.codecs,
        telephoneEvent: o.telephoneEvent ?? ctx.telephoneEvent,
        inbandDtmf: o.inbandDtmf ?? true,
        ...(srtp ? { srtp } : {}),
        rtcpMux: o.rtcpMux ?? ctx.rtcpMux,
        allowedSources: o.allowedSources ?? [],
        mediaTimeoutMs: o.mediaTimeoutMs ?? ctx.mediaTimeoutMs,
        holdTimeoutMs: ctx.holdTimeoutMs,
        ...(ctx.relatchAfterMs !== undefined ? { relatchAfterMs: ctx.relatchAfterMs } : {}),
        ...(ctx.jitter ? { jitter: ctx.jitter } : {}),
        ...(ctx.rtcpIntervalMs ? { rtcpIntervalMs: ctx.rtcpIntervalMs } : {}),
        now: ctx.now,
        random: ctx.random,
        events: this.endpointEvents,
      });
      if (o.remoteSdp !== undefined) {
        const r = endpoint.sdp.answer(o.remoteSdp, o.direction);
        endpoint.configure(r.negotiated);
        localSdp = r.sdp;
      } else {
        localSdp = endpoint.sdp.offer(o.direction);
      }
    } catch (err) {
      transport.close();
      ctx.ports.release(transport.rtpPort);
      // An unknown codec name or a bad option is the caller's mistake, not a bug of ours.
      if (err instanceof CodecError || err instanceof RangeError) throw invalidArgument(err.message);
      throw err;
    }
    const slot = this.privateRoom(id);
    const leg: Leg = { endpoint, slot, mode: { mode: 'normal' }, holdMusic: null, plays: new Set(), dtmfTones: null };
    slot.room.add(endpoint.participant);
    slot.endpoints.add(leg);
    this.legs.set(id, leg);
    this.listsDirty = true;
    return { endpointId: id, localSdp };
  }

  /** A remote re-offer (re-INVITE): new address, codec, direction (hold), keys. */
  updateEndpoint(endpointId: string, remoteSdp: string, allowedSources?: string[], direction?: Direction): { localSdp: string } {
    const leg = this.leg(endpointId);
    const r = leg.endpoint.sdp.answer(remoteSdp, direction);
    this.reconfigure(leg, () => leg.endpoint.configure(r.negotiated, allowedSources));
    return { localSdp: r.sdp };
  }

  /** Our (re-)offer; the answer comes through applyAnswer. */
  offer(endpointId: string, direction?: Direction): { localSdp: string } {
    const leg = this.leg(endpointId);
    return { localSdp: leg.endpoint.sdp.offer(direction) };
  }

  applyAnswer(endpointId: string, answer: string): { direction: Direction; codec: string } {
    const leg = this.leg(endpointId);
    const n = leg.endpoint.sdp.applyAnswer(answer);
    this.reconfigure(leg, () => leg.endpoint.configure(n));
    return { direction: n.direction, codec: n.codec.name };
  }

  /** Runs a configure; when it replaced the Participant, puts the new one where the old one was. */
  private reconfigure(leg: Leg, configure: () => boolean): void {
    const old = leg.endpoint.participant;
    if (!configure()) {
      this.updateRelays();
      return;
    }
    const room = leg.slot.room;
    room.remove(old);
    room.add(leg.endpoint.participant);
    applyMode(leg, leg.mode, false, this.modes);
    // Whispers aimed at the old participant now aim at the new one.
    reaimWhispersAt(leg.slot, leg, this.modes);
    for (const p of leg.plays) room.setHeardBy(p.feed, new Set([leg.endpoint.participant]));
    if (leg.dtmfTones) room.setHeardBy(leg.dtmfTones.feed, new Set([leg.endpoint.participant]));
    this.updateRelays();
  }

  // ---- rooms -----------------------------------------------------------------------------------

  /** A room, with `members` joined in their modes (all of them or, for an unknown endpoint, no room at all). */
  createRoom(members: readonly RoomMember[] = []): { roomId: string } {
    this.checkOpen();
    for (const m of members) this.leg(m.endpointId);
    const id = this.nextId('room');
    this.rooms.set(id, roomSlot(id, false));
    this.listsDirty = true;
    for (const m of members) this.join(id, m.endpointId, m.mode);
    return { roomId: id };
  }

  private privateRoom(endpointId: string): RoomSlot {
    const slot = roomSlot(`${endpointId}/room`, true);
    this.rooms.set(slot.id, slot);
    this.listsDirty = true;
    return slot;
  }

  join(roomId: string, endpointId: string, mode?: ModeSpec): void {
    const slot = this.room(roomId);
    if (slot.private) throw invalidArgument(`${roomId} is not a room`);
    const leg = this.leg(endpointId);
    if (leg.slot !== slot) this.move(leg, slot);
    applyMode(leg, mode ?? leg.mode, true, this.modes);
    this.updateRelays();
  }

  leave(endpointId: string): void {
    const leg = this.leg(endpointId);
    if (leg.slot.private) return;
    this.move(leg, this.privateRoom(endpointId));
    applyMode(leg, { mode: 'normal' }, true, this.modes);
    this.updateRelays();
  }

  /** Takes the leg, its prompts and its DTMF tones out of its room into `to`. */
  private move(leg: Leg, to: RoomSlot): void {
    const from = leg.slot;
    const p = leg.endpoint.participant;
    stopHoldMusic(leg);
    from.room.remove(p);
    from.endpoints.delete(leg);
    for (const play of leg.plays) {
      from.room.remove(play.feed);
      from.plays.delete(play);
    }
    if (leg.dtmfTones) from.room.remove(leg.dtmfTones.feed);
    this.dropIfEmptyPrivate(from);
    resetWhispersTo(from, leg, this.modes);
    to.room.add(p);
    to.endpoints.add(leg);
    leg.slot = to;
    for (const play of leg.plays) {
      to.room.add(play.feed);
      to.room.setHeardBy(play.feed, new Set([p]));
      to.plays.add(play);
      this.plays.get(play.id)!.slot = to;
    }
    if (leg.dtmfTones) {
      to.room.add(leg.dtmfTones.feed);
      to.room.setHeardBy(leg.dtmfTones.feed, new Set([p]));
    }
  }

  private dropIfEmptyPrivate(slot: RoomSlot): void {
    if (slot.private && slot.endpoints.size === 0) {
      for (const r of slot.recordings) this.endRecording(r);
      this.rooms.delete(slot.id);
      this.listsDirty = true;
    }
  }

  setMode(endpointId: string, mode: ModeSpec): void {
    const leg = this.leg(endpointId);
    applyMode(leg, mode, true, this.modes);
    this.updateRelays();
  }

  /** Hold music: a looping player in the leg's room (room.hold makes it heard by the leg). */
  private startHoldMusic(leg: Leg, items: PlayItem[]): Playback {
    const play = this.newPlayback(leg, true, leg.endpoint.participant.sampleRate as PlayerRate);
    leg.slot.room.add(play.feed);
    play.start(items).catch((err: unknown) => {
      this.ctx.emit({ name: 'endpoint_error', payload: { sessionId: this.id, endpointId: leg.endpoint.id, message: `hold music: ${(err as Error).message}` } });
    });
    return play;
  }

  // ---- play ------------------------------------------------------------------------------------

  private newPlayback(leg: Leg | null, loop: boolean, rate: PlayerRate): Playback {
    return new Playback({
      id: this.nextId('play'),
      endpointId: leg ? leg.endpoint.id : null,
      sampleRate: rate,
      cache: this.ctx.promptCache,
      loop,
      onDone: (p) => this.finished.push(p),
    });
  }

  /** Plays to an endpoint (heard by it alone) or a room (heard by everyone in it). */
  async play(target: string, items: PlayItem[], loop = false): Promise<{ playId: string }> {
    this.checkOpen();
    if (!Array.isArray(items)) throw invalidArgument('items must be an array');
    const leg = this.legs.get(target) ?? null;
    const slot = leg ? leg.slot : this.room(target);
    const rate = (leg ? leg.endpoint.participant.sampleRate : roomRate(slot)) as PlayerRate;
    const play = this.newPlayback(leg, loop, rate);
    await play.start(items);
    // The target may have gone while the files loaded.
    if (this.closed || (leg ? !this.legs.has(target) : !this.rooms.has(target))) {
      play.stop();
      throw notFound('play target', target);
    }
    const current = leg ? leg.slot : slot;
    current.room.add(play.feed);
    current.room.setHeardBy(play.feed, leg ? new Set([leg.endpoint.participant]) : 'everyone');
    current.plays.add(play);
    leg?.plays.add(play);
    this.plays.set(play.id, { play, slot: current, leg });
    this.updateRelays();
    return { playId: play.id };
  }

  stopPlay(playId: string): void {
    const entry = this.plays.get(playId);
    if (!entry) throw notFound('play', playId);
    if (entry.play.stop()) this.endPlay(entry.play, 'stopped');
  }

  private endPlay(play: Playback, reason: 'finished' | 'stopped' | 'destroyed'): void {
    const entry = this.plays.get(play.id);
    if (!entry) return;
    this.plays.delete(play.id);
    entry.slot.plays.delete(play);
    entry.leg?.plays.delete(play);
    if (entry.slot.room.has(play.feed)) entry.slot.room.remove(play.feed);
    this.ctx.emit({ name: 'playback_done', payload: { sessionId: this.id, playId: play.id, reason, playedMs: play.playedMs } });
    this.updateRelays();
  }

  // ---- record ----------------------------------------------------------------------------------

  async record(target: string, o: RecordOptions): Promise<{ recordingId: string }> {
    this.checkOpen();
    const mode = o.mode ?? 'mono';
    if (mode !== 'mono' && mode !== 'dual') throw invalidArgument(`unknown recording mode ${String(mode)}`);
    const path = recordingPath(this.ctx.recordingsDir, o.path);
    const leg = this.legs.get(target) ?? null;
    const slot = leg ? null : this.room(target);
    const subject = leg ?? (mode === 'dual' ? firstOf(slot!.endpoints) : null);
    if (slot && mode === 'dual' && subject === null) throw invalidState(`room ${target} has nobody to record on the left channel`);
    const rate = recordingRate(subject ? subject.endpoint.participant.sampleRate : roomRate(slot!));
    const recorder = await openRecorder({ path, rate, mode, mp3: o.mp3 === true, trim: o.trim !== false, now: this.ctx.now });
    const id = this.nextId('rec');
    if (this.closed || (leg ? !this.legs.has(target) : !this.rooms.has(target))) {
      void recorder.finalize();
      throw notFound('record target', target);
    }
    let rec: Recording;
    if (subject !== null) {
      const legId = subject.endpoint.id;
      rec = new EndpointRecording(id, recorder, target, () => this.legs.get(legId)?.endpoint ?? null, rate);
    } else {
      const r = new RoomRecording(id, recorder, target, rate);
      slot!.room.add(r.tap);
      slot!.recordings.add(r);
      rec = r;
    }
    this.recordings.set(id, rec);
    this.updateRelays();
    return { recordingId: id };
  }

  async stopRecord(recordingId: string): Promise<RecordingResult> {
    const rec = this.recordings.get(recordingId);
    if (!rec) throw notFound('recording', recordingId);
    const result = await this.endRecording(rec);
    if (result === null) throw new MediaEngineError('media_file', `recording ${recordingId} failed to finalize`);
    return result;
  }

  private async endRecording(rec: Recording): Promise<RecordingResult | null> {
    if (!this.recordings.delete(rec.id)) return null;
    if (rec instanceof RoomRecording) {
      for (const slot of this.rooms.values()) {
        if (slot.recordings.delete(rec) && slot.room.has(rec.tap)) slot.room.remove(rec.tap);
      }
    }
    this.updateRelays();
    try {
      const result = await rec.recorder.finalize();
      this.ctx.emit({ name: 'recording_done', payload: { sessionId: this.id, recordingId: rec.id, result } });
      return result;
    } catch (err) {
      this.ctx.emit({ name: 'recording_done', payload: { sessionId: this.id, recordingId: rec.id, result: null, error: (err as Error).message } });
      return null;
    }
  }

  // ---- DTMF ------------------------------------------------------------------------------------

  sendDtmf(endpointId: string, digits: string, o: { toneMs?: number; gapMs?: number } = {}): { method: 'rfc4733' | 'inband' } {
    const method = this.dtmf.send(this.leg(endpointId), digits, o);
    this.updateRelays();
    return { method };
  }

  // ---- answering machine detection -------------------------------------------------------------

  /** Analyses what the endpoint says from now on; resolves with the decision (machine-detection.ts). */
  detectMachine(endpointId: string, settings: Partial<AmdSettings> = {}): Promise<AmdDecision> {
    this.leg(endpointId); // not_found for an unknown endpoint
    const decision = this.amd.start(endpointId, () => this.legs.get(endpointId)?.endpoint ?? null, settings);
    this.updateRelays();
    return decision;
  }

  // ---- relay fast path -------------------------------------------------------------------------

  /** Puts each room on the relay fast path or back to mixing as it now qualifies (relay-policy.ts). */
  updateRelays(): void {
    updateRelays(this.rooms.values(), this.recordings.values(), this.amd.endpoints);
    this.listsDirty = true;
  }

  private rebuildLists(): void {
    this.tickEndpoints = [...this.legs.values()].map((l) => l.endpoint);
    this.tickRooms = [...this.rooms.values()];
    this.tickRecordings = [...this.recordings.values()].filter((r) => r instanceof EndpointRecording);
    this.listsDirty = false;
  }

  // ---- tick ------------------------------------------------------------------------------------

  tick(now: number): void {
    if (this.listsDirty) this.rebuildLists();
    const endpoints = this.tickEndpoints;
    for (let i = 0; i < endpoints.length; i++) endpoints[i]!.tick(now);
    const rooms = this.tickRooms;
    for (let i = 0; i < rooms.length; i++) if (!rooms[i]!.relaying) rooms[i]!.room.tick();
    const recordings = this.tickRecordings;
    for (let i = 0; i < recordings.length; i++) recordings[i]!.capture();
    if (this.amd.active && this.amd.capture()) this.updateRelays();
    if (this.finished.length > 0) {
      for (const p of this.finished.splice(0)) this.endPlay(p, 'finished');
    }
    // Digits all sent: tone feeds go, and a bridge may relay again.
    if (this.dtmf.active && this.dtmf.settle()) this.updateRelays();
  }

  // ---- stats and teardown ----------------------------------------------------------------------

  stats(id?: string): unknown {
    if (id === undefined || id === this.id) {
      return {
        id: this.id,
        endpoints: [...this.legs.values()].map((l) => ({ id: l.endpoint.id, room: l.slot.private ? null : l.slot.id, mode: l.mode.mode })),
        rooms: [...this.rooms.values()].filter((r) => !r.private).map((r) => r.id),
        plays: [...this.plays.keys()],
        recordings: [...this.recordings.keys()],
      };
    }
    const leg = this.legs.get(id);
    if (leg) return { ...leg.endpoint.toJSON(), room: leg.slot.private ? null : leg.slot.id, mode: leg.mode };
    const slot = this.rooms.get(id);
    if (slot) return { ...slot.room.toJSON(), relaying: slot.relaying, endpoints: [...slot.endpoints].map((l) => l.endpoint.id) };
    const play = this.plays.get(id);
    if (play) return play.play.toJSON();
    const rec = this.recordings.get(id);
    if (rec) return rec.toJSON();
    throw notFound('object', id);
  }

  /** The stats of the endpoints a destroy of `id` takes (all of them for the session), by id: their last figures. */
  endpointStats(id: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (id === this.id) for (const legId of this.legs.keys()) out[legId] = this.stats(legId);
    else if (this.legs.has(id)) out[id] = this.stats(id);
    return out;
  }

  async destroy(id: string): Promise<void> {
    const leg = this.legs.get(id);
    if (leg) return this.destroyEndpoint(leg);
    const slot = this.rooms.get(id);
    if (slot && !slot.private) return this.destroyRoom(slot);
    const play = this.plays.get(id);
    if (play) return this.stopPlay(id);
    const rec = this.recordings.get(id);
    if (rec) {
      await this.endRecording(rec);
      return;
    }
    throw notFound('object', id);
  }

  private async destroyEndpoint(leg: Leg): Promise<void> {
    const id = leg.endpoint.id;
    const pending: Promise<unknown>[] = [];
    for (const rec of [...this.recordings.values()]) if (rec.targetId === id) pending.push(this.endRecording(rec));
    for (const play of [...leg.plays]) if (play.stop()) this.endPlay(play, 'destroyed');
    stopHoldMusic(leg);
    const slot = leg.slot;
    slot.room.remove(leg.endpoint.participant);
    if (leg.dtmfTones) slot.room.remove(leg.dtmfTones.feed);
    slot.endpoints.delete(leg);
    this.legs.delete(id);
    this.dtmf.forget(leg);
    this.amd.forget(id);
    resetWhispersTo(slot, leg, this.modes);
    this.dropIfEmptyPrivate(slot);
    leg.endpoint.relayTo = null;
    for (const other of slot.endpoints) if (other.endpoint.relayTo === leg.endpoint) other.endpoint.relayTo = null;
    slot.relaying = false;
    leg.endpoint.close();
    this.ctx.ports.release(leg.endpoint.transport.rtpPort);
    this.updateRelays();
    await Promise.all(pending);
  }

  private async destroyRoom(slot: RoomSlot): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const rec of [...slot.recordings]) pending.push(this.endRecording(rec));
    for (const rec of [...this.recordings.values()]) if (rec.targetId === slot.id) pending.push(this.endRecording(rec));
    for (const play of [...slot.plays]) if (play.endpointId === null && play.stop()) this.endPlay(play, 'destroyed');
    for (const leg of [...slot.endpoints]) this.leave(leg.endpoint.id);
    this.rooms.delete(slot.id);
    this.updateRelays();
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending: Promise<unknown>[] = [];
    for (const leg of [...this.legs.values()]) pending.push(this.destroyEndpoint(leg));
    for (const slot of [...this.rooms.values()]) if (!slot.private) pending.push(this.destroyRoom(slot));
    for (const rec of [...this.recordings.values()]) pending.push(this.endRecording(rec));
    await Promise.all(pending);
  }

  get endpointCount(): number {
    return this.legs.size;
  }

  /** Rooms made by createRoom (an endpoint's own private room is not counted). */
  get roomCount(): number {
    let n = 0;
    for (const r of this.rooms.values()) if (!r.private) n++;
    return n;
  }

  // ---- lookups ---------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new MediaEngineError('closed', `session ${this.id} is closed`);
  }

  private leg(id: string): Leg {
    const l = this.legs.get(id);
    if (!l) throw notFound('endpoint', id);
    return l;
  }

  private room(id: string): RoomSlot {
    const r = this.rooms.get(id);
    if (!r || r.private) throw notFound('room', id);
    return r;
  }

  private readonly endpointEvents: EndpointEvents = {
    dtmf: (e, digit, source, durationMs) =>
      this.ctx.emit({ name: 'dtmf', payload: { sessionId: this.id, endpointId: e.id, digit, source, durationMs } }),
    mediaTimeout: (e, idleMs) => this.ctx.emit({ name: 'media_timeout', payload: { sessionId: this.id, endpointId: e.id, idleMs: Math.round(idleMs) } }),
  };
}
