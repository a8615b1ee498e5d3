// Structural validation of an IVR flow definition (spec §4): node and edge shapes,
// per-type data, handles, one entry, an exit, reachability both ways. Pure and
// synchronous; references to other resources are checked in flow-references.ts.
//
// Runs in O(nodes + edges): ids go into maps, adjacency lists are built once, then one
// BFS forward from the entry and one backward from every exit.
import type { z } from 'zod';
import { CompiledFlow, type AnyFlowNode, type FlowEdge } from './flow-graph.js';
import type { GraphProblem } from './graph-problem.js';
import {
  EXIT_TYPES,
  EXTENSION,
  FAILURE_HANDLE,
  FAILURE_TYPES,
  FALLBACK_HANDLE,
  NODE_DATA,
  NODE_TYPES,
  TERMINAL_TYPES,
  isNodeType,
  type NodeType,
} from './node-schemas.js';

export const MAX_NODES = 1000;
export const MAX_EDGES = 2000;
const MAX_ID_LENGTH = 200;

/** A node's pointer at another tenant resource, checked against the store later. */
export interface FlowReference {
  kind: 'extension' | 'voicemail_box' | 'ring_group';
  value: string;
  node_id: string;
  field: string;
}

export interface GraphCheck {
  problems: GraphProblem[];
  references: FlowReference[];
  /** Set when there are no problems. */
  flow?: CompiledFlow;
}

interface NodeSlot {
  id: string | undefined;
  type: NodeType | undefined;
  /** Parsed data; undefined when the type is unknown or the data is invalid. */
  node: AnyFlowNode | undefined;
  field: string;
  isEntry: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const validId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;

function zodPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function dataProblems(error: z.ZodError, nodeId: string | undefined, field: string): GraphProblem[] {
  return error.issues.map((i) => {
    const custom = i.code === 'custom' ? (i.params as { code?: string } | undefined)?.code : undefined;
    return {
      code: custom ?? i.code,
      message: i.message,
      ...(nodeId !== undefined ? { node_id: nodeId } : {}),
      field: `${field}.data${zodPath(i.path)}`,
    };
  });
}

export function checkGraph(definition: unknown): GraphCheck {
  const problems: GraphProblem[] = [];
  const references: FlowReference[] = [];
  const done = (): GraphCheck => ({ problems, references });

  if (!isObject(definition)) {
    problems.push({ code: 'invalid_type', message: 'definition must be an object {nodes, edges}', field: 'definition' });
    return done();
  }
  const { nodes, edges } = definition;
  if (!Array.isArray(nodes)) problems.push({ code: 'invalid_type', message: 'nodes must be an array', field: 'definition.nodes' });
  if (!Array.isArray(edges)) problems.push({ code: 'invalid_type', message: 'edges must be an array', field: 'definition.edges' });
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return done();
  // Past the limits the deeper checks would only add noise (and cost) to a graph that is refused anyway.
  if (nodes.length > MAX_NODES) {
    problems.push({ code: 'too_many_nodes', message: `${nodes.length} nodes; a flow has at most ${MAX_NODES}`, field: 'definition.nodes' });
  }
  if (edges.length > MAX_EDGES) {
    problems.push({ code: 'too_many_edges', message: `${edges.length} edges; a flow has at most ${MAX_EDGES}`, field: 'definition.edges' });
  }
  if (problems.length > 0) return done();

  const slots = nodes.map((raw, i) => checkNode(raw, i, problems, references));
  const indexById = new Map<string, number>();
  slots.forEach((s, i) => {
    if (s.id === undefined) return;
    if (indexById.has(s.id)) {
      problems.push({ code: 'node_id_duplicate', message: `node id "${s.id}" is used by an earlier node`, node_id: s.id, field: `${s.field}.id` });
    } else {
      indexById.set(s.id, i);
    }
  });

  const out: number[][] = slots.map(() => []);
  const into: number[][] = slots.map(() => []);
  const flowEdges = new Map<number, Map<string, FlowEdge>>();
  const edgeIds = new Set<string>();

  edges.forEach((raw, j) => {
    const field = `definition.edges[${j}]`;
    if (!isObject(raw)) {
      problems.push({ code: 'invalid_type', message: 'an edge must be an object {id, source, target, sourceHandle?}', field });
      return;
    }
    const id = validId(raw.id) ? raw.id : undefined;
    const at = id !== undefined ? { edge_id: id } : {};
    if (id === undefined) {
      problems.push({ code: 'edge_id_invalid', message: `edge id must be a string of 1-${MAX_ID_LENGTH} characters`, field: `${field}.id` });
    } else if (edgeIds.has(id)) {
      problems.push({ code: 'edge_id_duplicate', message: `edge id "${id}" is used by an earlier edge`, ...at, field: `${field}.id` });
    } else {
      edgeIds.add(id);
    }
    const src = typeof raw.source === 'string' ? indexById.get(raw.source) : undefined;
    const tgt = typeof raw.target === 'string' ? indexById.get(raw.target) : undefined;
    if (src === undefined) {
      problems.push({ code: 'edge_source_unknown', message: `edge source ${JSON.stringify(raw.source ?? null)} is not a node of this flow`, ...at, field: `${field}.source` });
    }
    if (tgt === undefined) {
      problems.push({ code: 'edge_target_unknown', message: `edge target ${JSON.stringify(raw.target ?? null)} is not a node of this flow`, ...at, field: `${field}.target` });
    }
    const h = raw.sourceHandle;
    if (h !== undefined && h !== null && typeof h !== 'string') {
      problems.push({ code: 'invalid_type', message: 'sourceHandle must be a string or null', ...at, field: `${field}.sourceHandle` });
      return;
    }
    if (src !== undefined && tgt !== undefined) {
      out[src]!.push(tgt);
      into[tgt]!.push(src);
    }
    // A known source still gets its handle checked: an edge whose only fault is its
    // target still routes its key, so the menu is not also told the key is unrouted.
    if (src === undefined) return;
    const source = slots[src]!;
    const handle = typeof h === 'string' && h !== '' ? h : null;
    const key = checkHandle(source, handle, field, at, problems);
    if (key === undefined) return;
    let byHandle = flowEdges.get(src);
    if (!byHandle) flowEdges.set(src, (byHandle = new Map()));
    const taken = byHandle.get(key);
    if (taken) {
      problems.push(
        source.type === 'ivrStart'
          ? {
              code: 'ambiguous_next',
              message: `start node "${source.id}" already continues along edge "${taken.id}"; it may have only one outgoing edge`,
              ...at,
              field,
            }
          : {
              code: 'edge_handle_duplicate',
              message: `node "${source.id}" already has edge "${taken.id}" on handle "${key}"`,
              ...at,
              field: `${field}.sourceHandle`,
            },
      );
      return;
    }
    byHandle.set(key, { id: id ?? `#${j}`, source: source.id!, target: String(raw.target), handle: key === '' ? null : key });
  });

  // Every menu key should lead somewhere: an option the caller is told about but which
  // goes nowhere would only replay the menu, which is never what the author meant.
  slots.forEach((s, i) => {
    if (s.node?.type !== 'menu' || indexById.get(s.node.id) !== i) return;
    const routed = flowEdges.get(i);
    s.node.data.menuOptions.forEach((o, k) => {
      if (!routed?.has(o.key)) {
        problems.push({
          code: 'menu_option_unrouted',
          message: `menu "${s.node!.id}" offers key "${o.key}" but no edge leaves it with sourceHandle "${o.key}"`,
          node_id: s.node!.id,
          field: `${s.field}.data.menuOptions[${k}].key`,
        });
      }
    });
  });

  const entries = slots.map((s, i) => (s.isEntry && s.id !== undefined && indexById.get(s.id) === i ? i : -1)).filter((i) => i >= 0);
  if (entries.length === 0) {
    problems.push({ code: 'entry_missing', message: 'no entry node: add an ivrStart node or set data.isEntry on one node', field: 'definition.nodes' });
  } else if (entries.length > 1) {
    const names = entries.map((i) => `"${slots[i]!.id}"`).join(', ');
    for (const i of entries) {
      const s = slots[i]!;
      problems.push({
        code: 'entry_multiple',
        message: `${entries.length} entry nodes (${names}); a flow has exactly one`,
        node_id: s.id!,
        field: s.type === 'ivrStart' ? `${s.field}.type` : `${s.field}.data.isEntry`,
      });
    }
  }
  const exits = slots.map((s, i) => (s.type !== undefined && EXIT_TYPES.has(s.type) ? i : -1)).filter((i) => i >= 0);
  if (exits.length === 0) {
    problems.push({
      code: 'exit_missing',
      message: `no exit node: a flow needs at least one of ${[...EXIT_TYPES].join(', ')}`,
      field: 'definition.nodes',
    });
  }

  // Reachability needs a root; with no entry every node would be "unreachable", which says nothing new.
  if (entries.length > 0) {
    const reached = bfs(entries, out);
    const canExit = exits.length > 0 ? bfs(exits, into) : undefined;
    slots.forEach((s, i) => {
      if (s.id === undefined || indexById.get(s.id) !== i) return;
      if (!reached[i]) {
        problems.push({ code: 'node_unreachable', message: `node "${s.id}" cannot be reached from the entry node`, node_id: s.id, field: s.field });
      } else if (canExit && !canExit[i] && s.type !== undefined) {
        problems.push({
          code: 'no_path_to_exit',
          message: `node "${s.id}" has no path to an exit node: a caller reaching it would loop forever`,
          node_id: s.id,
          field: s.field,
        });
      }
    });
  }

  if (problems.length > 0) return done();
  const byId = new Map<string, AnyFlowNode>();
  for (const s of slots) byId.set(s.node!.id, s.node!);
  const outById = new Map<string, Map<string, FlowEdge>>();
  for (const [i, m] of flowEdges) outById.set(slots[i]!.id!, m);
  return { problems, references, flow: new CompiledFlow(slots[entries[0]!]!.node!, byId, outById) };
}

function checkNode(raw: unknown, index: number, problems: GraphProblem[], references: FlowReference[]): NodeSlot {
  const field = `definition.nodes[${index}]`;
  const slot: NodeSlot = { id: undefined, type: undefined, node: undefined, field, isEntry: false };
  if (!isObject(raw)) {
    problems.push({ code: 'invalid_type', message: 'a node must be an object {id, type, data}', field });
    return slot;
  }
  if (validId(raw.id)) slot.id = raw.id;
  else problems.push({ code: 'node_id_invalid', message: `node id must be a string of 1-${MAX_ID_LENGTH} characters`, field: `${field}.id` });
  const at = slot.id !== undefined ? { node_id: slot.id } : {};

  const data = raw.data === undefined ? {} : raw.data;
  if (!isObject(data)) {
    problems.push({ code: 'invalid_type', message: 'data must be an object', ...at, field: `${field}.data` });
  }
  if (!isNodeType(raw.type)) {
    problems.push({
      code: 'unknown_node_type',
      message: `unknown node type ${JSON.stringify(raw.type ?? null)}; expected one of ${NODE_TYPES.join(', ')}`,
      ...at,
      field: `${field}.type`,
    });
    return slot;
  }
  slot.type = raw.type;
  slot.isEntry = raw.type === 'ivrStart' || (isObject(data) && data.isEntry === true);
  if (!isObject(data)) return slot;

  const parsed = NODE_DATA[raw.type].safeParse(data);
  if (!parsed.success) {
    problems.push(...dataProblems(parsed.error, slot.id, field));
    return slot;
  }
  if (slot.id === undefined) return slot;
  const node = { id: slot.id, type: raw.type, data: parsed.data, index } as AnyFlowNode;
  slot.node = node;
  if (node.type === 'transfer' && EXTENSION.test(node.data.transferTo)) {
    references.push({ kind: 'extension', value: node.data.transferTo, node_id: node.id, field: `${field}.data.transferTo` });
  } else if (node.type === 'voicemail' && node.data.voicemailBoxId !== undefined) {
    references.push({ kind: 'voicemail_box', value: node.data.voicemailBoxId, node_id: node.id, field: `${field}.data.voicemailBoxId` });
  } else if (node.type === 'ringGroup') {
    references.push({ kind: 'ring_group', value: node.data.ringGroupId, node_id: node.id, field: `${field}.data.ringGroupId` });
  }
  return slot;
}

/**
 * Checks the handle of an edge leaving `source`; returns the key it is stored under
 * ("" for an unlabelled edge), or undefined when the edge is not allowed.
 */
function checkHandle(
  source: NodeSlot,
  handle: string | null,
  field: string,
  at: { edge_id?: string },
  problems: GraphProblem[],
): string | undefined {
  const type = source.type;
  if (type === undefined) return undefined;
  const id = source.id;
  if (TERMINAL_TYPES.has(type)) {
    problems.push({
      code: 'edge_from_terminal',
      message: `a ${type} node ends the call, so no edge may leave it (edge from "${id}")`,
      ...at,
      field,
    });
    return undefined;
  }
  if (FAILURE_TYPES.has(type)) {
    if (handle === FAILURE_HANDLE) return handle;
    problems.push({
      code: 'edge_handle_invalid',
      message: `an edge leaving ${type} node "${id}" is taken when it fails; set sourceHandle to "${FAILURE_HANDLE}"`,
      ...at,
      field: `${field}.sourceHandle`,
    });
    return undefined;
  }
  if (type === 'menu') {
    const menu = source.node;
    if (menu?.type !== 'menu') return undefined; // its data is invalid: already reported
    if (handle === null) {
      problems.push({
        code: 'menu_edge_missing_key',
        message: `an edge leaving menu "${id}" needs sourceHandle: one of its keys or "${FALLBACK_HANDLE}"`,
        ...at,
        field: `${field}.sourceHandle`,
      });
      return undefined;
    }
    if (handle !== FALLBACK_HANDLE && !menu.data.menuOptions.some((o) => o.key === handle)) {
      problems.push({
        code: 'menu_edge_unknown_key',
        message: `menu "${id}" has no option with key ${JSON.stringify(handle)} (keys: ${menu.data.menuOptions.map((o) => o.key).join(', ')}; or "${FALLBACK_HANDLE}")`,
        ...at,
        field: `${field}.sourceHandle`,
      });
      return undefined;
    }
    return handle;
  }
  // ivrStart: one way on; the canvas may label its handle, which means nothing here.
  return '';
}

/** Marks every node reachable from `roots` along `adjacency`. */
function bfs(roots: number[], adjacency: number[][]): boolean[] {
  const seen = new Array<boolean>(adjacency.length).fill(false);
  const queue = [...roots];
  for (const r of roots) seen[r] = true;
  for (let head = 0; head < queue.length; head++) {
    for (const next of adjacency[queue[head]!]!) {
      if (!seen[next]) {
        seen[next] = true;
        queue.push(next);
      }
    }
  }
  return seen;
}
