// /api/v1/voice/queues: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function queueRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
