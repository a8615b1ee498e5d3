// The interpreter's CallControl on a real answered call: prompts and keys on the caller's
// media endpoint (call-audio.ts), transfers and ring groups through the B2BUA's dialer
// (connect-caller.ts, ring-group-fork.ts), hangup through the call itself, so the call
// record, its webhooks and the media session end as for any other call.
import type {
  CallControl,
  CollectOptions,
  Collected,
  DialOutcome,
  DialTarget,
  RecordOptions,
  Recorded,
  SayOptions,
} from '../../ivr-runtime/index.js';
import type { B2buaContext } from '../b2bua/b2bua-context.js';
import type { BridgedCall } from '../b2bua/bridged-call.js';
import { routeTransfer } from '../b2bua/destination.js';
import type { CallAudio } from './call-audio.js';
import { connectCaller } from './connect-caller.js';
import { forkCaller } from './ring-group-fork.js';
import { ringPlan, type RingGroupState } from './ring-group-members.js';

export interface LiveCallDeps {
  ctx: B2buaContext;
  call: BridgedCall;
  audio: CallAudio;
  ringGroups: RingGroupState;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export class LiveCallControl implements CallControl {
  constructor(private readonly d: LiveCallDeps) {}

  say(text: string, o: SayOptions): Promise<void> {
    return this.d.audio.say(text, o.language, o);
  }

  play(_sound: 'beep', o: { signal: AbortSignal }): Promise<void> {
    return this.d.audio.beep(o.signal);
  }

  /** Keys from the buffer (typed ahead during a prompt) and then as they come, each within the timeout. */
  async collectDigits(o: CollectOptions): Promise<Collected> {
    let digits = '';
    while (digits.length < o.maxDigits) {
      if (!(await this.d.audio.digits.wait(o.timeoutSeconds * 1000, o.signal))) return { digits, endedBy: 'timeout' };
      const key = this.d.audio.digits.take()!;
      if (o.terminator !== undefined && key === o.terminator) return { digits, endedBy: 'terminator' };
      digits += key;
    }
    return { digits, endedBy: 'max_digits' };
  }

  async record(o: RecordOptions): Promise<Recorded> {
    const r = await this.d.audio.record(o);
    return { durationSeconds: r.durationMs / 1000, endedBy: r.endedBy, file: r.path };
  }

  async transfer(to: string, o: { signal: AbortSignal }): Promise<DialOutcome> {
    const { ctx, call } = this.d;
    const dest = await routeTransfer(ctx.dir, call.tenantId, to);
    if (dest.kind === 'refuse') {
      await call.note('transfer_failed', { kind: 'ivr_transfer', to, status: dest.status, reason: dest.reason });
      return 'failed';
    }
    return connectCaller(ctx, call, dest, { signal: o.signal, kind: 'ivr_transfer' });
  }

  async dial(target: DialTarget, o: { signal: AbortSignal }): Promise<DialOutcome> {
    const { ctx, call } = this.d;
    const plan = await ringPlan(ctx, this.d.ringGroups, call.tenantId, target.ringGroupId);
    if (!plan || plan.leaves.length === 0) {
      await call.note('transfer_failed', { kind: 'ring_group', ring_group_id: target.ringGroupId, reason: plan ? 'no reachable member' : 'no such ring group' });
      return 'failed';
    }
    const ringMs = plan.group.ringTimeoutSec * 1000;
    if (plan.group.strategy === 'simultaneous') return forkCaller(ctx, call, plan.leaves.map((l) => l.dest), { signal: o.signal, ringTimeoutMs: ringMs });
    // The others hunt: one member at a time, each for the group's ring timeout.
    let last: DialOutcome = 'no_answer';
    for (const leaf of plan.leaves) {
      this.d.ringGroups.rung(plan.group.id, leaf.member);
      last = await connectCaller(ctx, call, leaf.dest, { signal: o.signal, ringTimeoutMs: ringMs, kind: 'ring_group' });
      if (last === 'answered') return last;
    }
    return last;
  }

  async hangup(reason: string): Promise<void> {
    const { call } = this.d;
    if (call.isOver) return;
    await call.note('ivr_hangup', { reason });
    await call.hangup('system');
  }
}
