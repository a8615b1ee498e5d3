// /api/v1/voice/ivr-flows: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function ivrFlowRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
