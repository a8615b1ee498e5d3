// One call through the B2BUA: its two main SIP legs (the caller's and the callee's), its
// side legs (a transfer target, a consult party, a supervisor), one media session holding an
// endpoint per leg and the room that joins them, and the call record that the API, CDRs and
// webhooks read. Media is always anchored here: the operations of the Calls API
// (call-operations.ts, the transfers, supervisor.ts) act on the room, so they work whatever
// the phones and carriers support.
//
//   caller leg (InboundCall, or OutboundCall to an agent) ─┐            ┌─ consult / supervisor
//                                                          ├─ room ─────┤  (side legs)
//   callee leg (OutboundCall)                             ─┘  recorder  └─ transfer target (joins when it takes over)
import type { InboundCall, IncomingOffer, IncomingRefer, Termination } from '../../sip/ua/index.js';
import type { MediaSessionHandle, ModeSpec, PlayItem } from '../../media/engine/index.js';
import type { CallEventName, CallPatch, CallRecords, TransitionDetails } from '../calls/call-records.js';
import type { HangupSide } from '../calls/call-status.js';
import { ConflictError } from '../config/errors.js';
import type { CallRecordings } from '../calls/call-recordings.js';
import type { BridgeLog } from './bridge-log.js';
import { CallRecorder } from './call-recorder.js';
import { CallRoom } from './call-room.js';
import { isInbound, releaseSip, type Leg, type LegRole, type SidePurpose, type SipLeg } from './leg.js';

export type { Leg, LegRole, SidePurpose } from './leg.js';
export type { BridgeLog } from './bridge-log.js';

export interface BridgedCallDeps {
  records: CallRecords;
  recordings: CallRecordings;
  media: MediaSessionHandle;
  /** What a held party hears, asked at each hold (a URL's music may arrive during the call). */
  holdMusic: () => PlayItem[];
  log: BridgeLog;
  /** Called once when the call is over and everything is released. */
  onEnded: (call: BridgedCall) => void;
  /** A REFER from a main leg (a phone transferring the call); without it REFERs get 603. */
  onRefer?: (call: BridgedCall, leg: Leg, refer: IncomingRefer) => void;
}

/** How a supervisor takes part: hears everyone and is heard by nobody, by the operator only, or by all. */
export type SupervisorMode = 'listen' | 'whisper' | 'barge';

export class BridgedCall {
  readonly legs: Partial<Record<LegRole, Leg>> = {};
  readonly side: Partial<Record<SidePurpose, Leg>> = {};
  readonly recorder: CallRecorder;
  readonly room: CallRoom;
  // What the operations set; modeFor() turns it into what each leg hears.
  supervisorMode: SupervisorMode = 'listen';
  /** The remote party waits on hold (music) while the operator consults (warm transfer). */
  consulting = false;
  /** The API put the remote party on hold (re-INVITE sendonly). */
  held = false;
  /** The API muted the operator. */
  muted = false;
  /** A transfer is being set up (before its leg is dialled): no second one may start. */
  transferPending = false;
  /** The main leg a blind transfer under way will replace: if it hangs up meanwhile, the call waits for the target. */
  outgoing: Leg | undefined;
  private ended = false;
  private answered = false;
  /** Legs that left the call and wait for their own BYE (a phone that transferred). */
  private readonly leaving = new Set<Leg>();
  private endReason: { side: HangupSide; cause?: string } | undefined;
  /** Columns waiting for the next status change (patchLater). */
  private patchedLater: CallPatch | undefined;
  /** Serialises operations that re-INVITE, so two holds never cross on the wire. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly tenantId: string,
    private readonly deps: BridgedCallDeps,
  ) {
    this.recorder = new CallRecorder(id, tenantId, deps.media, deps.recordings);
    this.room = new CallRoom(deps.media, deps.log, id);
  }

  get media(): MediaSessionHandle {
    return this.deps.media;
  }

  get isAnswered(): boolean {
    return this.answered;
  }

  get isOver(): boolean {
    return this.ended;
  }

  /** A blind transfer or a consult is under way (one at a time). */
  get transferring(): boolean {
    return this.transferPending || this.side.transfer !== undefined || this.side.consult !== undefined;
  }

  // ---- legs ---------------------------------------------------------------

  /** Adds a main leg and follows its SIP session: BYE, re-INVITEs (holds from phones), REFER. */
  addLeg(role: LegRole, sip: SipLeg, endpointId: string, operator: boolean, extra: Pick<Leg, 'extensionId' | 'agentId'> = {}): Leg {
    const leg = this.newLeg(role, sip, endpointId, operator, extra);
    this.legs[role] = leg;
    return leg;
  }

  /** Adds a side leg: it talks only as its operation says until it takes over a main leg. */
  addSideLeg(purpose: SidePurpose, role: LegRole, sip: SipLeg, endpointId: string, operator: boolean, extra: Pick<Leg, 'extensionId' | 'agentId'> = {}): Leg {
    const leg = this.newLeg(role, sip, endpointId, operator, extra);
    this.side[purpose] = leg;
    return leg;
  }

  /** A leg followed by this call but not (yet) one of its legs: `takeOver` places it. */
  newLeg(role: LegRole, sip: SipLeg, endpointId: string, operator: boolean, extra: Pick<Leg, 'extensionId' | 'agentId'> = {}): Leg {
    const leg: Leg = { role, sip, endpointId, operator, heldByPeer: false, joined: false, answered: false, off: () => undefined, ...extra };
    // Both kinds of session emit the shared session events.
    const events = sip as InboundCall;
    const onOffer = (offer: IncomingOffer) => void this.peerOffer(leg, offer);
    const onEnd = (t: Termination) => void this.legEnded(leg, t);
    const onRefer = (r: IncomingRefer) => this.peerRefer(leg, r);
    events.on('offer', onOffer);
    events.on('terminated', onEnd);
    events.on('refer', onRefer);
    leg.off = () => {
      events.off('offer', onOffer);
      events.off('terminated', onEnd);
      events.off('refer', onRefer);
    };
    return leg;
  }

  /** The main leg on this SIP session. */
  legOf(sip: unknown): Leg | undefined {
    return [this.legs.caller, this.legs.callee].find((l) => l !== undefined && l.sip === sip);
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

  async transition(event: CallEventName, d: TransitionDetails = {}): Promise<void> {
    const later = this.patchedLater;
    this.patchedLater = undefined;
    try {
      await this.deps.records.transition(this.id, event, later ? { ...d, patch: { ...later, ...d.patch } } : d);
    } catch (err) {
      // Not written: it waits for the next change (or the end).
      if (later) this.patchedLater = { ...later, ...(this.patchedLater as CallPatch | undefined) };
      // A late event after the call reached a final state changes nothing.
      this.deps.log.debug({ call: this.id, event, err: (err as Error).message }, 'call transition ignored');
    }
  }

  /**
   * Descriptive columns (the callee leg's SIP Call-ID) written with the call's next status
   * change rather than on their own: one write fewer per call. Whatever is left when the call
   * is over is written then.
   */
  patchLater(patch: CallPatch): void {
    this.patchedLater = { ...this.patchedLater, ...patch };
  }

  private async flushPatch(): Promise<void> {
    const later = this.patchedLater;
    this.patchedLater = undefined;
    if (later) await this.update(later);
  }

  /** A timeline entry (transfers, holds, monitoring); a failure to write it never breaks the call. */
  async note(type: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.deps.records.note(this.id, type, data).catch((err: unknown) => this.deps.log.warn({ call: this.id, type, err: (err as Error).message }, 'call note lost'));
  }

  async update(patch: CallPatch): Promise<void> {
    await this.deps.records.update(this.id, patch).catch(() => undefined);
  }

  /** Both legs (or the one there is) talk in one room from now on. */
  async connect(): Promise<void> {
    await this.room.stopRingback();
    // The room and both joins are one command to the media worker.
    const waiting = [this.legs.caller, this.legs.callee].filter((l): l is Leg => l !== undefined && !l.joined);
    await this.room.open(waiting.map((leg) => ({ endpointId: leg.endpointId, mode: this.modeFor(leg) })));
    for (const leg of waiting) leg.joined = true;
    if (!this.answered) {
      this.answered = true;
      await this.transition('answer', { sipStatus: 200 });
    }
    await this.applyModes();
  }

  /** A side leg that answered joins the room, taking part as its purpose says. */
  async joinSide(leg: Leg): Promise<void> {
    if (this.ended || !this.room.isOpen || leg.joined) return;
    await this.join(leg);
  }

  private async join(leg: Leg): Promise<void> {
    await this.room.join(leg.endpointId, this.modeFor(leg));
    leg.joined = true;
  }

  /** What each leg hears and who hears it, from the call's state. */
  private modeFor(leg: Leg): ModeSpec {
    if (leg === this.side.supervisor) {
      const op = this.operatorLeg();
      if (this.supervisorMode === 'whisper' && op?.joined) return { mode: 'whisper', target: op.endpointId };
      return { mode: this.supervisorMode === 'barge' ? 'barge' : 'listen' };
    }
    if (this.legs[leg.role] === leg) {
      const onHold = leg === this.remoteLeg() && (this.held || this.consulting);
      if (onHold || this.other(leg.role)?.heldByPeer) return { mode: 'hold', music: this.deps.holdMusic() };
      if (this.muted && leg === this.operatorLeg()) return { mode: 'mute' };
    }
    return { mode: 'normal' };
  }

  /** Brings every leg in the room to the mode the call's state gives it. */
  async applyModes(): Promise<void> {
    if (this.ended || !this.room.isOpen) return;
    for (const leg of [this.legs.caller, this.legs.callee, this.side.consult, this.side.supervisor]) {
      if (leg?.joined) await this.room.setMode(leg.endpointId, this.modeFor(leg));
    }
  }

  // ---- operations -----------------------------------------------------------

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  requireAnswered(): void {
    if (this.ended) throw new ConflictError('CALL_ENDED', 'the call has ended');
    if (!this.answered) throw new ConflictError('CALL_NOT_IN_PROGRESS', 'the call is not in progress');
  }

  /** Ends the call from the API: CANCEL what still rings, BYE what is answered. */
  async hangup(side: HangupSide = 'api', cause?: string): Promise<void> {
    if (this.ended) return;
    this.endReason ??= { side, ...(cause ? { cause } : {}) };
    for (const leg of [this.legs.caller, this.legs.callee]) if (leg) releaseSip(leg.sip, 487);
    // Hung up before anyone answered: a cancel (our CANCEL's 487 from the callee is ignored
    // once the call is over, so it is recorded here).
    if (!this.answered) await this.transition('cancel', { side: this.endReason.side, ...(cause ? { cause } : {}) });
    await this.finish();
  }

  // ---- legs coming and going ------------------------------------------------------

  /**
   * `incoming` takes the place of `old` (or of the role nobody holds): it joins the room and
   * takes over old's role and side, a consult's hold ends, and old leaves the call: BYE at
   * once, or after `graceMs` for a phone that hangs up itself (REFER). Taking the remote
   * party off an API hold (a re-INVITE) is the transfer's business.
   */
  async takeOver(incoming: Leg, old: Leg | undefined, o: { graceMs?: number; ownSide?: boolean } = {}): Promise<void> {
    for (const p of Object.keys(this.side) as SidePurpose[]) if (this.side[p] === incoming) delete this.side[p];
    if (this.ended) {
      incoming.off();
      releaseSip(incoming.sip);
      return;
    }
    const role: LegRole = old?.role ?? (this.legs.caller ? 'callee' : 'caller');
    incoming.role = role;
    // A party dialled for a transfer takes over the side of who handed it the call (into a
    // call without an operator, POST /calls without an agent, it comes as the operator), so
    // the remote party stays the remote party. A known leg moving in (`ownSide`) keeps its own.
    if (!o.ownSide) incoming.operator = old ? old.operator : true;
    this.legs[role] = incoming;
    // From now on whatever old does (its BYE) is no longer the call's business.
    old?.off();
    if (this.outgoing === old) this.outgoing = undefined;
    this.muted = false;
    this.consulting = false;
    if (!incoming.joined && this.room.isOpen) await this.join(incoming);
    // Before old's endpoint goes: a whisper aimed at it is aimed at the newcomer.
    await this.applyModes();
    if (old) await this.dismiss(old, o.graceMs);
  }

  /** Gives a main leg away to another call (attended transfer): it leaves without a BYE. */
  async handOff(leg: Leg): Promise<void> {
    leg.off();
    if (this.legs[leg.role] === leg) delete this.legs[leg.role];
    await this.forget(leg);
  }

  /** Hangs up a side leg (CANCEL or BYE) and frees its endpoint. */
  async dropSide(purpose: SidePurpose): Promise<Leg | undefined> {
    const leg = this.side[purpose];
    if (!leg) return undefined;
    delete this.side[purpose];
    leg.off();
    releaseSip(leg.sip);
    await this.forget(leg);
    await this.applyModes();
    return leg;
  }

  private async dismiss(old: Leg, graceMs: number | undefined): Promise<void> {
    await this.forget(old);
    if (!graceMs) return releaseSip(old.sip);
    this.leaving.add(old);
    setTimeout(() => {
      this.leaving.delete(old);
      releaseSip(old.sip);
    }, graceMs).unref();
  }

  /** The endpoint of a leg that left: its recording ends, its quality is kept, it is freed. */
  private async forget(leg: Leg): Promise<void> {
    if (this.recorder.target === leg.endpointId) {
      await this.recorder.stop();
      await this.note('recording_stopped', { reason: 'recorded_leg_left' });
    }
    this.room.forget(leg.endpointId);
    await this.media.destroy(leg.endpointId).catch(() => undefined);
    // From the destroy's reply: the handle keeps a destroyed endpoint's last figures.
    if (leg.answered || this.answered) await this.recorder.measure(leg.endpointId);
  }

  // ---- what the peers do ------------------------------------------------------

  /** A re-INVITE or UPDATE from a peer: our endpoint answers; a hold puts the other party on music. */
  private async peerOffer(leg: Leg, offer: IncomingOffer): Promise<void> {
    if (!(await this.room.answerOffer(leg.endpointId, offer))) return;
    // A side leg's hold changes nothing for the others.
    if (this.legs[leg.role] !== leg || offer.hold === leg.heldByPeer) return;
    leg.heldByPeer = offer.hold;
    await this.applyModes();
    await this.note(offer.hold ? 'held' : 'unheld', { by: leg.role });
  }

  private peerRefer(leg: Leg, refer: IncomingRefer): void {
    if (this.ended || this.legs[leg.role] !== leg || !this.deps.onRefer) return void refer.reject(603);
    this.deps.onRefer(this, leg, refer);
  }

  private async legEnded(leg: Leg, t: Termination): Promise<void> {
    if (this.ended) return;
    const purpose = (Object.keys(this.side) as SidePurpose[]).find((p) => this.side[p] === leg);
    if (purpose) {
      delete this.side[purpose];
      leg.off();
      await this.forget(leg);
      await this.applyModes();
      if (leg.answered) leg.onGone?.(t);
      return;
    }
    if (this.legs[leg.role] !== leg) return; // it left the call already
    if (leg === this.outgoing && (this.side.transfer || this.transferPending)) {
      // Who is being transferred away hung up first (a phone's blind transfer): the call waits for the target.
      delete this.legs[leg.role];
      leg.off();
      await this.forget(leg);
      await this.applyModes();
      await this.note('transferor_left', { leg: leg.role });
      return;
    }
    // The peer ended it: a BYE, or (an inbound caller) a CANCEL while it rang.
    const byPeer = t.cause === 'bye-remote' || (t.cause === 'cancel' && isInbound(leg.sip));
    const side: HangupSide = byPeer ? leg.role : (this.endReason?.side ?? 'system');
    this.endReason ??= { side };
    const other = this.other(leg.role);
    if (other) releaseSip(other.sip, t.status && t.status >= 300 ? t.status : 487);
    // A caller that gives up before the answer cancels the call. (A callee that fails is
    // recorded by the B2BUA's dial, which knows its final status.)
    if (!this.answered && byPeer && leg.role === 'caller') await this.transition('cancel', { side: 'caller' });
    await this.finish();
  }

  /** Side legs and legs on their way out go with the call. */
  private releaseOthers(): void {
    for (const leg of [...Object.values(this.side), ...this.leaving]) {
      leg.off();
      releaseSip(leg.sip);
    }
    this.leaving.clear();
    this.room.close();
  }

  private async finish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.releaseOthers();
    await this.room.stopRingback();
    if (this.recorder.target) await this.recorder.stop().catch(() => undefined);
    const side = this.endReason?.side ?? 'system';
    // The media goes first: the session's destroy answers with its legs' last figures, which
    // the handle keeps, so measuring them below asks the worker nothing.
    await this.media.destroy().catch((err: unknown) => this.deps.log.warn({ call: this.id, err: (err as Error).message }, 'media session destroy failed'));
    if (this.answered) {
      for (const leg of [this.legs.caller, this.legs.callee]) if (leg) await this.recorder.measure(leg.endpointId);
      // With the end, in one write, so the call.completed event carries it too.
      const quality = this.recorder.quality;
      await this.transition('hangup', { side, ...(this.endReason?.cause ? { cause: this.endReason.cause } : {}), ...(quality ? { patch: { quality } } : {}) });
    }
    await this.flushPatch();
    this.deps.onEnded(this);
  }

  /** Marks the end of a call that never connected (the B2BUA recorded why). */
  async abandon(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.releaseOthers();
    await this.room.stopRingback();
    for (const leg of [this.legs.caller, this.legs.callee]) if (leg) releaseSip(leg.sip, 487);
    await this.media.destroy().catch(() => undefined);
    await this.flushPatch();
    this.deps.onEnded(this);
  }
}
