// One call through the B2BUA: up to two SIP legs (the caller's and the callee's), one
// media session holding an endpoint per leg and the room that joins them, and the call
// record that the API, CDRs and webhooks read. Media is always anchored here: every
// operation of the Calls API (hold, mute, DTMF, recording) acts on the room.
//
//   caller leg (InboundCall, or OutboundCall to an agent) ─┐
//                                                          ├─ room ─ recorder
//   callee leg (OutboundCall)                             ─┘
import type { InboundCall, IncomingOffer, OutboundCall, Termination } from '../../sip/ua/index.js';
import type { MediaSessionHandle, PlayItem } from '../../media/engine/index.js';
import type { CallRecords, CallEventName } from '../calls/call-records.js';
import type { HangupSide } from '../calls/call-status.js';
import { ConflictError } from '../config/errors.js';
import type { CallRecordings, RecordingRecord } from '../calls/call-recordings.js';
import type { CallQuality } from '../calls/call-repository.js';

/** What an endpoint's stats say about its quality (media/quality/stream-quality.ts toJSON). */
interface EndpointQuality {
  mos: number | null;
  jitterMs: number | null;
  lossPercent: number | null;
  rttMs: number | null;
  oneWayAudio: string;
}

export type LegRole = 'caller' | 'callee';
type SipLeg = InboundCall | OutboundCall;

/** A leg that called us (its INVITE came in), as opposed to one we dialled. */
function isInbound(sip: SipLeg): sip is InboundCall {
  return 'answer' in sip;
}

export interface Leg {
  role: LegRole;
  sip: SipLeg;
  endpointId: string;
  /** This leg is a person of the tenant (an extension or an agent): the "operator side". */
  operator: boolean;
  /** The peer holds us (its last offer was sendonly/inactive). */
  heldByPeer: boolean;
  /** An inbound leg: the SDP its endpoint made for the INVITE (the answer, or our offer if it sent none). */
  localSdp?: string;
}

export interface BridgeLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface BridgedCallDeps {
  records: CallRecords;
  recordings: CallRecordings;
  media: MediaSessionHandle;
  holdMusic: PlayItem[];
  log: BridgeLog;
  /** Called once when the call is over and everything is released. */
  onEnded: (call: BridgedCall) => void;
}

const RINGBACK: PlayItem[] = [{ type: 'tone', frequencies: [440, 480], level: -16, onMs: 2000, offMs: 4000, durationMs: 6000 }];

export class BridgedCall {
  readonly legs: Partial<Record<LegRole, Leg>> = {};
  private roomId: string | undefined;
  private ended = false;
  private answered = false;
  private ringbackId: string | undefined;
  private recording: { rec: RecordingRecord; engineId: string } | undefined;
  private held = false;
  private muted = false;
  /** Serialises operations that re-INVITE, so two holds never cross on the wire. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly tenantId: string,
    private readonly deps: BridgedCallDeps,
  ) {}

  get media(): MediaSessionHandle {
    return this.deps.media;
  }

  get isAnswered(): boolean {
    return this.answered;
  }

  get isOver(): boolean {
    return this.ended;
  }

  // ---- legs ---------------------------------------------------------------

  /** Adds a leg and follows its SIP session: BYE, re-INVITEs (holds from phones). */
  addLeg(role: LegRole, sip: SipLeg, endpointId: string, operator: boolean): Leg {
    const leg: Leg = { role, sip, endpointId, operator, heldByPeer: false };
    this.legs[role] = leg;
    // Both kinds of session emit the shared session events.
    const events = sip as InboundCall;
    events.on('offer', (offer: IncomingOffer) => void this.peerOffer(leg, offer));
    events.on('terminated', (t: Termination) => void this.legEnded(leg, t));
    return leg;
  }

  other(role: LegRole): Leg | undefined {
    return this.legs[role === 'caller' ? 'callee' : 'caller'];
  }

  /**
   * The side the API's mute acts on: the tenant's own person (an extension or an agent), the
   * caller when both are. Undefined when the call has none: POST /calls without an agent
   * dials only the far end, and muting the far end would silence the customer instead.
   */
  operatorLeg(): Leg | undefined {
    const { caller, callee } = this.legs;
    if (caller?.operator) return caller;
    if (callee?.operator) return callee;
    return undefined;
  }

  /**
   * The party an operator puts on hold or sends digits to: the other one. Without an operator,
   * the far end the call reached (for POST /calls without an agent, its only leg).
   */
  remoteLeg(): Leg | undefined {
    const op = this.operatorLeg();
    if (op) return this.other(op.role) ?? op;
    return this.legs.callee ?? this.legs.caller;
  }

  // ---- progress -----------------------------------------------------------

  async transition(event: CallEventName, d: { sipStatus?: number; cause?: string; side?: HangupSide } = {}): Promise<void> {
    try {
      await this.deps.records.transition(this.id, event, d);
    } catch (err) {
      // A late event after the call reached a final state changes nothing.
      this.deps.log.debug({ call: this.id, event, err: (err as Error).message }, 'call transition ignored');
    }
  }

  /** Plays ringback to a leg until stopRingback (an agent waiting for the far end). */
  async ringback(leg: Leg): Promise<void> {
    const { playId } = await this.media.play(leg.endpointId, RINGBACK, { loop: true });
    this.ringbackId = playId;
  }

  private async stopRingback(): Promise<void> {
    if (!this.ringbackId) return;
    const id = this.ringbackId;
    this.ringbackId = undefined;
    await this.media.stopPlay(id).catch(() => undefined);
  }

  /** Both legs (or the one there is) talk in one room from now on. */
  async connect(): Promise<void> {
    await this.stopRingback();
    this.roomId ??= (await this.media.createRoom()).roomId;
    for (const leg of [this.legs.caller, this.legs.callee]) {
      if (leg) await this.media.join(this.roomId, leg.endpointId);
    }
    if (!this.answered) {
      this.answered = true;
      await this.transition('answer', { sipStatus: 200 });
    }
  }

  // ---- operations -----------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireAnswered(): void {
    if (this.ended) throw new ConflictError('CALL_ENDED', 'the call has ended');
    if (!this.answered) throw new ConflictError('CALL_NOT_IN_PROGRESS', 'the call is not in progress');
  }

  /** Ends the call from the API: CANCEL what still rings, BYE what is answered. */
  async hangup(side: HangupSide = 'api', cause?: string): Promise<void> {
    if (this.ended) return;
    this.endReason ??= { side, ...(cause ? { cause } : {}) };
    for (const leg of [this.legs.caller, this.legs.callee]) if (leg) this.releaseLeg(leg, 487);
    // Hung up before anyone answered: a cancel (our CANCEL's 487 from the callee is ignored
    // once the call is over, so it is recorded here).
    if (!this.answered) await this.transition('cancel', { side: this.endReason.side, ...(cause ? { cause } : {}) });
    await this.finish();
  }

  /** The operator stops being heard; the far end hears silence. */
  async mute(on: boolean): Promise<void> {
    this.requireAnswered();
    const op = this.operatorLeg();
    if (!op) throw new ConflictError('NO_OPERATOR_SIDE', 'the call has no extension or agent leg to mute (placed without agent_id)');
    this.muted = on;
    await this.media.setMode(op.endpointId, { mode: on ? 'mute' : 'normal' });
    await this.deps.records.note(this.id, on ? 'muted' : 'unmuted', { leg: op.role });
  }

  /**
   * Hold (RFC 3264 §8.4): the remote party gets a re-INVITE with a=sendonly (we keep
   * sending, music) and hears the hold music; unhold offers sendrecv again.
   */
  hold(on: boolean): Promise<void> {
    return this.serial(async () => {
      this.requireAnswered();
      const remote = this.remoteLeg();
      if (!remote || this.held === on) return;
      const { localSdp } = await this.media.offer(remote.endpointId, { direction: on ? 'sendonly' : 'sendrecv' });
      const result = await remote.sip.reInvite(localSdp);
      if (!result.ok) throw new ConflictError('HOLD_REFUSED', `the held party answered ${result.status}`);
      if (result.sdp === undefined) throw new ConflictError('HOLD_REFUSED', 'the held party answered without SDP');
      await this.media.applyAnswer(remote.endpointId, result.sdp);
      await this.media.setMode(remote.endpointId, on ? { mode: 'hold', music: this.deps.holdMusic } : { mode: 'normal' });
      this.held = on;
      await this.deps.records.note(this.id, on ? 'held' : 'unheld', { leg: remote.role });
    });
  }

  /** RFC 4733 events (or tones, where the peer took no telephone-event) toward the remote party. */
  async dtmf(digits: string): Promise<void> {
    this.requireAnswered();
    const remote = this.remoteLeg();
    if (!remote) return;
    const { method } = await this.media.sendDtmf(remote.endpointId, digits, { toneMs: 100, gapMs: 100 });
    await this.deps.records.note(this.id, 'dtmf_sent', { digits, method });
  }

  /** Starts recording the room, or returns the recording already running. */
  async recordingStart(o: { dualChannel: boolean; trim: boolean }): Promise<RecordingRecord> {
    this.requireAnswered();
    if (this.recording) return this.recording.rec;
    const rec = await this.deps.recordings.start(this.tenantId, this.id, { format: 'wav', channels: o.dualChannel ? 2 : 1 });
    // Dual channel: the caller left, what the caller hears (the other party) right.
    const target = o.dualChannel ? (this.legs.caller ?? this.legs.callee)!.endpointId : this.roomId!;
    try {
      const { recordingId } = await this.media.record(target, { path: `${this.tenantId}/${rec.id}.wav`, mode: o.dualChannel ? 'dual' : 'mono', trim: o.trim });
      this.recording = { rec, engineId: recordingId };
    } catch (err) {
      await this.deps.recordings.fail(rec.id, (err as Error).message);
      throw err;
    }
    return rec;
  }

  async recordingStop(): Promise<RecordingRecord | undefined> {
    const r = this.recording;
    if (!r) return undefined;
    this.recording = undefined;
    try {
      const result = await this.media.stopRecord(r.engineId);
      return await this.deps.recordings.complete(r.rec.id, {
        durationSeconds: result.durationMs / 1000,
        sizeBytes: result.bytes,
        format: result.format,
        path: `recordings/${this.tenantId}/${r.rec.id}.${result.format}`,
      });
    } catch (err) {
      await this.deps.recordings.fail(r.rec.id, (err as Error).message);
      return this.deps.recordings.byId(r.rec.id);
    }
  }

  // ---- what the peers do ------------------------------------------------------

  /** A re-INVITE or UPDATE from a peer: our endpoint answers; a hold mutes us toward it. */
  private async peerOffer(leg: Leg, offer: IncomingOffer): Promise<void> {
    if (offer.sdp === undefined) {
      // An offerless re-INVITE: we offer what we have now.
      try {
        const { localSdp } = await this.media.offer(leg.endpointId);
        offer.accept(localSdp);
      } catch {
        offer.reject(500);
      }
      return;
    }
    try {
      const { localSdp } = await this.media.updateEndpoint(leg.endpointId, offer.sdp);
      offer.accept(localSdp);
    } catch (err) {
      const status = (err as { sipStatus?: number }).sipStatus ?? 488;
      offer.reject(status);
      return;
    }
    const holding = offer.hold;
    if (holding === leg.heldByPeer) return;
    leg.heldByPeer = holding;
    // The party this leg put on hold hears the music until it is taken off hold.
    const other = this.other(leg.role);
    if (other && this.roomId) {
      await this.media.setMode(other.endpointId, holding ? { mode: 'hold', music: this.deps.holdMusic } : { mode: 'normal' }).catch(() => undefined);
    }
    await this.deps.records.note(this.id, holding ? 'held' : 'unheld', { by: leg.role });
  }

  private endReason: { side: HangupSide; status?: number; cause?: string } | undefined;

  private async legEnded(leg: Leg, t: Termination): Promise<void> {
    if (this.ended) return;
    // The peer ended it: a BYE, or (an inbound caller) a CANCEL while it rang.
    const byPeer = t.cause === 'bye-remote' || (t.cause === 'cancel' && isInbound(leg.sip));
    const side: HangupSide = byPeer ? leg.role : (this.endReason?.side ?? 'system');
    this.endReason ??= { side };
    const other = this.other(leg.role);
    if (other) this.releaseLeg(other, t.status && t.status >= 300 ? t.status : 487);
    // A caller that gives up before the answer cancels the call. (A callee that fails is
    // recorded by the B2BUA's dial, which knows its final status.)
    if (!this.answered && byPeer && leg.role === 'caller') await this.transition('cancel', { side: 'caller' });
    await this.finish();
  }

  /** BYE an answered leg, CANCEL an outgoing one that rings, reject an incoming one not answered. */
  private releaseLeg(leg: Leg, status: number): void {
    const sip = leg.sip;
    if (sip.state === 'terminated') return;
    if (sip.state === 'confirmed' || sip.state === 'answered') sip.bye();
    else if ('cancel' in sip) sip.cancel();
    else sip.reject(status >= 300 && status < 700 ? status : 487);
  }

  private async finish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.stopRingback();
    if (this.recording) await this.recordingStop().catch(() => undefined);
    const side = this.endReason?.side ?? 'system';
    if (this.answered) {
      // Before the end is recorded, so the call.completed event carries it too.
      const quality = await this.measureQuality();
      if (quality) await this.deps.records.update(this.id, { quality }).catch(() => undefined);
      await this.transition('hangup', { side, ...(this.endReason?.cause ? { cause: this.endReason.cause } : {}) });
    }
    await this.media.destroy().catch((err: unknown) => this.deps.log.warn({ call: this.id, err: (err as Error).message }, 'media session destroy failed'));
    this.deps.onEnded(this);
  }

  /** The call's quality for its record: the leg the media plane measured worst (lowest MOS). */
  private async measureQuality(): Promise<CallQuality | null> {
    let worst: CallQuality | null = null;
    for (const leg of [this.legs.caller, this.legs.callee]) {
      if (!leg) continue;
      const stats = (await this.media.stats(leg.endpointId).catch(() => undefined)) as { quality?: EndpointQuality } | undefined;
      const q = stats?.quality;
      if (!q || typeof q.mos !== 'number') continue;
      const quality: CallQuality = {
        mos: q.mos,
        jitter_ms: q.jitterMs ?? 0,
        loss_pct: q.lossPercent ?? 0,
        rtt_ms: q.rttMs ?? null,
        one_way_audio: q.oneWayAudio === 'no-inbound' || q.oneWayAudio === 'no-outbound' || q.oneWayAudio === 'no-media',
      };
      if (!worst || quality.mos < worst.mos) worst = quality;
    }
    return worst;
  }

  /** Marks the end of a call that never connected (the B2BUA recorded why). */
  async abandon(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.stopRingback();
    for (const leg of [this.legs.caller, this.legs.callee]) if (leg) this.releaseLeg(leg, 487);
    await this.media.destroy().catch(() => undefined);
    this.deps.onEnded(this);
  }
}
