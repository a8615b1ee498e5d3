// Blind transfers: POST /calls/{id}/transfer, and a phone's REFER without Replaces (RFC 3515).
// Both are done by the B2BUA itself: the remote party stays on its leg, a new leg is dialled
// in the call's media session, and the moment it answers it joins the room and takes the
// place of the leg being transferred away, which gets a BYE (a REFERring phone: after a grace
// for its own BYE). A new leg that fails changes nothing: the call goes on as it was.
//
//   API:    transfer ─▶ INVITE target ─▶ 200 ─▶ target joins the room ─▶ BYE operator
//   phone:  REFER ─▶ 202, NOTIFY 100 ─▶ INVITE target ─▶ 180: NOTIFY 180 ─▶ 200: target joins,
//           NOTIFY 200, the phone hangs up (or gets our BYE after REFER_GRACE_MS)
import type { IncomingRefer } from '../../sip/ua/index.js';
import { parseSipUri } from '../../sip/uri.js';
import type { CallRecord } from '../calls/call-repository.js';
import type { TransferRequest } from '../calls/call-control.js';
import { ConflictError } from '../config/errors.js';
import type { B2buaContext } from './b2bua-context.js';
import type { BridgedCall } from './bridged-call.js';
import { hold } from './call-operations.js';
import { routeInbound } from './destination.js';
import type { Reachable } from './dialer.js';
import type { Leg } from './leg.js';
import { describe, presentedFor, recordPatch, resolveTo } from './transfer-target.js';

/** How long a phone that REFERred has to hang up itself once the target answered. */
export const REFER_GRACE_MS = 2000;

export class BlindTransfers {
  constructor(private readonly ctx: B2buaContext) {}

  /** POST /calls/{id}/transfer: the operator side is replaced by `to`; resolves once it is dialled. */
  transfer(tenantId: string, callId: string, body: TransferRequest): Promise<CallRecord | undefined> {
    return this.ctx.op(tenantId, callId, async (c) => {
      c.requireAnswered();
      if (c.transferring) throw new ConflictError('TRANSFER_IN_PROGRESS', 'a transfer of this call is under way');
      const away = c.operatorLeg();
      if (!away && c.legs.caller && c.legs.callee) throw new ConflictError('NO_OPERATOR_SIDE', 'the call has no operator side to transfer');
      c.transferPending = true;
      c.outgoing = away;
      try {
        const dest = await resolveTo(this.ctx, tenantId, body.to);
        const from = await presentedFor(this.ctx, c, c.remoteLeg(), dest, body.callerId);
        await this.start(c, dest, from, away, undefined);
      } finally {
        await this.settle(c, away);
      }
    });
  }

  /** A REFER from a phone on the call (no Replaces): the other party goes to the Refer-To target. */
  async onRefer(c: BridgedCall, leg: Leg, refer: IncomingRefer): Promise<void> {
    if (!c.isAnswered) return void refer.reject(603, { reason: 'Call Not Answered' });
    if (c.transferring) return void refer.reject(491, { reason: 'Transfer Under Way' });
    let user: string | undefined;
    try {
      user = parseSipUri(refer.target).user;
    } catch {
      user = undefined;
    }
    if (!user) return void refer.reject(404, { reason: 'Unknown Transfer Target' });
    c.transferPending = true;
    // From the 202 on, a phone may hang up before the target answers (many do): the call waits.
    c.outgoing = leg;
    try {
      // Routed as the referring party would be: an extension may also reach the PSTN, a
      // carrier only the tenant's own numbers and extensions (no relay).
      const dest = await routeInbound(this.ctx.dir, c.tenantId, user, leg.extensionId === undefined);
      if (dest.kind === 'refuse') return void refer.reject(dest.status, { reason: dest.reason });
      if (!refer.accept()) return;
      const from = await presentedFor(this.ctx, c, c.other(leg.role), dest);
      await this.start(c, dest, from, leg, refer);
    } finally {
      await this.settle(c, leg);
    }
  }

  /** The transfer is dialled, or it never got that far: then nobody leaves, or if `away` left already, the call ends. */
  private async settle(c: BridgedCall, away: Leg | undefined): Promise<void> {
    c.transferPending = false;
    if (c.side.transfer) return;
    c.outgoing = undefined;
    if (away && c.legs[away.role] !== away && !c.isOver) await c.hangup(away.role, 'transfer_failed');
  }

  private async start(c: BridgedCall, dest: Reachable, from: string, away: Leg | undefined, refer: IncomingRefer | undefined): Promise<void> {
    const kind = refer ? 'refer' : 'blind';
    const seen = { kind, ...describe(dest) };
    await c.note('transfer_started', seen);
    await this.ctx.dialer.dialSide(c, 'transfer', dest, {
      from,
      role: away?.role ?? (c.legs.caller ? 'callee' : 'caller'),
      onRinging: () => void refer?.notify(180),
      onAnswered: async (leg) => {
        // The party transferred away may have hung up meanwhile: the target takes its role anyway.
        const old = away && c.legs[away.role] === away ? away : undefined;
        await c.takeOver(leg, old, refer ? { graceMs: REFER_GRACE_MS } : {});
        refer?.notify(200);
        await c.update(recordPatch(leg));
        if (c.held) await hold(c, false).catch((err: unknown) => this.ctx.o.log.warn({ call: c.id, err: (err as Error).message }, 'unhold after transfer failed'));
        await c.note('transfer_completed', seen);
      },
      onFailed: async (status) => {
        c.outgoing = undefined;
        refer?.notify(status >= 300 ? status : 500);
        await c.note('transfer_failed', { ...seen, status });
        // Whoever handed the call over is gone and nobody took it: the call ends.
        if (away && c.legs[away.role] !== away && !c.isOver) await c.hangup(away.role, 'transfer_failed');
      },
    });
  }
}
