// /api/v1/voice/clones: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function cloneRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
