// /api/v1/voice/sip-credentials: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function sipCredentialRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
