// Warm transfer (POST /calls/{id}/warm-transfer, /complete, /cancel): the remote party waits
// on hold music while a consult leg is dialled in the same room; when it answers it first
// hears the whisper message (espeak-ng), then joins and talks with the operator, the remote
// party hearing only its music and heard by nobody. Complete: the consult party takes the
// operator's place (the operator gets BYE) and the remote party comes off hold. Cancel, or a
// consult that fails or hangs up: the consult leg goes and the remote party is back with the
// operator.
import type { CallRecord } from '../calls/call-repository.js';
import type { WarmTransferRequest } from '../calls/call-control.js';
import { ConflictError } from '../config/errors.js';
import type { B2buaContext } from './b2bua-context.js';
import type { BridgedCall } from './bridged-call.js';
import { hold } from './call-operations.js';
import type { Leg } from './leg.js';
import { describe, presentedFor, recordPatch, resolveTo } from './transfer-target.js';
import type { Speech } from './tts.js';

type Result = Promise<CallRecord | undefined>;

export class WarmTransfers {
  constructor(private readonly ctx: B2buaContext) {}

  /** Puts the remote party on hold and dials the consult leg; resolves once it is dialled. */
  start(tenantId: string, callId: string, body: WarmTransferRequest): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      c.requireAnswered();
      if (c.transferring) throw new ConflictError('TRANSFER_IN_PROGRESS', 'a transfer of this call is under way');
      const op = c.operatorLeg();
      if (!op) throw new ConflictError('NO_OPERATOR_SIDE', 'a warm transfer needs an operator (extension or agent) on the call to consult');
      c.transferPending = true;
      try {
        const dest = await resolveTo(this.ctx, tenantId, body.to);
        const from = await presentedFor(this.ctx, c, c.remoteLeg(), dest);
        // Synthesised while the consult party rings; a file never played is deleted by the
        // synthesizer after a while (a consult cancelled while it rang).
        const speech = body.whisperMessage ? this.ctx.tts.synthesize(body.whisperMessage) : undefined;
        speech?.catch(() => undefined);
        const seen = { kind: 'warm', ...describe(dest) };
        c.consulting = true;
        await c.applyModes();
        await c.note('transfer_started', seen);
        await this.ctx.dialer.dialSide(c, 'consult', dest, {
          from,
          role: op.role,
          onAnswered: (leg) => this.answered(c, leg, speech, seen),
          onFailed: async (status) => {
            await this.back(c);
            await c.note('transfer_failed', { ...seen, status });
            await speech?.then((s) => s.dispose()).catch(() => undefined);
          },
        });
      } finally {
        c.transferPending = false;
      }
    });
  }

  private async answered(c: BridgedCall, leg: Leg, speech: Promise<Speech> | undefined, seen: Record<string, unknown>): Promise<void> {
    leg.onGone = () =>
      void (async () => {
        await this.back(c);
        await c.note('transfer_failed', { ...seen, reason: 'consult_hung_up' });
      })();
    if (speech) {
      let s: Speech | undefined;
      try {
        s = await speech;
      } catch (err) {
        // No speech (espeak-ng missing or failing): the consult party joins without the message.
        await c.note('whisper_skipped', { reason: (err as Error).message });
      }
      if (s) {
        try {
          await c.room.playTo(leg.endpointId, [{ type: 'file', path: s.path }], s.durationMs + 2000);
          await c.note('whisper_played', { duration_ms: s.durationMs });
        } catch (err) {
          await c.note('whisper_skipped', { reason: (err as Error).message });
        } finally {
          await s.dispose().catch(() => undefined);
        }
      }
    }
    // Cancelled, or the consult party hung up, while the message played.
    if (c.side.consult !== leg) return;
    await c.joinSide(leg);
    await c.note('consult_answered', { extension_id: leg.extensionId ?? null });
  }

  /** The consult party takes the operator's place; the operator gets BYE. */
  complete(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      const leg = this.consult(c);
      if (!leg.joined) throw new ConflictError('CONSULT_NOT_ANSWERED', 'the consult party has not joined yet (it rings, or hears the whisper message)');
      const op = c.operatorLeg();
      await c.takeOver(leg, op);
      await c.update(recordPatch(leg));
      if (c.held) await hold(c, false).catch((err: unknown) => this.ctx.o.log.warn({ call: c.id, err: (err as Error).message }, 'unhold after transfer failed'));
      await c.note('transfer_completed', { kind: 'warm', extension_id: leg.extensionId ?? null, agent_id: leg.agentId ?? null });
    });
  }

  /** The consult leg is hung up; the remote party is back with the operator. */
  cancel(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      this.consult(c);
      await c.dropSide('consult');
      await this.back(c);
      await c.note('transfer_cancelled', { kind: 'warm' });
    });
  }

  private consult(c: BridgedCall): Leg {
    if (c.isOver) throw new ConflictError('CALL_ENDED', 'the call has ended');
    const leg = c.side.consult;
    if (!leg) throw new ConflictError('NO_WARM_TRANSFER', 'no warm transfer is under way on this call');
    return leg;
  }

  /** Off the consult's hold: the remote party talks with the operator again. */
  private async back(c: BridgedCall): Promise<void> {
    c.consulting = false;
    await c.applyModes();
  }
}
