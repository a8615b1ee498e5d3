// The B2BUA: every call that reaches Switchboard or that the API places goes through
// here. An inbound INVITE is identified (a trunk by its source address, else an
// extension by digest), routed (docs/b2bua.md), admitted against the tenant's limits,
// recorded, given a media endpoint, and bridged to a new outbound leg. POST /calls
// (place-call.ts) dials out the same way. Media is anchored in the engine for every call.
// The per-call operations live beside this file: call-operations.ts, blind-transfer.ts,
// attended-transfer.ts, warm-transfer.ts, supervisor.ts.
import path from 'node:path';
import type { InboundCall, IncomingRefer } from '../../sip/ua/index.js';
import { parseSipUri } from '../../sip/uri.js';
import type { RecordingRecord } from '../calls/call-recordings.js';
import type { CallRecord } from '../calls/call-repository.js';
import type {
  CallControl, PlaceCallRequest, RecordingStartRequest, SupervisorRequest, TransferRequest, WarmTransferRequest,
} from '../calls/call-control.js';
import { ConflictError } from '../config/errors.js';
import { AttendedTransfers } from './attended-transfer.js';
import type { B2buaContext, B2buaOptions } from './b2bua-context.js';
import { BlindTransfers } from './blind-transfer.js';
import { BridgedCall, type Leg } from './bridged-call.js';
import { CallDirectory, type ExtensionRow, type TrunkRow } from './call-directory.js';
import { identifyCaller } from './caller-identity.js';
import { CallOperations } from './call-operations.js';
import { routeArrival, type ApplicationHost } from './destination.js';
import { callerStatus, codecsOf, Dialer } from './dialer.js';
import { holdMusicFor, prepareHoldMusic } from './hold-music.js';
import { HoldMusicCache } from './hold-music-cache.js';
import { placeCall } from './place-call.js';
import { Supervisors } from './supervisor.js';
import { Synthesizer } from './tts.js';
import { WarmTransfers } from './warm-transfer.js';
import { trunkSrtp } from '../trunks/trunk-transport.js';
import { dialledOnTrunk } from '../trunks/trunk-caller.js';

export type { B2buaOptions } from './b2bua-context.js';

/** The operations of the Calls API this B2BUA carries out: all of them. */
export type B2buaCallControl = CallControl;

export class B2bua implements B2buaCallControl, B2buaContext {
  readonly dir: CallDirectory;
  readonly dialer: Dialer;
  readonly tts: Synthesizer;
  /** Answers numbers routed to IVR flows and voicemail boxes (voice/ivr); unset, they get 480. */
  applications: ApplicationHost | undefined;
  readonly calls = new Map<string, BridgedCall>();
  draining = false;
  private readonly ops: CallOperations;
  private readonly blind: BlindTransfers;
  private readonly attended: AttendedTransfers;
  private readonly warm: WarmTransfers;
  private readonly supervisors: Supervisors;
  private readonly holdMusic: HoldMusicCache;

  constructor(readonly o: B2buaOptions) {
    this.dir = new CallDirectory(o.store);
    this.dialer = new Dialer({ ua: o.ua, bindings: o.bindings, dir: this.dir, records: o.records, log: o.log, ...(o.ringTimeoutMs ? { ringTimeoutMs: o.ringTimeoutMs } : {}) });
    this.tts = o.tts ?? new Synthesizer();
    this.ops = new CallOperations(this);
    this.blind = new BlindTransfers(this);
    this.attended = new AttendedTransfers(this);
    this.warm = new WarmTransfers(this);
    this.supervisors = new Supervisors(this);
    this.holdMusic = new HoldMusicCache({ dir: path.join(o.store.dataDir, 'hold-music'), allowPrivate: o.fetchAllowPrivate ?? false, log: o.log });
    o.ua.onInvite = (call) => void this.inbound(call).catch((err: unknown) => this.failInbound(call, err));
    // The media plane says a call is dead: a party stopped sending RTP (it vanished without a
    // BYE), or the worker holding the call exited. Hang those calls up, so that they end in
    // the records and free their slot, instead of living on forever.
    o.engine.on('media_timeout', (e) => this.lost(e.sessionId, 'media_timeout'));
    o.engine.on('worker_exit', (e) => {
      for (const id of e.lostSessions) this.lost(id, 'media_worker_lost');
    });
    // A prompt a call waits for (a whisper message) has played.
    o.engine.on('playback_done', (e) => this.bySession(e.sessionId)?.room.playbackDone(e.playId));
  }

  private bySession(sessionId: string): BridgedCall | undefined {
    for (const c of this.calls.values()) if (c.media.id === sessionId) return c;
    return undefined;
  }

  private lost(sessionId: string, why: string): void {
    const c = this.bySession(sessionId);
    if (!c) return;
    this.o.log.warn({ call: c.id, why }, 'media lost: hanging up');
    void c.hangup('system', why);
  }

  /** Calls in progress. */
  get active(): number {
    return this.calls.size;
  }

  /** SIGTERM: new INVITEs get 503 with Retry-After; calls in progress go on. */
  drain(): void {
    this.draining = true;
  }

  /** Resolves once every call has ended (or the timeout passed). */
  async idle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.calls.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }

  /** Hangs up whatever is left (the second signal, or the end of the grace time). */
  async hangupAll(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => c.hangup('system')));
  }

  // ---- inbound ---------------------------------------------------------------

  private failInbound(call: InboundCall, err: unknown): void {
    this.o.log.warn({ err: (err as Error).message, callId: call.callId }, 'inbound call failed');
    if (call.state === 'pending' || call.state === 'early') call.reject(500);
  }

  private async inbound(call: InboundCall): Promise<void> {
    if (this.draining) {
      call.reject(503, { headers: [['Retry-After', '30']] });
      return;
    }
    call.trying();
    // A phone taking over a leg of a call (RFC 3891): no new call.
    if (call.replaces) return this.attended.onInvite(call);
    const dialled = call.request.requestUri()?.user ?? '';

    // Who calls: a carrier (by source address), else an extension proving who it is.
    const who = await identifyCaller(this.dir, call, dialled);
    if (!who) return;
    const { tenantId, trunk, extension: callerExt } = who;

    const dest = await routeArrival(this.dir, tenantId, trunk ? dialledOnTrunk(call, trunk, dialled) : dialled, trunk !== undefined, this.applications);
    if (dest.kind === 'refuse') return void call.reject(dest.status, { reason: dest.reason });

    const admission = await this.o.limits.check(tenantId);
    if (!admission.ok) return void call.reject(503, { reason: 'Call limit reached', headers: [['Retry-After', String(admission.retryAfterSeconds)]] });

    const caller = callerExt
      ? await this.presentedId(tenantId, callerExt, dest.kind === 'pstn')
      : (call.from.uri && parseSipUri(call.from.uri).user) || 'anonymous';
    const record = await this.o.records.create({
      tenantId,
      direction: 'inbound',
      from: caller,
      to: dest.kind === 'extension' ? (dest.number?.e164 ?? dest.extension.extension ?? dest.extension.username) : dest.e164,
      trunkId: trunk?.id ?? (dest.kind === 'pstn' ? dest.trunk.id : null),
      callerExtensionId: callerExt?.id ?? null,
      calleeExtensionId: dest.kind === 'extension' ? dest.extension.id : null,
      sipCallId: call.callId,
    });

    let session;
    try {
      session = await this.o.engine.createSession();
    } catch (err) {
      // Nothing tracks the call yet: release its slot and close its record here.
      admission.release();
      await this.o.records.transition(record.id, 'fail', { cause: 'media_unavailable' }).catch(() => undefined);
      throw err;
    }
    const bridged = this.track(record.id, tenantId, session, trunk ?? (dest.kind === 'pstn' ? dest.trunk : undefined), admission.release);
    let a;
    try {
      a = await session.createEndpoint({
        ...(call.offer !== undefined ? { remoteSdp: call.offer } : {}),
        allowedSources: [call.source.address],
        ...(trunk ? { codecs: codecsOf(trunk) } : {}),
        ...(trunk && trunkSrtp(trunk, 'inbound') ? { srtp: trunkSrtp(trunk, 'inbound') } : {}),
      });
    } catch (err) {
      const status = (err as { sipStatus?: number }).sipStatus ?? 500;
      call.reject(status);
      await bridged.transition('reject', { sipStatus: status });
      await bridged.abandon();
      return;
    }
    const aLeg = bridged.addLeg('caller', call, a.endpointId, callerExt !== undefined, callerExt ? { extensionId: callerExt.id } : {});
    aLeg.localSdp = a.localSdp;
    // A caller that sent no offer gets ours in the 200 and answers in its ACK.
    call.on('confirmed', (e) => {
      if (call.offer === undefined && e.sdp) void session.applyAnswer(aLeg.endpointId, e.sdp).catch(() => bridged.hangup('system'));
    });
    if (dest.kind === 'application') return this.applications?.answer({ bridged, leg: aLeg, sip: call, app: dest, caller });
    await this.dialer.dial(bridged, dest, {
      from: caller,
      onRinging: () => call.ringing(),
      onAnswered: () => call.answer(a.localSdp),
      onFailed: (status) => call.reject(callerStatus(status)),
    });
  }

  /**
   * Who an extension's call shows as: its caller_id; toward the PSTN without one, the tenant's
   * default number (a carrier takes an E.164 caller id, not an extension number); else its
   * extension number or username.
   */
  private async presentedId(tenantId: string, ext: ExtensionRow, toPstn: boolean): Promise<string> {
    if (ext.caller_id) return ext.caller_id;
    const fallback = ext.extension ?? ext.username;
    if (!toPstn) return fallback;
    return (await this.dir.tenant(tenantId))?.defaultNumber ?? fallback;
  }

  track(id: string, tenantId: string, session: BridgedCall['media'], trunk: TrunkRow | undefined, release: () => void): BridgedCall {
    const music = trunk?.hold_music;
    prepareHoldMusic(music, this.holdMusic);
    const bridged = new BridgedCall(id, tenantId, {
      records: this.o.records,
      recordings: this.o.recordings,
      media: session,
      holdMusic: () => holdMusicFor(music, this.holdMusic),
      log: this.o.log,
      onEnded: (c) => {
        this.calls.delete(c.id);
        release();
      },
      onRefer: (c, leg, refer) => void this.referred(c, leg, refer),
    });
    this.calls.set(id, bridged);
    return bridged;
  }

  /** A phone on a call sent REFER: a blind transfer, or with Replaces an attended one. */
  private async referred(c: BridgedCall, leg: Leg, refer: IncomingRefer): Promise<void> {
    try {
      await (refer.replaces ? this.attended.onRefer(c, leg, refer) : this.blind.onRefer(c, leg, refer));
    } catch (err) {
      this.o.log.warn({ call: c.id, err: (err as Error).message }, 'REFER failed');
      if (!refer.reject(500)) refer.notify(500);
    }
  }

  // ---- the Calls API ------------------------------------------------------------

  /** An operation on a call: 404 when unknown, 409 when it has ended. */
  async op(tenantId: string, callId: string, fn: (c: BridgedCall) => Promise<unknown>): Promise<CallRecord | undefined> {
    const record = await this.o.records.get(tenantId, callId);
    if (!record) return undefined;
    const c = this.calls.get(callId);
    if (!c || c.tenantId !== tenantId) throw new ConflictError('CALL_ENDED', `the call is ${record.status}`);
    await fn(c);
    return this.o.records.get(tenantId, callId);
  }

  place(req: PlaceCallRequest): Promise<CallRecord> {
    return placeCall(this, req);
  }

  hangup = (t: string, id: string) => this.ops.hangup(t, id);
  accept = (t: string, id: string) => this.ops.accept(t, id);
  decline = (t: string, id: string) => this.ops.decline(t, id);
  mute = (t: string, id: string) => this.ops.mute(t, id, true);
  unmute = (t: string, id: string) => this.ops.mute(t, id, false);
  hold = (t: string, id: string) => this.ops.hold(t, id, true);
  unhold = (t: string, id: string) => this.ops.hold(t, id, false);
  dtmf = (t: string, id: string, body: { digits: string }) => this.ops.dtmf(t, id, body.digits);
  recordingStart = (t: string, id: string, body: RecordingStartRequest): Promise<RecordingRecord | undefined> => this.ops.recordingStart(t, id, body);
  recordingStop = (t: string, id: string): Promise<RecordingRecord | undefined> => this.ops.recordingStop(t, id);
  transfer = (t: string, id: string, body: TransferRequest) => this.blind.transfer(t, id, body);
  warmTransfer = (t: string, id: string, body: WarmTransferRequest) => this.warm.start(t, id, body);
  warmTransferComplete = (t: string, id: string) => this.warm.complete(t, id);
  warmTransferCancel = (t: string, id: string) => this.warm.cancel(t, id);
  listen = (t: string, id: string, body: SupervisorRequest) => this.supervisors.monitor(t, id, 'listen', body);
  whisper = (t: string, id: string, body: SupervisorRequest) => this.supervisors.monitor(t, id, 'whisper', body);
  barge = (t: string, id: string, body: SupervisorRequest) => this.supervisors.monitor(t, id, 'barge', body);
  unlisten = (t: string, id: string) => this.supervisors.unlisten(t, id);
}
