// /api/v1/voice/agents: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function agentRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
