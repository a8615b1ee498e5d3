// Nested ring groups must form a DAG: the runtime expands a group into its leaves,
// and a group that contains itself (directly or through others) would never finish
// expanding. The check runs on the graph as it would be after the save.

/** Ring-group-to-ring-group edges of a tenant: group id -> ids of its nested groups, in member order. */
export type RingGroupGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The path by which nesting `memberId` inside `groupId` would lead back to `groupId`,
 * as `[groupId, memberId, ..., groupId]`, or undefined if it would not. `graph` holds
 * the other groups' edges; `groupId`'s own stored edges are ignored, since the save
 * replaces them. Self-nesting (`memberId === groupId`) gives `[groupId, groupId]`.
 */
export function cyclePath(graph: RingGroupGraph, groupId: string, memberId: string): string[] | undefined {
  if (memberId === groupId) return [groupId, groupId];
  // Depth-first search from the member towards groupId. `done` holds groups already
  // searched without success, so shared sub-groups (diamonds) are walked once and the
  // search is bounded by the number of edges even if stored data were cyclic.
  const done = new Set<string>();
  const onPath = new Set<string>();
  const path: string[] = [];

  const reaches = (node: string): boolean => {
    if (node === groupId) return true;
    if (done.has(node) || onPath.has(node)) return false;
    onPath.add(node);
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (reaches(next)) return true;
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
    return false;
  };

  return reaches(memberId) ? [groupId, ...path, groupId] : undefined;
}
