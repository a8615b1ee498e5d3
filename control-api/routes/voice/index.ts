// Every route module of the Voice API, mounted under /api/v1/voice.
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';
import { sipTrunkRoutes } from './sip-trunks.js';
import { sipCredentialRoutes } from './sip-credentials.js';
import { ivrFlowRoutes } from './ivr-flows.js';
import { ringGroupRoutes } from './ring-groups.js';
import { queueRoutes } from './queues.js';
import { agentRoutes } from './agents.js';
import { calendarRoutes } from './calendars.js';
import { voicemailBoxRoutes } from './voicemail-boxes.js';
import { cloneRoutes } from './clones.js';
import { callRoutes } from './calls.js';
import { callOperationRoutes } from './call-operations.js';
import { voicemailRoutes } from './voicemails.js';
import { transcriptionRoutes } from './transcriptions.js';

export type { VoiceRouteContext } from './common.js';

export function voiceRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [
    ...sipTrunkRoutes(ctx),
    ...sipCredentialRoutes(ctx),
    ...ivrFlowRoutes(ctx),
    ...ringGroupRoutes(ctx),
    ...queueRoutes(ctx),
    ...agentRoutes(ctx),
    ...calendarRoutes(ctx),
    ...voicemailBoxRoutes(ctx),
    ...cloneRoutes(ctx),
    ...callRoutes(ctx),
    ...callOperationRoutes(ctx),
    ...voicemailRoutes(ctx),
    ...transcriptionRoutes(ctx),
  ];
}
