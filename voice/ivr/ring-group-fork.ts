// A simultaneous ring group: every leaf is INVITEd at once (RFC 3261 §16.7's forking, done by
// the B2BUA with one leg per member), the first to answer is bridged to the caller, and the
// others get a CANCEL (or a BYE when their 200 crossed ours). The dialer's single side-leg slot
// holds one leg; here each forked leg is followed by the call (BridgedCall.newLeg) until one
// takes the callee's place. Targets come from the dialer, as for every other leg.
import type { OutboundCall } from '../../sip/ua/index.js';
import type { DialOutcome } from '../../ivr-runtime/index.js';
import type { B2buaContext } from '../b2bua/b2bua-context.js';
import type { BridgedCall, Leg } from '../b2bua/bridged-call.js';
import { codecsOf, type Reachable } from '../b2bua/dialer.js';
import { releaseSip } from '../b2bua/leg.js';
import { describe, presentedFor, recordPatch } from '../b2bua/transfer-target.js';
import { outcomeOf } from './connect-caller.js';

interface Branch {
  leg: Leg;
  out: OutboundCall;
}

/** Rings every destination at once; resolves how the attempt ended. */
export async function forkCaller(ctx: B2buaContext, c: BridgedCall, dests: Reachable[], o: { signal: AbortSignal; ringTimeoutMs: number }): Promise<DialOutcome> {
  o.signal.throwIfAborted();
  const caller = c.legs.caller;
  if (!caller || c.isOver) throw new Error('the call has no caller any more');
  const branches = new Set<Branch>();
  const statuses: number[] = [];
  let decided = false;
  let settle: (v: DialOutcome) => void = () => undefined;
  const settled = new Promise<DialOutcome>((resolve) => (settle = resolve));

  const drop = async (b: Branch) => {
    branches.delete(b);
    b.leg.off();
    releaseSip(b.out);
    await c.media.destroy(b.leg.endpointId).catch(() => undefined);
  };
  const decide = async (outcome: DialOutcome) => {
    if (decided) return;
    decided = true;
    clearTimeout(timer);
    await c.room.stopRingback();
    for (const b of [...branches]) await drop(b);
    settle(outcome);
  };
  const lost = (b: Branch, status: number) => {
    if (decided || !branches.has(b)) return;
    branches.delete(b);
    b.leg.off();
    void c.media.destroy(b.leg.endpointId).catch(() => undefined);
    statuses.push(status);
    if (branches.size === 0) void decide(statuses.every((s) => s === 486 || s === 600) ? 'busy' : statuses.some((s) => outcomeOf(s) === 'no_answer') ? 'no_answer' : 'failed');
  };

  await c.note('transfer_started', { kind: 'ring_group', to: dests.map((d) => describe(d).to) });
  await c.room.ringback(caller.endpointId).catch(() => undefined);
  const timer = setTimeout(() => void decide('no_answer'), o.ringTimeoutMs);
  const onAbort = () => void decide('failed');
  o.signal.addEventListener('abort', onAbort, { once: true });

  for (const dest of dests) {
    const target = ctx.dialer.targetOf(dest);
    if (!target || decided) continue;
    const ep = await c.media.createEndpoint({
      ...(dest.kind === 'pstn' ? { codecs: codecsOf(dest.trunk) } : {}),
      ...(target.via ? { allowedSources: [target.via.address] } : {}),
    });
    let out: OutboundCall;
    try {
      out = ctx.o.ua.invite({
        target: target.uri,
        ...(target.via ? { via: target.via } : {}),
        from: `sip:${await presentedFor(ctx, c, caller, dest)}@${target.fromHost}`,
        sdp: ep.localSdp,
        ...(target.credentials ? { credentials: target.credentials } : {}),
        ringTimeoutMs: o.ringTimeoutMs,
      });
    } catch {
      await c.media.destroy(ep.endpointId).catch(() => undefined);
      continue;
    }
    const leg = c.newLeg('callee', out, ep.endpointId, true, dest.kind === 'extension' ? { extensionId: dest.extension.id } : {});
    const b: Branch = { leg, out };
    branches.add(b);
    out.on('failed', (e) => lost(b, e.status));
    out.on('answered', (e) => {
      void (async () => {
        if (decided || !branches.has(b)) return releaseSip(out);
        branches.delete(b); // the winner is not dropped with the rest
        if (e.sdp) await c.media.applyAnswer(ep.endpointId, e.sdp);
        leg.answered = true;
        await c.takeOver(leg, undefined);
        await c.update(recordPatch(leg));
        await c.note('transfer_completed', { kind: 'ring_group', ...describe(dest) });
        await decide('answered');
      })().catch(() => lost(b, 500));
    });
  }
  if (branches.size === 0) void decide('failed');
  try {
    const outcome = await settled;
    o.signal.throwIfAborted();
    return outcome;
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}
