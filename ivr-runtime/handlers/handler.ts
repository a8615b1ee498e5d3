// One handler per node type (like a verb class of a call-control engine): it runs
// the node on the call and says where to go next, or how the call left the flow.
import type { CallControl, DialOutcome, Recorded } from '../call-control.js';
import type { FlowNode } from '../flow-graph.js';
import type { FinalAction, HangupReason } from '../final-action.js';
import type { DirectoryEntry } from '../keypad-directory.js';
import { FAILURE_HANDLE, type NodeType } from '../node-schemas.js';

export interface VoicemailBoxInfo {
  greeting: string;
  maxDurationSeconds: number;
}

/** What a flow may look up about its tenant while it runs. */
export interface FlowEnvironment {
  voicemailBox(id: string): Promise<VoicemailBoxInfo | undefined>;
  /** Names and extensions dial-by-name searches. */
  directory(): Promise<DirectoryEntry[]>;
  /**
   * Stores a recorded message in a box (null: the tenant's default box). Live calls only: a
   * dry run records nothing and has nothing to store.
   */
  depositVoicemail?(d: { voicemailBoxId: string | null; recorded: Recorded }): Promise<void>;
  /**
   * Stores a callback request for the caller's number; it is placed after the call.
   * Live calls only.
   */
  requestCallback?(d: { nodeId: string; agentId: string | null }): Promise<void>;
}

export interface NodeContext<K extends NodeType = NodeType> {
  node: FlowNode<K>;
  call: CallControl;
  /** Aborted when the caller hangs up. */
  signal: AbortSignal;
  env: FlowEnvironment;
  /** The language to speak in: the node's own, else that of the last menu heard, else en-US. */
  language: string;
  hasEdge(handle: string): boolean;
  /** A line for the trace (the dry run shows them; a live call logs them). */
  note(message: string): void;
}

/** Follow the edge on `next` (null: the node's only edge), or stop with `final`. */
export type NodeResult = { next: string | null } | { final: FinalAction };

export interface NodeHandler<K extends NodeType = NodeType> {
  run(ctx: NodeContext<K>): Promise<NodeResult>;
}

const OUTCOME_TEXT: Record<DialOutcome, string> = {
  answered: 'answered',
  busy: 'busy',
  no_answer: 'no answer',
  failed: 'failed',
};

export function describeOutcome(o: DialOutcome): string {
  return OUTCOME_TEXT[o];
}

/**
 * A node's attempt failed: take its failure edge when the author drew one, otherwise
 * say `farewell` and hang up, so the caller is never left in silence.
 */
export async function failOrHangUp(
  ctx: NodeContext,
  why: string,
  reason: HangupReason,
  farewell: string,
): Promise<NodeResult> {
  if (ctx.hasEdge(FAILURE_HANDLE)) {
    ctx.note(`${why}; taking the "${FAILURE_HANDLE}" edge`);
    return { next: FAILURE_HANDLE };
  }
  ctx.note(`${why}; no "${FAILURE_HANDLE}" edge, hanging up`);
  return hangUp(ctx, reason, farewell);
}

export async function hangUp(ctx: NodeContext, reason: HangupReason, farewell?: string): Promise<NodeResult> {
  if (farewell) await ctx.call.say(farewell, { language: ctx.language, bargeIn: false, signal: ctx.signal });
  await ctx.call.hangup(reason);
  return { final: { type: 'hangup', node_id: ctx.node.id, reason } };
}
