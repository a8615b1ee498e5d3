// Monitoring (POST /calls/{id}/listen, /whisper, /barge, /unlisten; scope voice:monitor): a
// supervisor leg dialled to `to` joins the call's room in a mode of the media engine's rooms:
//
//   listen   hears everyone, heard by nobody
//   whisper  hears everyone, heard by the operator (the extension or agent) only
//   barge    hears everyone, heard by everyone
//
// A second request changes the mode of the supervisor leg there is (ringing or talking);
// unlisten hangs it up. The supervisor is never recorded in listen or whisper mode (a mono
// recording hears what the room hears).
import type { CallRecord } from '../calls/call-repository.js';
import type { SupervisorRequest } from '../calls/call-control.js';
import { ConfigError, ConflictError } from '../config/errors.js';
import type { B2buaContext } from './b2bua-context.js';
import type { BridgedCall, SupervisorMode } from './bridged-call.js';
import { describe, presentedFor, resolveTo } from './transfer-target.js';

type Result = Promise<CallRecord | undefined>;

export class Supervisors {
  /** Calls whose supervisor leg is being set up: a second request only changes the mode. */
  private readonly dialling = new WeakSet<BridgedCall>();

  constructor(private readonly ctx: B2buaContext) {}

  /** listen, whisper or barge: dials the supervisor at `to`, or changes the mode of the one on the call. */
  monitor(tenantId: string, callId: string, mode: SupervisorMode, body: SupervisorRequest): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      c.requireAnswered();
      if (mode === 'whisper' && !c.operatorLeg()) throw new ConflictError('NO_OPERATOR_SIDE', 'whisper needs an operator (extension or agent) on the call to whisper to');
      if (c.side.supervisor || this.dialling.has(c)) {
        c.supervisorMode = mode;
        await c.applyModes();
        await c.note('supervisor_mode', { mode });
        return;
      }
      if (!body.to) throw new ConfigError([{ field: 'to', code: 'REQUIRED', message: 'where to reach the supervisor: no supervisor is on the call yet' }]);
      c.supervisorMode = mode;
      this.dialling.add(c);
      try {
        await this.dial(c, mode, body.to);
      } finally {
        this.dialling.delete(c);
      }
    });
  }

  private async dial(c: BridgedCall, mode: SupervisorMode, to: string): Promise<void> {
    const dest = await resolveTo(this.ctx, c.tenantId, to);
    const from = await presentedFor(this.ctx, c, c.remoteLeg(), dest);
    const seen = { mode, ...describe(dest) };
    await c.note('supervisor_dialled', seen);
    await this.ctx.dialer.dialSide(c, 'supervisor', dest, {
      from,
      role: 'callee',
      onAnswered: async (leg) => {
        leg.onGone = () => void c.note('supervisor_left', { by: 'supervisor' });
        await c.joinSide(leg);
        await c.note('supervisor_joined', { mode: c.supervisorMode });
      },
      onFailed: (status) => c.note('supervisor_failed', { ...seen, status }),
    });
  }

  /** Hangs the supervisor leg up. */
  unlisten(tenantId: string, callId: string): Result {
    return this.ctx.op(tenantId, callId, async (c) => {
      if (c.isOver) throw new ConflictError('CALL_ENDED', 'the call has ended');
      if (!(await c.dropSide('supervisor'))) throw new ConflictError('NOT_MONITORED', 'no supervisor is on this call');
      await c.note('supervisor_left', { by: 'api' });
    });
  }
}
