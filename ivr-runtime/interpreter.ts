// Walks a compiled flow on one call: runs the node's handler, follows the edge it
// names, until a handler reports how the call left the flow. Bounded by a step limit
// (a caller can go round a menu loop only so often) and stopped by the call's
// AbortSignal the moment the caller hangs up.
import type { CallControl } from './call-control.js';
import type { AnyFlowNode, CompiledFlow } from './flow-graph.js';
import type { FinalAction, HangupReason } from './final-action.js';
import { HANDLERS, type FlowEnvironment, type NodeContext, type NodeHandler, type NodeResult } from './handlers/index.js';

export const DEFAULT_MAX_STEPS = 500;
export const DEFAULT_LANGUAGE = 'en-US';

export interface FlowObserver {
  /** A node starts running (step counts from 1). */
  enter?(node: AnyFlowNode, step: number): void;
  /** A trace line about what the node did or decided. */
  note?(node: AnyFlowNode, message: string): void;
}

export interface RunOptions {
  /** Aborted when the caller hangs up. */
  signal: AbortSignal;
  env: FlowEnvironment;
  maxSteps?: number;
  observer?: FlowObserver;
}

export interface FlowOutcome {
  final: FinalAction;
  /** Node ids in the order they ran (a replayed menu appears once per visit, not per replay). */
  visited: string[];
}

export async function runFlow(flow: CompiledFlow, call: CallControl, opts: RunOptions): Promise<FlowOutcome> {
  const { signal, env, observer } = opts;
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const visited: string[] = [];
  let language = DEFAULT_LANGUAGE;
  let node: AnyFlowNode = flow.entry;

  const stop = async (reason: HangupReason, at: AnyFlowNode, why: string): Promise<FlowOutcome> => {
    observer?.note?.(at, why);
    // The caller is already gone when they hung up; otherwise never leave them in silence.
    if (reason !== 'caller_hung_up') await call.hangup(reason).catch(() => undefined);
    return { final: { type: 'hangup', node_id: at.id, reason }, visited };
  };

  for (let step = 1; ; step++) {
    if (signal.aborted) return stop('caller_hung_up', node, 'caller hung up');
    if (step > maxSteps) return stop('step_limit', node, `step limit of ${maxSteps} nodes reached, hanging up`);
    visited.push(node.id);
    observer?.enter?.(node, step);
    if (node.type === 'menu') language = node.data.language;
    const current = node;
    const ctx: NodeContext = {
      node: current,
      call,
      signal,
      env,
      language: nodeLanguage(current) ?? language,
      hasEdge: (h) => flow.hasHandle(current.id, h),
      note: (m) => observer?.note?.(current, m),
    };
    let result: NodeResult;
    try {
      result = await (HANDLERS[current.type] as NodeHandler).run(ctx);
    } catch (err) {
      if (signal.aborted) return stop('caller_hung_up', current, 'caller hung up');
      return stop('internal_error', current, `error in ${current.type} node: ${(err as Error).message}; hanging up`);
    }
    if ('final' in result) return { final: result.final, visited };
    const edge = flow.edge(current.id, result.next);
    const target = edge && flow.node(edge.target);
    // The validator guarantees the edge exists; a miss here is a bug, not the caller's fault.
    if (!edge || !target) return stop('internal_error', current, `no edge on ${result.next ?? 'the default handle'}; hanging up`);
    observer?.note?.(current, `following edge "${edge.id}"${edge.handle ? ` (${edge.handle})` : ''} to "${target.id}"`);
    node = target;
  }
}

/** The language a node asks for itself, if any (a menu always has one). */
function nodeLanguage(node: AnyFlowNode): string | undefined {
  const l = (node.data as { language?: unknown }).language;
  return typeof l === 'string' ? l : undefined;
}
