// POST /calls: checks what the request needs from the database (from, agent, quiet hours,
// where `to` goes), admits the call against the tenant's limits, records it (initiating) and
// starts dialling, answering before anyone picks up. With an agent that has an extension,
// the agent is rung first and hears ringback while the callee is dialled.
import type { CallRecord } from '../calls/call-repository.js';
import type { PlaceCallRequest } from '../calls/call-control.js';
import { ConfigError, ConflictError } from '../config/errors.js';
import { detectAnsweringMachine } from './amd.js';
import type { B2buaContext } from './b2bua-context.js';
import { CallLimitReached } from './call-limit-reached.js';
import type { CallDirectory, ExtensionRow } from './call-directory.js';
import { recordingStart } from './call-operations.js';
import { routeOutbound } from './destination.js';
import { isQuietHours } from './quiet-hours.js';

export async function placeCall(ctx: B2buaContext, req: PlaceCallRequest): Promise<CallRecord> {
  const { o, dir } = ctx;
  if (ctx.draining) throw new ConflictError('DRAINING', 'the server is shutting down; try another one');
  const tenant = await dir.tenant(req.tenantId);
  const problems = new ConfigError();
  const from = req.from ?? tenant?.defaultNumber ?? undefined;
  if (!from) problems.add('from', 'REQUIRED', 'no from given and the tenant has no default_number');
  let agent: Awaited<ReturnType<CallDirectory['agent']>>;
  if (req.agentId) {
    agent = await dir.agent(req.tenantId, req.agentId);
    if (!agent || agent.archived) problems.add('agent_id', 'NOT_FOUND', 'no such agent, or it is archived');
  }
  if (req.timezone && isQuietHours(req.timezone, o.now?.() ?? new Date())) {
    problems.add('timezone', 'QUIET_HOURS', 'it is between 21:00 and 08:00 where the callee is: outbound calls are refused');
  }
  const dest = await routeOutbound(dir, req.tenantId, req.to);
  if (dest.kind === 'refuse') problems.add('to', dest.status === 404 ? 'NOT_FOUND' : 'UNREACHABLE', dest.reason);
  problems.throwIfAny();
  if (dest.kind === 'refuse' || !from) throw new Error('unreachable');

  // The agent is called first when it has an extension; the callee once it answers.
  let agentExt: ExtensionRow | undefined;
  if (agent?.extension_id) agentExt = await dir.extensionById(req.tenantId, agent.extension_id);

  const admission = await o.limits.check(req.tenantId);
  if (!admission.ok) throw new CallLimitReached(admission.limit, admission.retryAfterSeconds);

  const record = await o.records.create({
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
    session = await o.engine.createSession();
  } catch (err) {
    admission.release();
    await o.records.transition(record.id, 'fail', { cause: 'media_unavailable' }).catch(() => undefined);
    throw err;
  }
  const bridged = ctx.track(record.id, req.tenantId, session, dest.kind === 'pstn' ? dest.trunk : undefined, admission.release);
  const onConnected = () => {
    if (req.record) void recordingStart(bridged, { dualChannel: true, trim: false }).catch(() => undefined);
    if (req.amd) void detectAnsweringMachine(bridged, o.log);
  };

  const dialCallee = () =>
    ctx.dialer.dial(bridged, dest, { from, onConnected }).catch((err: unknown) => {
      o.log.warn({ call: record.id, err: (err as Error).message }, 'dialling failed');
      void bridged.transition('fail', { cause: 'dial_failed' }).then(() => bridged.abandon());
    });

  if (agentExt) {
    void ctx.dialer.dial(bridged, { kind: 'extension', extension: agentExt, ...(req.agentId ? { agentId: req.agentId } : {}) }, {
      from,
      role: 'caller',
      onAnswered: () => {
        const leg = bridged.legs.caller;
        if (leg) void bridged.room.ringback(leg.endpointId).catch(() => undefined);
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
