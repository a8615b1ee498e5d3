// The media engine's public surface: what the control plane (voice/, app/) uses.
export { InProcessMediaEngine } from './in-process-engine.js';
export { WorkerMediaEngine, type WorkerMediaEngineOptions } from './worker-engine.js';
export {
  DEFAULT_CODECS,
  MediaSessionHandle,
  resolveEngineOptions,
  sessionOf,
  type MediaEngine,
  type MediaEngineOptions,
  type ResolvedEngineOptions,
} from './engine.js';
export { MediaEngineError, type MediaEngineErrorCode, type MediaEngineErrorJSON } from './engine-error.js';
export type {
  AmdDecision,
  AmdSettings,
  CreateEndpointOptions,
  DestroyResult,
  Direction,
  DtmfEvent,
  EndpointCreated,
  EndpointErrorEvent,
  MediaEngineEvents,
  MediaTimeoutEvent,
  ModeName,
  ModeSpec,
  PlayItem,
  PlaybackDoneEvent,
  RecordOptions,
  RecordingDoneEvent,
  RecordingResult,
  RoomMember,
  WorkerExitEvent,
} from './commands.js';
export { PortAllocator, slicePortRange, type PortRange } from './port-allocator.js';
export type { JitterSettings } from './endpoint.js';
export type { TickLatenessStats } from './tick-lateness.js';
