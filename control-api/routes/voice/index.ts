// Every route module of the Voice API, mounted under /api/v1/voice.
import type { AnyRouteSpec } from '../../route.js';
import type { VoiceRouteContext } from './common.js';
import { sipTrunkRoutes } from './sip-trunks.js';

export type { VoiceRouteContext } from './common.js';

export function voiceRoutes(ctx: VoiceRouteContext): AnyRouteSpec[] {
  return [...sipTrunkRoutes(ctx)];
}
