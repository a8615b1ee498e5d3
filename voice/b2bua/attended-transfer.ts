// Transfers that name a dialog with Replaces (RFC 3891): a phone's attended transfer (RFC
// 5589 §7: REFER whose Refer-To carries Replaces naming its other call), and an INVITE with
// Replaces (a phone taking over a leg of a call: pickup, or the far end of an attended
// transfer done elsewhere). Both dialogs are ours, so the B2BUA does what the phones would:
//
//   alice ── call 1 ── customer         REFER (on call 2) Refer-To: …?Replaces=<alice's call-1 dialog>
//   alice ── call 2 ── bob              ─▶ customer re-INVITEd into call 2's media, takes alice's place
//                                          there; alice's two legs get NOTIFY 200 / BYE; call 1 ends
//
// The party that moves keeps its SIP dialog: a re-INVITE gives it an endpoint in the other
// call's media session, so it works with every peer that takes a re-INVITE.
import type { InboundCall, IncomingRefer, Replaces } from '../../sip/ua/index.js';
import type { B2buaContext } from './b2bua-context.js';
import { REFER_GRACE_MS } from './blind-transfer.js';
import type { BridgedCall } from './bridged-call.js';
import { identifyCaller } from './caller-identity.js';
import type { Leg } from './leg.js';
import { recordPatch } from './transfer-target.js';

export class AttendedTransfers {
  constructor(private readonly ctx: B2buaContext) {}

  /** The call and main leg whose dialog a Replaces names. */
  private find(r: Replaces): { call: BridgedCall; leg: Leg } | undefined {
    const session = this.ctx.o.ua.findDialogForReplaces(r);
    if (!session) return undefined;
    for (const call of this.ctx.calls.values()) {
      const leg = call.legOf(session);
      if (leg) return { call, leg };
    }
    return undefined;
  }

  /**
   * A REFER with Replaces on leg `x` of `c1`: the party on c1 stays, the other party of the
   * call whose leg the Replaces names comes into c1 in x's place; x and the named leg end.
   */
  async onRefer(c1: BridgedCall, x: Leg, refer: IncomingRefer): Promise<void> {
    if (!c1.isAnswered) return void refer.reject(603, { reason: 'Call Not Answered' });
    if (c1.transferring) return void refer.reject(491, { reason: 'Transfer Under Way' });
    const found = this.find(refer.replaces!);
    const moving = found && found.call !== c1 && found.call.tenantId === c1.tenantId && found.call.isAnswered ? found.call.other(found.leg.role) : undefined;
    if (!refer.accept()) return;
    // What the transferee would have heard from the target: no such dialog.
    if (!found || !moving || found.call.transferring) return void refer.notify(481);
    const { call: c2, leg: y } = found;
    c1.transferPending = c2.transferPending = true;
    const seen = { kind: 'attended', from_call_id: c2.id };
    try {
      await c1.note('transfer_started', seen);
      const ep = await c1.media.createEndpoint({ allowedSources: [moving.sip.peer.address] });
      const r = await moving.sip.reInvite(ep.localSdp);
      if (!r.ok || r.sdp === undefined || c1.isOver || c2.isOver || c2.legs[moving.role] !== moving) {
        await c1.media.destroy(ep.endpointId).catch(() => undefined);
        // It follows the new endpoint now, which is gone: that call cannot go on.
        if (r.ok && !c2.isOver) await c2.hangup('system', 'transfer_failed');
        refer.notify(r.ok ? 500 : r.status);
        await c1.note('transfer_failed', { ...seen, status: r.ok ? 500 : r.status });
        return;
      }
      await c1.media.applyAnswer(ep.endpointId, r.sdp);
      await c2.handOff(moving);
      const incoming = c1.newLeg(x.role, moving.sip, ep.endpointId, moving.operator, { ...ids(moving) });
      incoming.answered = true;
      await c1.takeOver(incoming, c1.legs[x.role] === x ? x : undefined, { graceMs: REFER_GRACE_MS, ownSide: true });
      refer.notify(200);
      await c2.note('transferred', { to_call_id: c1.id });
      // The dialog the Replaces named ends with a BYE, as the target of the INVITE would end it.
      await c2.hangup(y.role, 'attended_transfer');
      await c1.update(recordPatch(incoming));
      await c1.note('transfer_completed', seen);
    } finally {
      c1.transferPending = false;
      c2.transferPending = false;
    }
  }

  /**
   * An INVITE with Replaces: once its sender is known (a trunk of the call's tenant, or an
   * extension proving itself), it takes the named leg's place in its call (RFC 3891 §3).
   */
  async onInvite(inv: InboundCall): Promise<void> {
    const who = await identifyCaller(this.ctx.dir, inv, inv.request.requestUri()?.user ?? '');
    if (!who) return;
    const found = this.find(inv.replaces!);
    if (!found || found.call.tenantId !== who.tenantId || found.call.isOver) return void inv.reject(481);
    const { call: c, leg: y } = found;
    // RFC 3891 §3: we replace confirmed dialogs only ("early-only" then gets 486); an early
    // dialog we created is answered 481, and an early one of a caller is no pickup in a B2BUA.
    if (y.sip.state !== 'confirmed') return void inv.reject(481);
    if (inv.replaces!.earlyOnly) return void inv.reject(486);
    if (c.transferring) return void inv.reject(486, { reason: 'Transfer Under Way' });
    let ep;
    try {
      ep = await c.media.createEndpoint({ ...(inv.offer !== undefined ? { remoteSdp: inv.offer } : {}), allowedSources: [inv.source.address] });
    } catch (err) {
      return void inv.reject((err as { sipStatus?: number }).sipStatus ?? 500);
    }
    const leg = c.newLeg(y.role, inv, ep.endpointId, who.trunk === undefined, who.extension ? { extensionId: who.extension.id } : {});
    leg.answered = true;
    leg.localSdp = ep.localSdp;
    if (inv.offer === undefined) {
      inv.on('confirmed', (e) => {
        if (e.sdp) void c.media.applyAnswer(ep.endpointId, e.sdp).catch(() => c.hangup('system'));
      });
    }
    if (!inv.answer(ep.localSdp)) {
      leg.off();
      await c.media.destroy(ep.endpointId).catch(() => undefined);
      return;
    }
    await c.takeOver(leg, c.legs[y.role] === y ? y : undefined, { ownSide: true });
    await c.update(recordPatch(leg));
    await c.note('replaced', { leg: leg.role, extension_id: who.extension?.id ?? null });
  }
}

const ids = (leg: Leg): Pick<Leg, 'extensionId' | 'agentId'> => ({
  ...(leg.extensionId ? { extensionId: leg.extensionId } : {}),
  ...(leg.agentId ? { agentId: leg.agentId } : {}),
});
