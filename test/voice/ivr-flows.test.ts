// /api/v1/voice/ivr-flows over HTTP: the seed's example, the graph rules in one 422,
// references to the tenant's extensions, boxes and groups, partial updates, deletes
// refused while a number routes to the flow, isolation, and the dry run.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectMeta, type ApiResponse } from '../helpers/http.js';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';
import { seedFlowBody } from '../fixtures/seed-ivr-flow.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/ivr-flows';

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

/** The seed's request body, verbatim. */
const seedBody = seedFlowBody;

/** Writes rows the API of this issue cannot create (numbers) or that other resources own. */
function insert(table: string, row: Record<string, unknown>): void {
  const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'));
  try {
    const at = new Date().toISOString();
    const full = { created_at: at, updated_at: at, ...row };
    const cols = Object.keys(full);
    db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(full);
  } finally {
    db.close();
  }
}

function run(sql: string, ...args: unknown[]): void {
  const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'));
  try {
    db.prepare(sql).run(...args);
  } finally {
    db.close();
  }
}

function expectGraphErrors(r: ApiResponse, expected: string[]): void {
  expect(r.status, r.text).toBe(422);
  expectMeta(r.body);
  expect(r.body.error.code).toBe('IVR_FLOW_GRAPH_INVALID');
  expect(r.body.error.details.map((d: any) => `${d.code}@${d.field}`).sort()).toEqual([...expected].sort());
}

describe('IVR flows', () => {
  it("accepts the seed's example with options_count 3", async () => {
    const r = await t.a.post(BASE, seedBody());
    expect(r.status, r.text).toBe(201);
    expectMeta(r.body);
    expect(r.body.data).toMatchObject({ name: 'Main Menu', status: 'active', active: true, options_count: 3 });
    expect(r.body.data.id).toMatch(/^ivr_[0-9a-z]+$/);
    expect(new Date(r.body.data.created_at).toISOString()).toBe(r.body.data.created_at);
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(r.body.data);
    expect(got.body.data.definition).toEqual(seedBody().definition);
  });

  it('keeps canvas keys, ignores unknown top-level fields, defaults active to true', async () => {
    const body: any = seedBody();
    delete body.active;
    body.greeting = 'ignored';
    body.definition.viewport = { x: 0, y: 0, zoom: 1 };
    body.definition.nodes[1].position = { x: 120, y: 40 };
    body.definition.nodes[1].width = 240;
    body.definition.nodes[1].data.label = 'Main menu';
    const r = await t.a.post(BASE, body);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data.active).toBe(true);
    expect(r.body.data.greeting).toBeUndefined();
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.body.data.definition).toEqual(body.definition);
  });

  it('an inactive flow has status inactive', async () => {
    const r = await t.a.post(BASE, { ...seedBody(), active: false });
    expect(r.body.data).toMatchObject({ active: false, status: 'inactive' });
  });

  it('checks the request fields before the graph', async () => {
    expectFieldErrors(await t.a.post(BASE, { name: '', active: 'yes' }), ['name', 'active', 'definition']);
    expectFieldErrors(await t.a.post(BASE, { ...seedBody(), name: 'x'.repeat(201) }), ['name']);
    expectFieldErrors(await t.a.post(BASE, { ...seedBody(), definition: { nodes: [] } }), ['definition.edges']);
  });

  it.each<[string, (d: { nodes: any[]; edges: any[] }) => void, string[]]>([
    [
      'no entry node',
      (d) => {
        d.nodes.shift();
        d.edges.shift();
      },
      ['entry_missing@definition.nodes'],
    ],
    [
      'two entry nodes',
      (d) => (d.nodes[1].data.isEntry = true),
      ['entry_multiple@definition.nodes[0].type', 'entry_multiple@definition.nodes[1].data.isEntry'],
    ],
    [
      'no exit node',
      (d) => {
        d.nodes.splice(2);
        d.nodes[1].data.menuOptions = [{ key: '0', label: 'Again' }];
        d.edges = [d.edges[0], { id: 'again', source: 'menu', target: 'menu', sourceHandle: '0' }];
      },
      ['exit_missing@definition.nodes'],
    ],
    ['an edge from a missing node', (d) => (d.edges[0].source = 'nope'), ['edge_source_unknown@definition.edges[0].source', 'no_path_to_exit@definition.nodes[0]', 'node_unreachable@definition.nodes[1]', 'node_unreachable@definition.nodes[2]', 'node_unreachable@definition.nodes[3]', 'node_unreachable@definition.nodes[4]']],
    ['an edge to a missing node', (d) => (d.edges[3].target = 'nope'), ['edge_target_unknown@definition.edges[3].target', 'node_unreachable@definition.nodes[4]']],
    ['a duplicate edge id', (d) => (d.edges[3].id = 'e0'), ['edge_id_duplicate@definition.edges[3].id']],
    ['an unreachable node', (d) => d.nodes.push({ id: 'island', type: 'end', data: {} }), ['node_unreachable@definition.nodes[5]']],
    [
      'a loop with no way out',
      (d) => {
        d.nodes.push({ id: 'maze', type: 'menu', data: { ttsText: 'Lost', menuOptions: [{ key: '1' }] } });
        d.nodes[1].data.menuOptions.push({ key: '9' });
        d.edges.push({ id: 'in', source: 'menu', target: 'maze', sourceHandle: '9' }, { id: 'round', source: 'maze', target: 'maze', sourceHandle: '1' });
      },
      ['no_path_to_exit@definition.nodes[5]'],
    ],
    ['an unknown node type', (d) => (d.nodes[4].type = 'fax'), ['unknown_node_type@definition.nodes[4].type']],
    ['a sip: transfer', (d) => (d.nodes[2].data.transferTo = 'sip:sales@carrier.example'), ['transfer_external_sip@definition.nodes[2].data.transferTo']],
    ['a menu edge on a key the menu lacks', (d) => (d.edges[1].sourceHandle = '5'), ['menu_edge_unknown_key@definition.edges[1].sourceHandle', 'menu_option_unrouted@definition.nodes[1].data.menuOptions[0].key']],
    ['a menu timeout over 60 s', (d) => (d.nodes[1].data.timeout = 90), ['too_big@definition.nodes[1].data.timeout']],
    ['a bad DTMF key', (d) => (d.nodes[1].data.menuOptions[0].key = 'A'), ['invalid_format@definition.nodes[1].data.menuOptions[0].key']],
  ])('rejects %s with IVR_FLOW_GRAPH_INVALID', async (_name, breakIt, expected) => {
    const body = seedBody();
    breakIt(body.definition);
    expectGraphErrors(await t.a.post(BASE, body), expected);
  });

  it('reports several problems in one answer, naming nodes and edges', async () => {
    const body = seedBody();
    body.definition.nodes[2].data.transferTo = 'sips:vip@example.com';
    body.definition.nodes[3].id = 'sales';
    body.definition.edges.push({ id: 'e9', source: 'voicemail', target: 'menu' });
    const r = await t.a.post(BASE, body);
    expectGraphErrors(r, [
      'transfer_external_sip@definition.nodes[2].data.transferTo',
      'node_id_duplicate@definition.nodes[3].id',
      'edge_target_unknown@definition.edges[2].target',
      'edge_from_terminal@definition.edges[4]',
    ]);
    const byCode = Object.fromEntries(r.body.error.details.map((d: any) => [d.code, d]));
    expect(byCode.transfer_external_sip).toMatchObject({ node_id: 'sales', location: 'body' });
    expect(byCode.edge_from_terminal).toMatchObject({ edge_id: 'e9' });
    expect(r.body.error.message).toMatch(/4 problems/);
  });

  it('refuses more than 1000 nodes', async () => {
    const body = seedBody();
    for (let i = 0; i < 996; i++) body.definition.nodes.push({ id: `x${i}`, type: 'end', data: {} });
    expectGraphErrors(await t.a.post(BASE, body), ['too_many_nodes@definition.nodes']);
  });

  it("checks transfers to extensions, boxes and ring groups against the tenant's own", async () => {
    const body = seedBody();
    body.definition.nodes[2].data.transferTo = '2001';
    body.definition.nodes[3] = { id: 'support', type: 'ringGroup', data: { ringGroupId: 'rg_ivrtestgroup' } };
    body.definition.nodes[4].data.voicemailBoxId = 'vmail_ivrtestbox';
    const missing = [
      'extension_not_found@definition.nodes[2].data.transferTo',
      'ring_group_not_found@definition.nodes[3].data.ringGroupId',
      'voicemail_box_not_found@definition.nodes[4].data.voicemailBoxId',
    ];
    expectGraphErrors(await t.a.post(BASE, body), missing);

    // The same ids in the other tenant do not count.
    insert('sip_credentials', {
      id: 'ext_ivrtestb', tenant_id: t.tenantB, username: 'bob', realm: 'switchboard', ha1_md5: 'x', ha1_sha256: 'x', extension: '2001',
    });
    insert('ring_groups', { id: 'rg_ivrtestgroup', tenant_id: t.tenantB, name: 'B team', strategy: 'simultaneous', ring_timeout_sec: 30 });
    expectGraphErrors(await t.a.post(BASE, body), missing);
    run('DELETE FROM ring_groups WHERE id = ?', 'rg_ivrtestgroup');

    insert('sip_credentials', {
      id: 'ext_ivrtesta', tenant_id: t.tenantA, username: 'alice', realm: 'switchboard', ha1_md5: 'x', ha1_sha256: 'x', extension: '2001', display_name: 'Alice Smith',
    });
    insert('ring_groups', { id: 'rg_ivrtestgroup', tenant_id: t.tenantA, name: 'A team', strategy: 'simultaneous', ring_timeout_sec: 30 });
    insert('voicemail_boxes', {
      id: 'vmail_ivrtestbox', tenant_id: t.tenantA, name: 'Main', greeting: 'Acme voicemail.', transcribe: 0, max_duration: 90,
    });
    const ok = await t.a.post(BASE, body);
    expect(ok.status, ok.text).toBe(201);

    const sim = await t.a.post(`${BASE}/${ok.body.data.id}/simulate`, { digits: '3' });
    expect(sim.body.data.final_action).toEqual({ type: 'voicemail', node_id: 'voicemail', voicemail_box_id: 'vmail_ivrtestbox' });
    expect(sim.body.data.trace.some((l: any) => l.event === 'record' && l.message.includes('90 s'))).toBe(true);
    const ext = await t.a.post(`${BASE}/${ok.body.data.id}/simulate`, { digits: '1' });
    expect(ext.body.data.final_action).toEqual({ type: 'transfer', node_id: 'sales', to: '2001' });
  });

  it('updates only what is sent and validates the result', async () => {
    const made = (await t.a.post(BASE, seedBody())).body.data;
    const renamed = await t.a.put(`${BASE}/${made.id}`, { name: 'Renamed Menu' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Renamed Menu', options_count: 3, definition: seedBody().definition, created_at: made.created_at });

    const broken = seedBody().definition;
    broken.nodes[2].data.transferTo = 'sip:x@example.com';
    expectGraphErrors(await t.a.put(`${BASE}/${made.id}`, { name: 'Broken', definition: broken }), [
      'transfer_external_sip@definition.nodes[2].data.transferTo',
    ]);
    const after = await t.a.get(`${BASE}/${made.id}`);
    expect(after.body.data).toEqual(renamed.body.data);

    const smaller = seedBody().definition;
    smaller.nodes[1].data.menuOptions.pop();
    smaller.nodes.pop();
    smaller.edges.pop();
    const changed = await t.a.put(`${BASE}/${made.id}`, { definition: smaller, active: false });
    expect(changed.body.data).toMatchObject({ name: 'Renamed Menu', options_count: 2, status: 'inactive', definition: smaller });
    expectFieldErrors(await t.a.put(`${BASE}/${made.id}`, { name: '' }), ['name']);
  });

  it('lists flows without their definitions', async () => {
    const made = (await t.a.post(BASE, seedBody())).body.data;
    const list = await t.a.get(`${BASE}?limit=100`);
    const item = list.body.data.find((f: any) => f.id === made.id);
    expect(item).toEqual({
      id: made.id, name: 'Main Menu', status: 'active', active: true, options_count: 3, created_at: made.created_at, updated_at: made.updated_at,
    });
  });

  it('refuses to delete a flow a number routes to, naming the number', async () => {
    const made = (await t.a.post(BASE, seedBody())).body.data;
    insert('numbers', { id: 'num_ivrtest', tenant_id: t.tenantA, e164: '+14155559999', route_type: 'ivr_flow', route_target_id: made.id });
    const r = await t.a.delete(`${BASE}/${made.id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.message).toContain('+14155559999');
    expect(r.body.error.details[0]).toMatchObject({ referrer_kind: 'number', referrer_id: '+14155559999' });
    expect((await t.a.get(`${BASE}/${made.id}`)).status).toBe(200);

    run('DELETE FROM numbers WHERE id = ?', 'num_ivrtest');
    const del = await t.a.delete(`${BASE}/${made.id}`);
    expect(del.status).toBe(200);
    expect(del.body.data).toEqual({ id: made.id, deleted: true });
  });

  it('keeps tenants apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ ...seedBody(), name: `Flow ${i}` }), { name: 'hijack' });
  });
});

describe('IVR flow dry run', () => {
  let flowId: string;
  const WELCOME = 'Welcome to Acme Corp. Press 1 for sales, 2 for support, or 3 to leave a voicemail.';
  const simulate = (body: unknown, id = flowId) => t.a.post(`${BASE}/${id}/simulate`, body);

  beforeAll(async () => {
    flowId = (await t.a.post(BASE, { ...seedBody(), name: 'Simulated', active: false })).body.data.id;
  });

  it("takes the issue's example body: key 1 transfers to sales", async () => {
    const r = await simulate({ digits: '1', no_input_after: 0 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({
      flow_id: flowId,
      active: false,
      nodes_visited: ['start', 'menu', 'sales'],
      prompts: [{ node_id: 'menu', text: WELCOME, language: 'en-US' }],
      keys_consumed: '1',
      keys_unused: '',
      final_action: { type: 'transfer', node_id: 'sales', to: '+14155550101' },
    });
    expect(r.body.data.trace.map((l: any) => l.message)).toContain('caller pressed 1 (Sales)');
  });

  it('key 2 transfers to support, key 3 goes to voicemail', async () => {
    expect((await simulate({ digits: '2' })).body.data.final_action).toEqual({ type: 'transfer', node_id: 'support', to: '+14155550102' });
    const vm = await simulate({ digits: '3' });
    expect(vm.body.data.final_action).toEqual({ type: 'voicemail', node_id: 'voicemail', voicemail_box_id: null });
    expect(vm.body.data.prompts.map((p: any) => p.text)).toEqual([WELCOME, 'Please leave a message after the tone.']);
  });

  it('no keys: the menu replays, then the caller hears goodbye', async () => {
    const r = await simulate({ digits: '' });
    expect(r.body.data.prompts.map((p: any) => p.text)).toEqual([WELCOME, WELCOME, WELCOME, WELCOME, 'Goodbye.']);
    expect(r.body.data.final_action).toEqual({ type: 'hangup', node_id: 'menu', reason: 'menu_no_valid_input' });
    expect(r.body.data.trace.map((l: any) => l.message)).toContain('no key within 8 s, replaying menu (attempt 2 of 4)');
  });

  it('no keys with a fallback edge: the fallback runs', async () => {
    const body = seedBody();
    body.definition.edges.push({ id: 'fb', source: 'menu', target: 'voicemail', sourceHandle: 'fallback' });
    const id = (await t.a.post(BASE, body)).body.data.id;
    const r = await simulate({}, id);
    expect(r.body.data.nodes_visited).toEqual(['start', 'menu', 'voicemail']);
    expect(r.body.data.final_action.type).toBe('voicemail');
  });

  it('simulates silence, later keys and a failed transfer', async () => {
    const r = await simulate({ digits: '-2', dial_result: 'busy' });
    expect(r.body.data.prompts.map((p: any) => p.text)).toEqual([WELCOME, WELCOME, 'Sorry, we could not connect your call. Goodbye.']);
    expect(r.body.data.final_action).toEqual({ type: 'hangup', node_id: 'support', reason: 'connection_failed' });
    const quiet = await simulate({ digits: '12', no_input_after: 0 });
    expect(quiet.body.data.keys_unused).toBe('2');
  });

  it('validates the dry-run body and answers 404 for another tenant', async () => {
    expectFieldErrors(await simulate({ digits: '1a', no_input_after: -1, dial_result: 'maybe' }), ['digits', 'no_input_after', 'dial_result']);
    expect((await t.b.post(`${BASE}/${flowId}/simulate`, { digits: '1' })).status).toBe(404);
  });

  it('is allowed to a read-only key, which cannot change flows', async () => {
    const made = await t.a.post('/api/v1/api-keys', { name: 'ivr-reader', scopes: ['voice:read'] });
    const reader = client(t.sb.baseUrl, made.body.data.key);
    expect((await reader.post(`${BASE}/${flowId}/simulate`, { digits: '1' })).status).toBe(200);
    expect((await reader.post(BASE, seedBody())).status).toBe(403);
  });
});
