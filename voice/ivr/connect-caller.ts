// Connecting an IVR caller to someone: the B2BUA's dialer rings the destination as the call's
// "transfer" side leg while the caller hears ringback; when it answers it takes the callee's
// place in the call's room (the call is then an ordinary bridged call); when it does not, the
// caller is back in the flow, which decides what comes next (a failure edge, an apology).
import type { DialOutcome } from '../../ivr-runtime/index.js';
import type { B2buaContext } from '../b2bua/b2bua-context.js';
import type { BridgedCall } from '../b2bua/bridged-call.js';
import type { Reachable } from '../b2bua/dialer.js';
import { describe, presentedFor, recordPatch } from '../b2bua/transfer-target.js';

/** How a final response that is not a 2xx reads for a flow. */
export function outcomeOf(status: number): DialOutcome {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480 || status === 487) return 'no_answer';
  return 'failed';
}

export interface ConnectOptions {
  signal: AbortSignal;
  /** Give up (CANCEL) after this long ringing; default: the dialer's ring timeout. */
  ringTimeoutMs?: number;
  /** What the timeline calls this attempt ("ivr_transfer", "ring_group"). */
  kind: string;
}

/** Rings `dest` and bridges the caller to it when it answers. */
export async function connectCaller(ctx: B2buaContext, c: BridgedCall, dest: Reachable, o: ConnectOptions): Promise<DialOutcome> {
  o.signal.throwIfAborted();
  const caller = c.legs.caller;
  if (!caller || c.isOver) throw new Error('the call has no caller any more');
  const from = await presentedFor(ctx, c, caller, dest);
  const seen = { kind: o.kind, ...describe(dest) };
  await c.note('transfer_started', seen);
  await c.room.ringback(caller.endpointId).catch(() => undefined);
  let settle: (v: DialOutcome) => void = () => undefined;
  const settled = new Promise<DialOutcome>((resolve) => (settle = resolve));
  let decided = false;
  const decide = async (outcome: DialOutcome, status?: number) => {
    if (decided) return;
    decided = true;
    await c.room.stopRingback();
    await c.note(outcome === 'answered' ? 'transfer_completed' : 'transfer_failed', { ...seen, ...(status ? { status } : {}) });
    settle(outcome);
  };
  const onAbort = () => void c.dropSide('transfer').then(() => decide('failed'));
  o.signal.addEventListener('abort', onAbort, { once: true });
  const timer = o.ringTimeoutMs
    ? setTimeout(() => void c.dropSide('transfer').then(() => decide('no_answer', 408)), o.ringTimeoutMs)
    : undefined;
  try {
    await ctx.dialer.dialSide(c, 'transfer', dest, {
      from,
      role: 'callee',
      onAnswered: async (leg) => {
        if (decided) return;
        clearTimeout(timer);
        await c.room.stopRingback();
        await c.takeOver(leg, undefined);
        await c.update(recordPatch(leg));
        await decide('answered');
      },
      onFailed: (status) => decide(outcomeOf(status), status),
    });
    const outcome = await settled;
    o.signal.throwIfAborted();
    return outcome;
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}
