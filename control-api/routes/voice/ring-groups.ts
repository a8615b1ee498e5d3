// /api/v1/voice/ring-groups: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function ringGroupRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
