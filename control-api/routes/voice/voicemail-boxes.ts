// /api/v1/voice/voicemail-boxes: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function voicemailBoxRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
