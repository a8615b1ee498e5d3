// The B2BUA: every call that reaches Switchboard or that the API places goes through
// here. An inbound INVITE is identified (a trunk by its source address, else an
// extension by digest), routed (docs/b2bua.md), admitted against the tenant's limits,
// recorded, given a media endpoint, and bridged to a new outbound leg. POST /calls
// dials out the same way. Media is anchored in the engine for every call.
import type { InboundCall, OutboundCall, UserAgent } from '../../sip/ua/index.js';
import type { BindingTable } from '../../sip/registrar/bindings.js';
import type { Peer } from '../../sip/transaction/transaction-layer.js';
import { formatSipUri, parseSipUri } from '../../sip/uri.js';
import type { MediaEngine } from '../../media/engine/index.js';
import type { Store } from '../../store/index.js';
import type { CallRecords } from '../calls/call-records.js';
import type { CallRecordings, RecordingRecord } from '../calls/call-recordings.js';
import type { CallLimits } from '../calls/call-limits.js';
import type { CallRecord } from '../calls/call-repository.js';
import type { CallControl, PlaceCallRequest, RecordingStartRequest } from '../calls/call-control.js';
import { ConfigError, ConflictError } from '../config/errors.js';
import { CallLimitReached } from './call-limit-reached.js';
import { BridgedCall, type BridgeLog, type LegRole } from './bridged-call.js';
import { CallDirectory, type ExtensionRow, type TrunkRow } from './call-directory.js';
import { routeInbound, routeOutbound, type Destination } from './destination.js';
import { holdMusicFor } from './hold-music.js';
import { isQuietHours } from './quiet-hours.js';

/** The operations of the Calls API this B2BUA carries out (the rest come with later work). */
export type B2buaCallControl = Pick<
  CallControl,
  'place' | 'hangup' | 'accept' | 'decline' | 'mute' | 'unmute' | 'hold' | 'unhold' | 'dtmf' | 'recordingStart' | 'recordingStop'
>;

export interface B2buaOptions {
  ua: UserAgent;
  engine: MediaEngine;
  store: Store;
  bindings: BindingTable;
  records: CallRecords;
  recordings: CallRecordings;
  limits: CallLimits;
  log: BridgeLog & { info(obj: object, msg: string): void };
  /** How long a callee may ring before we CANCEL (the call becomes no_answer). Default 60 s. */
  ringTimeoutMs?: number;
  now?: () => Date;
}

const CODEC_NAMES: Record<string, string> = { PCMU: 'PCMU', PCMA: 'PCMA', G722: 'G722', OPUS: 'opus' };

export class B2bua implements B2buaCallControl {
  private readonly dir: CallDirectory;
  private readonly calls = new Map<string, BridgedCall>();
  private draining = false;

  constructor(private readonly o: B2buaOptions) {
    this.dir = new CallDirectory(o.store);
    o.ua.onInvite = (call) => void this.inbound(call).catch((err: unknown) => this.failInbound(call, err));
    // The media plane says a call is dead: a party stopped sending RTP (it vanished without a
    // BYE), or the worker holding the call exited. Hang those calls up, so that they end in
    // the records and free their slot, instead of living on forever.
    o.engine.on('media_timeout', (e) => this.lost(e.sessionId, 'media_timeout'));
    o.engine.on('worker_exit', (e) => {
      for (const id of e.lostSessions) this.lost(id, 'media_worker_lost');
    });
  }

  private lost(sessionId: string, why: string): void {
    for (const c of this.calls.values()) {
      if (c.media.id !== sessionId) continue;
      this.o.log.warn({ call: c.id, why }, 'media lost: hanging up');
      void c.hangup('system', why);
    }
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
    const dialled = call.request.requestUri()?.user ?? '';

    // Who calls: a carrier (by source address), else an extension proving who it is.
    let tenantId: string | undefined;
    let trunk: TrunkRow | undefined;
    let callerExt: ExtensionRow | undefined;
    const trunks = await this.dir.trunksForSource(call.source.address);
    if (trunks.length > 0) {
      trunk = await this.pickTrunk(trunks, dialled);
      tenantId = trunk.tenant_id;
    } else {
      const auth = await call.authenticate();
      if (!auth.ok) return; // challenged (407) or refused: the UA answered
      tenantId = auth.tenantId ?? call.tenantId;
      if (!tenantId) return void call.reject(404, { reason: 'Domain not served here' });
      callerExt = await this.dir.extensionByUsername(tenantId, auth.username);
    }

    const dest = await routeInbound(this.dir, tenantId, dialled, trunk !== undefined);
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
      });
    } catch (err) {
      const status = (err as { sipStatus?: number }).sipStatus ?? 500;
      call.reject(status);
      await bridged.transition('reject', { sipStatus: status });
      await bridged.abandon();
      return;
    }
    const aLeg = bridged.addLeg('caller', call, a.endpointId, callerExt !== undefined);
    aLeg.localSdp = a.localSdp;
    // A caller that sent no offer gets ours in the 200 and answers in its ACK.
    call.on('confirmed', (e) => {
      if (call.offer === undefined && e.sdp) void session.applyAnswer(aLeg.endpointId, e.sdp).catch(() => bridged.hangup('system'));
    });
    await this.dial(bridged, dest, {
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

  /** Of several trunks at one address (tenants sharing a carrier), the one owning the dialled number. */
  private async pickTrunk(trunks: TrunkRow[], dialled: string): Promise<TrunkRow> {
    if (trunks.length === 1) return trunks[0]!;
    const e164 = dialled.startsWith('+') ? dialled : `+${dialled}`;
    const number = await this.dir.number(e164);
    return trunks.find((t) => t.tenant_id === number?.tenant_id) ?? trunks[0]!;
  }

  // ---- the callee leg ----------------------------------------------------------

  private async dial(
    bridged: BridgedCall,
    dest: Exclude<Destination, { kind: 'refuse' }>,
    hooks: { from: string; role?: LegRole; onRinging?: () => void; onAnswered?: () => void; onFailed?: (status: number) => void },
  ): Promise<OutboundCall | undefined> {
    const role = hooks.role ?? 'callee';
    const target = this.targetOf(dest);
    if (!target) {
      hooks.onFailed?.(480);
      await bridged.transition('reject', { sipStatus: 480, cause: 'not_registered' });
      await bridged.abandon();
      return undefined;
    }
    const b = await bridged.media.createEndpoint({
      ...(dest.kind === 'pstn' ? { codecs: codecsOf(dest.trunk) } : {}),
      ...(target.via ? { allowedSources: [target.via.address] } : {}),
    });
    const fromUri = `sip:${hooks.from}@${target.fromHost}`;
    let out: OutboundCall;
    try {
      out = this.o.ua.invite({
        target: target.uri,
        ...(target.via ? { via: target.via } : {}),
        from: fromUri,
        sdp: b.localSdp,
        ...(target.credentials ? { credentials: target.credentials } : {}),
        ringTimeoutMs: this.o.ringTimeoutMs ?? 60_000,
      });
    } catch (err) {
      // A target that is no usable SIP URI (TargetError): the call fails here, not silently.
      this.o.log.warn({ call: bridged.id, target: target.uri, err: (err as Error).message }, 'callee cannot be dialled');
      hooks.onFailed?.(502);
      await bridged.transition('fail', { cause: 'bad_target' });
      await bridged.abandon();
      return undefined;
    }
    await this.o.records.update(bridged.id, role === 'callee' ? { peerSipCallId: out.callId } : { sipCallId: out.callId }).catch(() => undefined);
    // An extension, or an agent reached at a phone number, is the tenant's person (the operator side).
    bridged.addLeg(role, out, b.endpointId, dest.kind === 'extension' || dest.agentId !== undefined);
    let rang = false;
    out.on('progress', (e) => {
      if (rang || e.status === 100) return;
      rang = true;
      hooks.onRinging?.();
      if (role === 'callee') void bridged.transition('ring', { sipStatus: e.status });
    });
    out.on('answered', (e) => {
      void (async () => {
        if (e.sdp) await bridged.media.applyAnswer(b.endpointId, e.sdp);
        hooks.onAnswered?.();
        if (role === 'callee') await bridged.connect();
      })().catch((err: unknown) => {
        this.o.log.warn({ call: bridged.id, err: (err as Error).message }, 'answer could not be bridged');
        void bridged.hangup('system');
      });
    });
    out.on('failed', (e) => {
      if (bridged.isOver) return;
      hooks.onFailed?.(e.status);
      void (async () => {
        // Our CANCEL after the caller gave up is the caller's cancel, already recorded.
        const event = e.status === 408 ? 'ring_timeout' : 'reject';
        await bridged.transition(event, { sipStatus: e.status });
        await bridged.abandon();
      })();
    });
    return out;
  }

  private targetOf(dest: Exclude<Destination, { kind: 'refuse' }>):
    | { uri: string; via?: Peer; credentials?: { username: string; password: string }; fromHost: string }
    | undefined {
    if (dest.kind === 'extension') {
      const bindings = this.o.bindings.byCredential(dest.extension.id);
      if (bindings.length === 0) return undefined;
      const b = bindings.reduce((x, y) => (y.updatedAt > x.updatedAt ? y : x));
      return { uri: b.contact, via: b.source, fromHost: parseSipUri(b.aor).host };
    }
    const t = parseSipUri(dest.trunk.termination_uri);
    // An E.164 user goes out as +1415... (carriers match it literally).
    const uri = formatSipUri({ ...t, user: dest.e164, password: undefined, headers: new Map() });
    const password = this.dir.trunkPassword(dest.trunk);
    return {
      uri,
      fromHost: t.host,
      ...(dest.trunk.auth_username && password ? { credentials: { username: dest.trunk.auth_username, password } } : {}),
    };
  }

  private track(id: string, tenantId: string, session: BridgedCall['media'], trunk: TrunkRow | undefined, release: () => void): BridgedCall {
    const bridged = new BridgedCall(id, tenantId, {
      records: this.o.records,
      recordings: this.o.recordings,
      media: session,
      holdMusic: holdMusicFor(trunk?.hold_music),
      log: this.o.log,
      onEnded: (c) => {
        this.calls.delete(c.id);
        release();
      },
    });
    this.calls.set(id, bridged);
    return bridged;
  }

  // ---- the Calls API ------------------------------------------------------------

  async place(req: PlaceCallRequest): Promise<CallRecord> {
    if (this.draining) throw new ConflictError('DRAINING', 'the server is shutting down; try another one');
    const tenant = await this.dir.tenant(req.tenantId);
    const problems = new ConfigError();
    const from = req.from ?? tenant?.defaultNumber ?? undefined;
    if (!from) problems.add('from', 'REQUIRED', 'no from given and the tenant has no default_number');
    let agent: Awaited<ReturnType<CallDirectory['agent']>>;
    if (req.agentId) {
      agent = await this.dir.agent(req.tenantId, req.agentId);
      if (!agent || agent.archived) problems.add('agent_id', 'NOT_FOUND', 'no such agent, or it is archived');
    }
    if (req.timezone && isQuietHours(req.timezone, this.now())) {
      problems.add('timezone', 'QUIET_HOURS', 'it is between 21:00 and 08:00 where the callee is: outbound calls are refused');
    }
    const dest = await routeOutbound(this.dir, req.tenantId, req.to);
    if (dest.kind === 'refuse') problems.add('to', dest.status === 404 ? 'NOT_FOUND' : 'UNREACHABLE', dest.reason);
    problems.throwIfAny();
    if (dest.kind === 'refuse' || !from) throw new Error('unreachable');

    // The agent is called first when it has an extension; the callee once it answers.
    let agentExt: ExtensionRow | undefined;
    if (agent?.extension_id) agentExt = await this.dir.extensionById(req.tenantId, agent.extension_id);

    const admission = await this.o.limits.check(req.tenantId);
    if (!admission.ok) throw new CallLimitReached(admission.limit, admission.retryAfterSeconds);

    const record = await this.o.records.create({
      tenantId: req.tenantId,
      direction: 'outbound',
      from,
      to: dest.kind === 'pstn' ? dest.e164 : (dest.extension.extension ?? dest.extension.username),
      agentId: req.agentId ?? null,
      campaignId: req.campaignId ?? null,
      metadata: req.metadata,
      record: req.record,
      amd: req.amd,
      trunkId: dest.kind === 'pstn' ? dest.trunk.id : null,
      calleeExtensionId: dest.kind === 'extension' ? dest.extension.id : null,
      callerExtensionId: agentExt?.id ?? null,
    });
    let session;
    try {
      session = await this.o.engine.createSession();
    } catch (err) {
      admission.release();
      await this.o.records.transition(record.id, 'fail', { cause: 'media_unavailable' }).catch(() => undefined);
      throw err;
    }
    const bridged = this.track(record.id, req.tenantId, session, dest.kind === 'pstn' ? dest.trunk : undefined, admission.release);
    const startRecording = () => {
      if (req.record) void bridged.recordingStart({ dualChannel: true, trim: false }).catch(() => undefined);
    };

    const dialCallee = () =>
      this.dial(bridged, dest, {
        from,
        onAnswered: startRecording,
      }).catch((err: unknown) => {
        this.o.log.warn({ call: record.id, err: (err as Error).message }, 'dialling failed');
        void bridged.transition('fail', { cause: 'dial_failed' }).then(() => bridged.abandon());
      });

    if (agentExt) {
      void this.dial(bridged, { kind: 'extension', extension: agentExt }, {
        from,
        role: 'caller',
        onAnswered: () => {
          const leg = bridged.legs.caller;
          if (leg) void bridged.ringback(leg).catch(() => undefined);
          void dialCallee();
        },
        onFailed: (status) => {
          void bridged.transition('reject', { sipStatus: status, cause: 'agent_unreachable' }).then(() => bridged.abandon());
        },
      });
    } else {
      void dialCallee();
    }
    return record;
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private live(tenantId: string, callId: string): BridgedCall | undefined {
    const c = this.calls.get(callId);
    return c && c.tenantId === tenantId ? c : undefined;
  }

  /** An operation on a call: 404 when unknown, 409 when it has ended. */
  private async op(tenantId: string, callId: string, fn: (c: BridgedCall) => Promise<unknown>): Promise<CallRecord | undefined> {
    const record = await this.o.records.get(tenantId, callId);
    if (!record) return undefined;
    const c = this.live(tenantId, callId);
    if (!c) throw new ConflictError('CALL_ENDED', `the call is ${record.status}`);
    await fn(c);
    return this.o.records.get(tenantId, callId);
  }

  hangup(tenantId: string, callId: string): Promise<CallRecord | undefined> {
    return this.op(tenantId, callId, (c) => c.hangup('api'));
  }

  /** An inbound call still ringing is answered now; the callee keeps ringing and joins when it answers. */
  accept(tenantId: string, callId: string): Promise<CallRecord | undefined> {
    return this.op(tenantId, callId, async (c) => {
      const caller = c.legs.caller?.sip;
      if (!caller || !('answer' in caller) || c.isAnswered || (caller.state !== 'pending' && caller.state !== 'early')) {
        throw new ConflictError('CALL_NOT_RINGING', 'only an inbound call still ringing can be accepted');
      }
      // The answer its endpoint made for the INVITE (not a new offer: that would leave the
      // endpoint waiting for an answer the caller never sends).
      caller.answer(c.legs.caller!.localSdp);
      await c.connect();
    });
  }

  /** An inbound call still ringing is refused with 486 Busy Here. */
  decline(tenantId: string, callId: string): Promise<CallRecord | undefined> {
    return this.op(tenantId, callId, async (c) => {
      const caller = c.legs.caller?.sip;
      if (!caller || !('answer' in caller) || c.isAnswered || (caller.state !== 'pending' && caller.state !== 'early')) {
        throw new ConflictError('CALL_NOT_RINGING', 'only an inbound call still ringing can be declined');
      }
      caller.reject(486);
      await c.transition('reject', { sipStatus: 486, cause: 'declined' });
      await c.abandon();
    });
  }

  mute(tenantId: string, callId: string) {
    return this.op(tenantId, callId, (c) => c.mute(true));
  }

  unmute(tenantId: string, callId: string) {
    return this.op(tenantId, callId, (c) => c.mute(false));
  }

  hold(tenantId: string, callId: string) {
    return this.op(tenantId, callId, (c) => c.hold(true));
  }

  unhold(tenantId: string, callId: string) {
    return this.op(tenantId, callId, (c) => c.hold(false));
  }

  dtmf(tenantId: string, callId: string, body: { digits: string }) {
    return this.op(tenantId, callId, (c) => c.dtmf(body.digits));
  }

  async recordingStart(tenantId: string, callId: string, body: RecordingStartRequest): Promise<RecordingRecord | undefined> {
    let rec: RecordingRecord | undefined;
    const found = await this.op(tenantId, callId, async (c) => {
      rec = await c.recordingStart(body);
    });
    return found ? rec : undefined;
  }

  async recordingStop(tenantId: string, callId: string): Promise<RecordingRecord | undefined> {
    const record = await this.o.records.get(tenantId, callId);
    if (!record) return undefined;
    const c = this.live(tenantId, callId);
    const stopped = c ? await c.recordingStop() : undefined;
    if (stopped) return stopped;
    if (!record.recordingId) throw new ConflictError('NOT_RECORDING', 'the call has no recording');
    return this.o.recordings.get(tenantId, record.recordingId);
  }
}

function codecsOf(t: TrunkRow): string[] {
  return (JSON.parse(t.codecs) as string[]).map((c) => CODEC_NAMES[c.toUpperCase()] ?? c);
}

/** What the caller hears when the callee could not be reached. */
function callerStatus(status: number): number {
  if (status === 408) return 480; // ring timeout: nobody answered
  if (status >= 500) return 502;
  if (status === 401 || status === 407) return 502; // the carrier refused our credentials
  return status >= 300 && status < 700 ? status : 500;
}
