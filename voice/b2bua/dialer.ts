// Dialling a leg of a call: an endpoint in the call's media session, an INVITE to where the
// destination is (the extension's latest registration, or the tenant's trunk with its codecs
// and credentials), and the leg's progress fed back to whoever asked. A main leg (the callee,
// or the agent of POST /calls) decides the call's status; a side leg (transfer target,
// consult, supervisor) only reports to its operation, and the call goes on without it.
import type { OutboundCall, UserAgent } from '../../sip/ua/index.js';
import type { BindingTable } from '../../sip/registrar/bindings.js';
import type { Peer } from '../../sip/transaction/transaction-layer.js';
import { parseSipUri } from '../../sip/uri.js';
import type { CallRecords } from '../calls/call-records.js';
import type { BridgedCall } from './bridged-call.js';
import type { BridgeLog } from './bridge-log.js';
import type { CallDirectory, TrunkRow } from './call-directory.js';
import type { Destination } from './destination.js';
import type { Leg, LegRole, SidePurpose } from './leg.js';
import { refusedAnswerCause, trunkHost, trunkSrtp, trunkUri } from '../trunks/trunk-transport.js';

export type Reachable = Exclude<Destination, { kind: 'refuse' }>;

interface Target {
  uri: string;
  via?: Peer;
  credentials?: { username: string; password: string };
  fromHost: string;
}

const CODEC_NAMES: Record<string, string> = { PCMU: 'PCMU', PCMA: 'PCMA', G722: 'G722', OPUS: 'opus' };

/** The trunk's codecs, in its order, as the media engine names them. */
export function codecsOf(t: TrunkRow): string[] {
  return (JSON.parse(t.codecs) as string[]).map((c) => CODEC_NAMES[c.toUpperCase()] ?? c);
}

/** What the caller hears when the callee could not be reached. */
export function callerStatus(status: number): number {
  if (status === 408) return 480; // ring timeout: nobody answered
  if (status >= 500) return 502;
  if (status === 401 || status === 407) return 502; // the carrier refused our credentials
  return status >= 300 && status < 700 ? status : 500;
}

/** An extension, or an agent reached at a phone number, is the tenant's person (the operator side). */
const isOperator = (dest: Reachable): boolean => dest.kind === 'extension' || dest.agentId !== undefined;

const identity = (dest: Reachable): Pick<Leg, 'extensionId' | 'agentId'> => ({
  ...(dest.kind === 'extension' ? { extensionId: dest.extension.id } : {}),
  ...(dest.agentId ? { agentId: dest.agentId } : {}),
});

export interface SideHooks {
  /** Presented caller id (user part of From). */
  from: string;
  /** The role the leg takes if it replaces a main leg. */
  role: LegRole;
  onRinging?: () => void;
  /** The leg answered and its SDP is applied; it is not in the room yet. */
  onAnswered: (leg: Leg) => Promise<void> | void;
  /** It never answered (a final status, our ring timer: 408, or no usable target). */
  onFailed: (status: number) => Promise<void> | void;
}

export class Dialer {
  constructor(
    private readonly o: { ua: UserAgent; bindings: BindingTable; dir: CallDirectory; records: CallRecords; log: BridgeLog; ringTimeoutMs?: number },
  ) {}

  /** Dials a main leg: its progress and failure are the call's. */
  async dial(
    bridged: BridgedCall,
    dest: Reachable,
    hooks: {
      from: string;
      role?: LegRole;
      onRinging?: () => void;
      onAnswered?: () => void;
      /** The callee answered and the call is connected (its room up): recording can start. */
      onConnected?: () => void;
      onFailed?: (status: number) => void;
    },
  ): Promise<OutboundCall | undefined> {
    const role = hooks.role ?? 'callee';
    const target = this.targetOf(dest);
    if (!target) {
      hooks.onFailed?.(480);
      await bridged.transition('reject', { sipStatus: 480, cause: 'not_registered' });
      await bridged.abandon();
      return undefined;
    }
    const b = await bridged.media.createEndpoint(this.endpointOptions(dest, target));
    const out = this.invite(bridged, target, hooks.from, b.localSdp);
    if (!out) {
      hooks.onFailed?.(502);
      await bridged.transition('fail', { cause: 'bad_target' });
      await bridged.abandon();
      return undefined;
    }
    // With the call's next change (its ring, answer or failure), not a write of its own; and
    // nothing is awaited here, so the leg's responses find their listeners below.
    bridged.patchLater(role === 'callee' ? { peerSipCallId: out.callId } : { sipCallId: out.callId });
    bridged.addLeg(role, out, b.endpointId, isOperator(dest), identity(dest));
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
        if (role !== 'callee') return;
        await bridged.connect();
        hooks.onConnected?.();
      })().catch((err: unknown) => {
        this.o.log.warn({ call: bridged.id, err: (err as Error).message }, 'answer could not be bridged');
        // An answer we cannot take (a carrier dropping SRTP): the call fails, never goes on in the clear.
        const cause = role === 'callee' && !bridged.isAnswered ? refusedAnswerCause(err, dest.kind === 'pstn' ? dest.trunk : undefined) : undefined;
        if (!cause) return void bridged.hangup('system');
        hooks.onFailed?.(488);
        void bridged.transition('fail', { sipStatus: 488, cause }).then(() => bridged.abandon());
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

  /**
   * Dials a side leg of an answered call. Resolves with the leg once its INVITE is sent, or
   * undefined when it could not be (onFailed has been told).
   */
  async dialSide(bridged: BridgedCall, purpose: SidePurpose, dest: Reachable, hooks: SideHooks): Promise<Leg | undefined> {
    const target = this.targetOf(dest);
    if (!target) {
      await hooks.onFailed(480);
      return undefined;
    }
    const b = await bridged.media.createEndpoint(this.endpointOptions(dest, target));
    const out = this.invite(bridged, target, hooks.from, b.localSdp);
    if (!out || bridged.isOver) {
      await bridged.media.destroy(b.endpointId).catch(() => undefined);
      if (out) out.cancel();
      await hooks.onFailed(502);
      return undefined;
    }
    const leg = bridged.addSideLeg(purpose, hooks.role, out, b.endpointId, isOperator(dest), identity(dest));
    // Whatever happens after the operation dropped the leg (cancel, complete) is none of its business.
    const current = () => bridged.side[purpose] === leg && !bridged.isOver;
    let rang = false;
    out.on('progress', (e) => {
      if (rang || e.status === 100 || !current()) return;
      rang = true;
      hooks.onRinging?.();
    });
    out.on('answered', (e) => {
      void (async () => {
        if (e.sdp) await bridged.media.applyAnswer(b.endpointId, e.sdp);
        if (!current()) return;
        leg.answered = true;
        await hooks.onAnswered(leg);
      })().catch((err: unknown) => {
        this.o.log.warn({ call: bridged.id, purpose, err: (err as Error).message }, 'side leg could not be connected');
        void bridged.dropSide(purpose);
      });
    });
    out.on('failed', (e) => {
      if (current()) void hooks.onFailed(e.status);
    });
    return leg;
  }

  private endpointOptions(dest: Reachable, target: Target) {
    return {
      ...(dest.kind === 'pstn' ? { codecs: codecsOf(dest.trunk) } : {}),
      ...(dest.kind === 'pstn' && trunkSrtp(dest.trunk, 'outbound') ? { srtp: trunkSrtp(dest.trunk, 'outbound') } : {}),
      ...(target.via ? { allowedSources: [target.via.address] } : {}),
    };
  }

  private invite(bridged: BridgedCall, target: Target, from: string, sdp: string): OutboundCall | undefined {
    try {
      return this.o.ua.invite({
        target: target.uri,
        ...(target.via ? { via: target.via } : {}),
        from: `sip:${from}@${target.fromHost}`,
        sdp,
        ...(target.credentials ? { credentials: target.credentials } : {}),
        ringTimeoutMs: this.o.ringTimeoutMs ?? 60_000,
      });
    } catch (err) {
      // A target that is no usable SIP URI (TargetError): the leg fails here, not silently.
      this.o.log.warn({ call: bridged.id, target: target.uri, err: (err as Error).message }, 'leg cannot be dialled');
      return undefined;
    }
  }

  /** Where a destination is reached: undefined for an extension with no registration. */
  targetOf(dest: Reachable): Target | undefined {
    if (dest.kind === 'extension') {
      const bindings = this.o.bindings.byCredential(dest.extension.id);
      if (bindings.length === 0) return undefined;
      const b = bindings.reduce((x, y) => (y.updatedAt > x.updatedAt ? y : x));
      return { uri: b.contact, via: b.source, fromHost: parseSipUri(b.aor).host };
    }
    // An E.164 user goes out as +1415... (carriers match it literally); TLS when the trunk's encryption says.
    const uri = trunkUri(dest.trunk, dest.e164);
    const password = this.o.dir.trunkPassword(dest.trunk);
    return {
      uri,
      fromHost: trunkHost(dest.trunk),
      ...(dest.trunk.auth_username && password ? { credentials: { username: dest.trunk.auth_username, password } } : {}),
    };
  }
}
