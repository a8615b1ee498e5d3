// A validated flow, ready to run: nodes by id with their data parsed (defaults
// applied) and each node's outgoing edges by handle. Only the validator builds one,
// so the interpreter never meets a dangling edge or a malformed node.
import type { NodeData, NodeType } from './node-schemas.js';

export interface FlowNode<K extends NodeType = NodeType> {
  id: string;
  type: K;
  data: NodeData[K];
  /** Position in definition.nodes, for messages that point at the canvas. */
  index: number;
}

export type AnyFlowNode = { [K in NodeType]: FlowNode<K> }[NodeType];

export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  /** The DTMF key, "fallback" or "failure"; null for a node's only way on. */
  handle: string | null;
}

export class CompiledFlow {
  constructor(
    readonly entry: AnyFlowNode,
    private readonly nodesById: ReadonlyMap<string, AnyFlowNode>,
    /** Outgoing edges per node id, keyed by handle ("" for none). */
    private readonly out: ReadonlyMap<string, ReadonlyMap<string, FlowEdge>>,
  ) {}

  node(id: string): AnyFlowNode | undefined {
    return this.nodesById.get(id);
  }

  nodes(): IterableIterator<AnyFlowNode> {
    return this.nodesById.values();
  }

  get size(): number {
    return this.nodesById.size;
  }

  /** The edge leaving `nodeId` on `handle` (null: the node's unlabelled edge). */
  edge(nodeId: string, handle: string | null): FlowEdge | undefined {
    return this.out.get(nodeId)?.get(handle ?? '');
  }

  hasHandle(nodeId: string, handle: string): boolean {
    return this.out.get(nodeId)?.has(handle) ?? false;
  }
}
