// The whole validation of a flow definition: the graph rules, then every reference
// to another resource of the tenant, all problems reported together. The store is
// reached only through the injected lookup, so this stays pure and unit-testable.
import type { CompiledFlow } from './flow-graph.js';
import { FlowGraphInvalidError, type GraphProblem } from './graph-problem.js';
import { checkGraph, type FlowReference } from './graph-validator.js';

/** Answers which of the given values exist in the tenant (one batch per kind). */
export interface ReferenceLookup {
  /** Extensions (digits) registered in the tenant's SIP credentials. */
  existingExtensions(extensions: string[]): Promise<ReadonlySet<string>>;
  existingVoicemailBoxes(ids: string[]): Promise<ReadonlySet<string>>;
  existingRingGroups(ids: string[]): Promise<ReadonlySet<string>>;
}

export interface ValidFlow {
  flow: CompiledFlow;
  /** Total menu options over all menu nodes (the API's options_count). */
  optionsCount: number;
}

const MISSING: Record<FlowReference['kind'], { code: string; what: string }> = {
  extension: { code: 'extension_not_found', what: 'no SIP credential of this tenant has extension' },
  voicemail_box: { code: 'voicemail_box_not_found', what: 'this tenant has no voicemail box' },
  ring_group: { code: 'ring_group_not_found', what: 'this tenant has no ring group' },
};

export async function checkReferences(refs: FlowReference[], lookup: ReferenceLookup): Promise<GraphProblem[]> {
  const values = (kind: FlowReference['kind']) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.value))];
  const [extensions, boxes, groups] = await Promise.all([
    values('extension').length ? lookup.existingExtensions(values('extension')) : new Set<string>(),
    values('voicemail_box').length ? lookup.existingVoicemailBoxes(values('voicemail_box')) : new Set<string>(),
    values('ring_group').length ? lookup.existingRingGroups(values('ring_group')) : new Set<string>(),
  ]);
  const known = { extension: extensions, voicemail_box: boxes, ring_group: groups };
  return refs
    .filter((r) => !known[r.kind].has(r.value))
    .map((r) => ({
      code: MISSING[r.kind].code,
      message: `${MISSING[r.kind].what} ${JSON.stringify(r.value)}`,
      node_id: r.node_id,
      field: r.field,
    }));
}

export function optionsCount(flow: CompiledFlow): number {
  let n = 0;
  for (const node of flow.nodes()) if (node.type === 'menu') n += node.data.menuOptions.length;
  return n;
}

/** Validates a definition; throws FlowGraphInvalidError listing every problem. */
export async function validateFlow(definition: unknown, lookup: ReferenceLookup): Promise<ValidFlow> {
  const checked = checkGraph(definition);
  const problems = [...checked.problems, ...(await checkReferences(checked.references, lookup))];
  if (problems.length > 0 || !checked.flow) throw new FlowGraphInvalidError(problems);
  return { flow: checked.flow, optionsCount: optionsCount(checked.flow) };
}

/**
 * A flow read back from the store. It was validated when saved, so a problem here is
 * a bug or a hand-edited database. References are not re-checked: a dry run does not
 * need them, and a live call handles a target that went away as a failed connection.
 */
export function compileStoredFlow(definition: unknown): CompiledFlow {
  const checked = checkGraph(definition);
  if (!checked.flow) throw new FlowGraphInvalidError(checked.problems);
  return checked.flow;
}
