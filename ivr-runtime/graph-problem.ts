// One thing wrong with a flow definition, pointing at the node, edge and field so a
// canvas can highlight it. A definition is rejected with every problem at once.

export interface GraphProblem {
  /** snake_case rule name, e.g. "node_unreachable", "transfer_external_sip". */
  code: string;
  message: string;
  node_id?: string;
  edge_id?: string;
  /** Path as the API spells it, e.g. "definition.nodes[3].data.transferTo". */
  field?: string;
}

export class FlowGraphInvalidError extends Error {
  constructor(readonly problems: GraphProblem[]) {
    super(
      `The IVR flow definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ` +
        problems
          .slice(0, 3)
          .map((p) => p.message)
          .join('; ') +
        (problems.length > 3 ? '; ...' : ''),
    );
    this.name = 'FlowGraphInvalidError';
  }
}
