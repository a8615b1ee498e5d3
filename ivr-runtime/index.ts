// The IVR runtime's public surface: validating flow definitions, running them on a
// call through CallControl, and the dry run.
export { NODE_TYPES, EXIT_TYPES, FAILURE_HANDLE, FALLBACK_HANDLE, type NodeType, type NodeData } from './node-schemas.js';
export { MAX_NODES, MAX_EDGES, checkGraph, type FlowReference } from './graph-validator.js';
export { FlowGraphInvalidError, type GraphProblem } from './graph-problem.js';
export { validateFlow, compileStoredFlow, optionsCount, type ReferenceLookup, type ValidFlow } from './flow-validation.js';
export type { CompiledFlow, AnyFlowNode, FlowEdge } from './flow-graph.js';
export {
  DIAL_OUTCOMES,
  type CallControl,
  type Collected,
  type CollectOptions,
  type DialOutcome,
  type DialTarget,
  type RecordEnd,
  type Recorded,
  type RecordOptions,
  type SayOptions,
} from './call-control.js';
export type { FinalAction, HangupReason } from './final-action.js';
export type { FlowEnvironment, VoicemailBoxInfo } from './handlers/index.js';
export type { DirectoryEntry } from './keypad-directory.js';
export { runFlow, DEFAULT_MAX_STEPS, type FlowOutcome, type FlowObserver, type RunOptions } from './interpreter.js';
export { ScriptedCallControl, SILENCE, type CallerScript, type CallEvent } from './scripted-call-control.js';
export { simulateFlow, type SimulationOptions, type SimulationReport, type TraceLine } from './dry-run.js';
