// /api/v1/voice/calendars: being written (issue 3).
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';

export function calendarRoutes(_ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [];
}
