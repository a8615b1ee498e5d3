// The flow validator: each rule of spec §4 with a definition that breaks it, all
// problems reported at once, defaults, references through the injected lookup, and the
// largest graph allowed.
import { describe, expect, it } from 'vitest';
import { checkGraph } from './graph-validator.js';
import { FlowGraphInvalidError } from './graph-problem.js';
import { validateFlow, type ReferenceLookup } from './flow-validation.js';
import { seedDefinition } from '../test/fixtures/seed-ivr-flow.js';

/** The seed's "Main Menu" example. */
function seed(): { nodes: any[]; edges: any[] } {
  return seedDefinition();
}

/** Problems as "code@field" (or "code@node" when there is no field), sorted, for exact comparison. */
function problems(def: unknown): string[] {
  return checkGraph(def)
    .problems.map((p) => `${p.code}@${p.field ?? p.node_id}`)
    .sort();
}

const noRefs: ReferenceLookup = {
  existingExtensions: async () => new Set(),
  existingVoicemailBoxes: async () => new Set(),
  existingRingGroups: async () => new Set(),
};

describe('flow validator', () => {
  it("accepts the seed's example and compiles it with the defaults applied", () => {
    const r = checkGraph(seed());
    expect(r.problems).toEqual([]);
    const menu = r.flow!.node('menu')!;
    expect(menu.type).toBe('menu');
    if (menu.type !== 'menu') return;
    expect(menu.data.maxRetries).toBe(3);
    expect(menu.data.timeout).toBe(8);
    expect(r.flow!.entry.id).toBe('start');
    expect(r.flow!.edge('menu', '2')?.target).toBe('support');
    expect(r.flow!.edge('start', null)?.target).toBe('menu');
  });

  it('applies the per-type defaults', () => {
    const d = seed();
    d.nodes[1].data = { ttsText: 'Hi', menuOptions: [{ key: '1' }, { key: '2' }, { key: '3' }] };
    d.nodes.push({ id: 'cb', type: 'offerCallback', data: {} });
    d.edges.push({ id: 'cbf', source: 'sales', target: 'cb', sourceHandle: 'failure' });
    const flow = checkGraph(d).flow!;
    expect(flow.node('menu')!.data).toMatchObject({ language: 'en-US', timeout: 5, maxRetries: 3 });
    expect(flow.node('cb')!.data).toMatchObject({ confirmKey: '1' });
  });

  it('accepts data.isEntry instead of an ivrStart node, and keeps unknown canvas keys', () => {
    const d = seed();
    d.nodes.shift();
    d.edges.shift();
    d.nodes[0].data.isEntry = true;
    d.nodes[0].position = { x: 1, y: 2 };
    d.nodes[0].data.label = 'Main';
    const r = checkGraph(d);
    expect(r.problems).toEqual([]);
    expect(r.flow!.entry.id).toBe('menu');
  });

  it('counts options over all menus', async () => {
    expect((await validateFlow(seed(), noRefs)).optionsCount).toBe(3);
  });

  it.each<[string, (d: { nodes: any[]; edges: any[] }) => void, string[]]>([
    [
      'no entry',
      (d) => {
        d.nodes.shift();
        d.edges.shift();
      },
      ['entry_missing@definition.nodes'],
    ],
    [
      'two entries',
      (d) => (d.nodes[4].data.isEntry = true),
      ['entry_multiple@definition.nodes[0].type', 'entry_multiple@definition.nodes[4].data.isEntry'],
    ],
    [
      'no exit',
      (d) => {
        d.nodes.splice(2, 3);
        d.nodes[1].data.menuOptions = [{ key: '1' }];
        d.edges = [d.edges[0], { id: 'loop', source: 'menu', target: 'menu', sourceHandle: '1' }];
      },
      ['exit_missing@definition.nodes'],
    ],
    [
      'duplicate node id',
      (d) => (d.nodes[3].id = 'sales'),
      ['node_id_duplicate@definition.nodes[3].id', 'edge_target_unknown@definition.edges[2].target'],
    ],
    ['duplicate edge id', (d) => (d.edges[2].id = 'e1'), ['edge_id_duplicate@definition.edges[2].id']],
    [
      'edge to and from nowhere',
      (d) => d.edges.push({ id: 'e9', source: 'ghost', target: 'phantom' }),
      ['edge_source_unknown@definition.edges[4].source', 'edge_target_unknown@definition.edges[4].target'],
    ],
    ['edge to nowhere', (d) => (d.edges[1].target = 'ghost'), ['edge_target_unknown@definition.edges[1].target', 'node_unreachable@definition.nodes[2]']],
    [
      'unreachable node',
      (d) => d.nodes.push({ id: 'orphan', type: 'hangup', data: {} }),
      ['node_unreachable@definition.nodes[5]'],
    ],
    [
      'inescapable loop',
      (d) => {
        d.nodes.push({ id: 'trap', type: 'menu', data: { ttsText: 'Press 1 again', menuOptions: [{ key: '1' }] } });
        d.nodes[1].data.menuOptions.push({ key: '4' });
        d.edges.push({ id: 'in', source: 'menu', target: 'trap', sourceHandle: '4' });
        d.edges.push({ id: 'self', source: 'trap', target: 'trap', sourceHandle: '1' });
      },
      ['no_path_to_exit@definition.nodes[5]'],
    ],
    ['unknown node type', (d) => (d.nodes[4].type = 'queue'), ['unknown_node_type@definition.nodes[4].type']],
    ['sip transfer', (d) => (d.nodes[2].data.transferTo = 'sip:alice@example.com'), ['transfer_external_sip@definition.nodes[2].data.transferTo']],
    ['sips transfer', (d) => (d.nodes[2].data.transferTo = 'SIPS:alice@example.com'), ['transfer_external_sip@definition.nodes[2].data.transferTo']],
    ['garbage transfer', (d) => (d.nodes[2].data.transferTo = '555-0101'), ['invalid_transfer_target@definition.nodes[2].data.transferTo']],
    ['missing transferTo', (d) => (d.nodes[2].data = {}), ['invalid_type@definition.nodes[2].data.transferTo']],
    ['edge key the menu lacks', (d) => (d.edges[3].sourceHandle = '7'), ['menu_edge_unknown_key@definition.edges[3].sourceHandle', 'menu_option_unrouted@definition.nodes[1].data.menuOptions[2].key']],
    ['menu edge without key', (d) => delete d.edges[3].sourceHandle, ['menu_edge_missing_key@definition.edges[3].sourceHandle', 'menu_option_unrouted@definition.nodes[1].data.menuOptions[2].key']],
    ['option without edge', (d) => d.nodes[1].data.menuOptions.push({ key: '#', label: 'Repeat' }), ['menu_option_unrouted@definition.nodes[1].data.menuOptions[3].key']],
    ['two edges on one key', (d) => d.edges.push({ id: 'e4', source: 'menu', target: 'support', sourceHandle: '1' }), ['edge_handle_duplicate@definition.edges[4].sourceHandle']],
    ['edge out of a hangup-like node', (d) => d.edges.push({ id: 'e4', source: 'voicemail', target: 'menu' }), ['edge_from_terminal@definition.edges[4]']],
    ['transfer edge without failure handle', (d) => d.edges.push({ id: 'e4', source: 'sales', target: 'support' }), ['edge_handle_invalid@definition.edges[4].sourceHandle']],
    ['two ways out of the start', (d) => d.edges.push({ id: 'e4', source: 'start', target: 'sales' }), ['ambiguous_next@definition.edges[4]']],
    ['node without id', (d) => delete d.nodes[4].id, ['node_id_invalid@definition.nodes[4].id', 'edge_target_unknown@definition.edges[3].target']],
    ['data not an object', (d) => (d.nodes[2].data = 'x'), ['invalid_type@definition.nodes[2].data']],
  ])('reports %s', (_name, breakIt, expected) => {
    const d = seed();
    breakIt(d);
    expect(problems(d)).toEqual([...expected].sort());
  });

  it('checks menu data: prompt, language, timeout, options, keys, retries', () => {
    const d = seed();
    d.nodes[1].data = {
      ttsText: '',
      language: 'english please',
      timeout: 0,
      menuOptions: [{ key: '1' }, { key: '1' }, { key: '12' }],
      maxRetries: 11,
    };
    expect(problems(d)).toEqual(
      [
        'too_small@definition.nodes[1].data.ttsText',
        'invalid_format@definition.nodes[1].data.language',
        'too_small@definition.nodes[1].data.timeout',
        'invalid_format@definition.nodes[1].data.menuOptions[2].key',
        'menu_option_duplicate_key@definition.nodes[1].data.menuOptions[1].key',
        'too_big@definition.nodes[1].data.maxRetries',
      ].sort(),
    );
    d.nodes[1].data = { ttsText: 'x'.repeat(2001), timeout: 61, menuOptions: [{ key: '1' }, { key: '1' }] };
    expect(problems(d)).toEqual(
      [
        'too_big@definition.nodes[1].data.ttsText',
        'too_big@definition.nodes[1].data.timeout',
        'menu_option_duplicate_key@definition.nodes[1].data.menuOptions[1].key',
      ].sort(),
    );
    d.nodes[1].data = { ttsText: 'x', menuOptions: [] };
    expect(problems(d)).toEqual(['too_small@definition.nodes[1].data.menuOptions']);
    d.nodes[1].data = { ttsText: 'x', menuOptions: '0123456789*#0'.split('').map((key) => ({ key })) };
    expect(problems(d)).toEqual(['too_big@definition.nodes[1].data.menuOptions']);
  });

  it('reports every problem of a definition at once, each pointing at its node or edge', () => {
    const d = seed();
    d.nodes[2].data.transferTo = 'sip:sales@example.com';
    d.nodes[3].type = 'teleport';
    d.edges[3].target = 'nowhere';
    d.nodes.push({ id: 'lost', type: 'end', data: {} });
    const r = checkGraph(d);
    expect(r.flow).toBeUndefined();
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'transfer_external_sip', node_id: 'sales', field: 'definition.nodes[2].data.transferTo' }),
        expect.objectContaining({ code: 'unknown_node_type', node_id: 'support', field: 'definition.nodes[3].type' }),
        expect.objectContaining({ code: 'edge_target_unknown', edge_id: 'e3', field: 'definition.edges[3].target' }),
        expect.objectContaining({ code: 'node_unreachable', node_id: 'lost' }),
        expect.objectContaining({ code: 'node_unreachable', node_id: 'voicemail' }),
      ]),
    );
    expect(r.problems).toHaveLength(5);
  });

  it('stops at the size limits without deeper checks', () => {
    const nodes = Array.from({ length: 1001 }, (_, i) => ({ id: `n${i}`, type: 'bogus' }));
    const edges = Array.from({ length: 2001 }, (_, i) => ({ id: `e${i}`, source: 'x', target: 'y' }));
    expect(problems({ nodes, edges })).toEqual(['too_many_edges@definition.edges', 'too_many_nodes@definition.nodes']);
  });

  it('rejects a definition that is not {nodes, edges}', () => {
    expect(problems(null)).toEqual(['invalid_type@definition']);
    expect(problems({ nodes: {}, edges: [] })).toEqual(['invalid_type@definition.nodes']);
  });

  it('validates the largest allowed graph (1000 nodes, 2000 edges) correctly', () => {
    const big = largest();
    expect(big.nodes).toHaveLength(1000);
    expect(big.edges).toHaveLength(2000);
    const ok = checkGraph(big);
    expect(ok.problems).toEqual([]);
    expect(ok.flow!.size).toBe(1000);
    expect(ok.flow!.edge('n998', '1')?.target).toBe('n999');

    // Cut the chain before n500: only n500 is then unreachable (n501 is still reached through n499's edge).
    const cut = largest();
    cut.edges.find((e) => e.id === 'm499k1')!.target = 'n501';
    expect(problems(cut)).toEqual(['node_unreachable@definition.nodes[500]']);

    // Send every "out" key back to the first menu and the last menu round again: no menu can leave.
    const trap = largest();
    for (const e of trap.edges) if (e.sourceHandle === '2' || e.id === 'm998k1') e.target = 'n1';
    const p = checkGraph(trap).problems;
    expect(p.filter((x) => x.code === 'no_path_to_exit')).toHaveLength(999); // the start and 998 menus
    expect(p.filter((x) => x.code === 'node_unreachable').map((x) => x.node_id)).toEqual(['n999']);
    expect(p).toHaveLength(1000);
  });
});

describe('references', () => {
  const lookup = (have: { ext?: string[]; vmail?: string[]; rg?: string[] }): ReferenceLookup & { asked: string[][] } => {
    const asked: string[][] = [];
    return {
      asked,
      existingExtensions: async (v) => (asked.push(v), new Set(v.filter((x) => have.ext?.includes(x)))),
      existingVoicemailBoxes: async (v) => (asked.push(v), new Set(v.filter((x) => have.vmail?.includes(x)))),
      existingRingGroups: async (v) => (asked.push(v), new Set(v.filter((x) => have.rg?.includes(x)))),
    };
  };

  function withRefs() {
    const d = seed();
    d.nodes[2].data.transferTo = '1001';
    d.nodes[3] = { id: 'support', type: 'ringGroup', data: { ringGroupId: 'rg_support' } };
    d.nodes[4].data.voicemailBoxId = 'vmail_main';
    return d;
  }

  it('accepts references that exist in the tenant, asking once per kind', async () => {
    const l = lookup({ ext: ['1001'], vmail: ['vmail_main'], rg: ['rg_support'] });
    await expect(validateFlow(withRefs(), l)).resolves.toMatchObject({ optionsCount: 3 });
    expect(l.asked.sort()).toEqual([['1001'], ['rg_support'], ['vmail_main']]);
  });

  it('names every missing reference, together with the graph problems', async () => {
    const d = withRefs();
    d.nodes.push({ id: 'lost', type: 'end', data: {} });
    const err = await validateFlow(d, lookup({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowGraphInvalidError);
    expect((err as FlowGraphInvalidError).problems.map((p) => `${p.code}@${p.field}`).sort()).toEqual(
      [
        'extension_not_found@definition.nodes[2].data.transferTo',
        'ring_group_not_found@definition.nodes[3].data.ringGroupId',
        'voicemail_box_not_found@definition.nodes[4].data.voicemailBoxId',
        'node_unreachable@definition.nodes[5]',
      ].sort(),
    );
  });

  it('does not look up E.164 transfers', async () => {
    const l = lookup({});
    await validateFlow(seed(), l);
    expect(l.asked).toEqual([]);
  });
});

/**
 * The largest flow allowed: a start, a chain of 998 menus (key 1: the next menu, key 2:
 * the hangup node), the hangup; three menus also fall back to the first menu.
 */
function largest(): { nodes: any[]; edges: any[] } {
  const nodes: any[] = [{ id: 'n0', type: 'ivrStart', data: {} }];
  const edges: any[] = [{ id: 'start', source: 'n0', target: 'n1' }];
  for (let i = 1; i <= 998; i++) {
    nodes.push({
      id: `n${i}`,
      type: 'menu',
      position: { x: i * 10, y: 0 },
      data: { ttsText: `Menu ${i}`, menuOptions: [{ key: '1', label: 'on' }, { key: '2', label: 'out' }] },
    });
    edges.push({ id: `m${i}k1`, source: `n${i}`, target: `n${i + 1}`, sourceHandle: '1' });
    edges.push({ id: `m${i}k2`, source: `n${i}`, target: 'n999', sourceHandle: '2' });
  }
  nodes.push({ id: 'n999', type: 'hangup', data: { message: 'Bye' } });
  for (const i of [10, 20, 30]) edges.push({ id: `fb${i}`, source: `n${i}`, target: 'n1', sourceHandle: 'fallback' });
  return { nodes, edges };
}
