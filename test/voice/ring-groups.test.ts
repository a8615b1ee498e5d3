// /api/v1/voice/ring-groups over HTTP: the seed's example, every validation rule,
// nesting loops refused through create and update, partial updates, deletes refused
// while referenced, isolation and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/http.js';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/ring-groups';

let seq = 0;
async function addCredential(c: Client, username: string): Promise<void> {
  const r = await c.post('/api/v1/voice/sip-credentials', { username, password: 'correct horse battery' });
  expect(r.status, r.text).toBe(201);
}

async function routeNumber(e164: string, ringGroupId: string): Promise<void> {
  const r = await t.a.put(`/api/v1/numbers/${e164}/routing`, { type: 'ring_group', ring_group_id: ringGroupId, config: {} });
  expect(r.status, r.text).toBe(200);
}

const pstn = (value = '+14155557890') => ({ kind: 'pstn', value });
const nested = (id: string) => ({ kind: 'ring_group', value: id });

async function makeGroup(name: string, members: unknown[] = [pstn()]): Promise<string> {
  const r = await t.a.post(BASE, { name, members });
  expect(r.status, r.text).toBe(201);
  return r.body.data.id;
}

function problem(r: { body: any }, field: string): { code: string; message: string } {
  return r.body.error.details.find((d: any) => d.field === field);
}

beforeAll(async () => {
  t = await startWithTwoTenants();
  await addCredential(t.a, 'alice');
  await addCredential(t.a, 'bob');
  await addCredential(t.b, 'carol');
});
afterAll(async () => {
  await t?.sb.stop();
});

const seedBody = {
  name: 'Sales All-Rings',
  strategy: 'simultaneous',
  ringTimeoutSec: 30,
  members: [
    { kind: 'sip_username', value: 'alice' },
    { kind: 'sip_username', value: 'bob' },
    { kind: 'pstn', value: '+14155557890' },
  ],
};

describe('ring groups: create and read', () => {
  it("accepts the seed's example and echoes it in the seed's shape", async () => {
    const r = await t.a.post(BASE, seedBody);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toEqual({
      ...seedBody,
      id: expect.stringMatching(/^rg_[0-9a-z]+$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(Date.parse(r.body.data.created_at)).not.toBeNaN();
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(r.body.data);
  });

  it('defaults to simultaneous ringing for 30 s and ignores unknown fields', async () => {
    const r = await t.a.post(BASE, { name: 'Defaults', members: [pstn('4155550100')], colour: 'red' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toMatchObject({ strategy: 'simultaneous', ringTimeoutSec: 30, members: [pstn('4155550100')] });
    expect(r.body.data.colour).toBeUndefined();
  });

  it('keeps the members in the order given', async () => {
    const members = [pstn('+15550000003'), { kind: 'sip_username', value: 'bob' }, pstn('+15550000001'), { kind: 'sip_username', value: 'alice' }];
    const id = await makeGroup('Ordered', members);
    expect((await t.a.get(`${BASE}/${id}`)).body.data.members).toEqual(members);
  });

  it('accepts every implemented strategy', async () => {
    for (const strategy of ['simultaneous', 'sequential', 'round_robin', 'longest_idle']) {
      const r = await t.a.post(BASE, { name: `S ${strategy}`, strategy, members: [pstn()] });
      expect(r.status, r.text).toBe(201);
      expect(r.body.data.strategy).toBe(strategy);
    }
  });
});

describe('ring groups: validation', () => {
  it('refuses fewest_calls, saying it was removed', async () => {
    const r = await t.a.post(BASE, { ...seedBody, name: 'Fewest', strategy: 'fewest_calls' });
    expectFieldErrors(r, ['strategy']);
    expect(problem(r, 'strategy').message).toMatch(/fewest_calls was removed/);
  });

  it.each([
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(101) }, ['name']],
    [{ strategy: 'random' }, ['strategy']],
    [{ ringTimeoutSec: 4 }, ['ringTimeoutSec']],
    [{ ringTimeoutSec: 301 }, ['ringTimeoutSec']],
    [{ ringTimeoutSec: 12.5 }, ['ringTimeoutSec']],
    [{ members: [] }, ['members']],
    [{ members: Array.from({ length: 101 }, (_, i) => pstn(`+1555${String(i).padStart(7, '0')}`)) }, ['members']],
    [{ members: [pstn(), { kind: 'extension', value: '100' }] }, ['members[1].kind']],
    [{ members: [pstn('call-me')] }, ['members[0].value']],
    [{ members: [pstn('+123456')] }, ['members[0].value']],
    [{ members: [pstn('+123456789012345678901')] }, ['members[0].value']],
    [{ members: [pstn(), pstn()] }, ['members[1].value']],
    [{ members: [{ kind: 'sip_username', value: 'mallory' }] }, ['members[0].value']],
    [{ members: [pstn(), nested('rg_doesnotexist')] }, ['members[1].value']],
    [{ members: [nested('not-an-id')] }, ['members[0].value']],
  ])('rejects %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, { name: `Bad ${seq++}`, members: [pstn()], ...patch }), fields);
  });

  it('names every bad field at once, in the body and against the database', async () => {
    const r = await t.a.post(BASE, {
      name: '',
      strategy: 'fewest_calls',
      ringTimeoutSec: 0,
      members: [{ kind: 'pstn', value: 'x' }, { kind: 'pager', value: '1' }],
    });
    expectFieldErrors(r, ['name', 'strategy', 'ringTimeoutSec', 'members[0].value', 'members[1].kind']);
    const db = await t.a.post(BASE, {
      name: 'Sales All-Rings',
      members: [{ kind: 'sip_username', value: 'alice' }, { kind: 'sip_username', value: 'zed' }, nested('rg_nope')],
    });
    expectFieldErrors(db, ['name', 'members[1].value', 'members[2].value']);
    expect(problem(db, 'name').code).toBe('taken');
    expect(problem(db, 'members[1].value').message).toContain('zed');
  });

  it('makes names unique per account, not across accounts', async () => {
    await makeGroup('Support');
    const dup = await t.a.post(BASE, { name: 'Support', members: [pstn()] });
    expectFieldErrors(dup, ['name']);
    expect(problem(dup, 'name').code).toBe('taken');
    const other = await t.b.post(BASE, { name: 'Support', members: [pstn()] });
    expect(other.status, other.text).toBe(201);
  });

  it("treats another account's SIP username and ring group as unknown", async () => {
    const theirs = (await t.b.post(BASE, { name: 'Theirs', members: [pstn()] })).body.data.id;
    const r = await t.a.post(BASE, { name: 'Poacher', members: [{ kind: 'sip_username', value: 'carol' }, nested(theirs)] });
    expectFieldErrors(r, ['members[0].value', 'members[1].value']);
    expect(problem(r, 'members[1].value').code).toBe('not_found');
    // ...while carol is a valid member in her own account.
    expect((await t.b.post(BASE, { name: 'Carol', members: [{ kind: 'sip_username', value: 'carol' }] })).status).toBe(201);
  });
});

describe('ring groups: nesting', () => {
  it('accepts a team of teams, including two paths to the same group', async () => {
    const leaf = await makeGroup('Leaf');
    const left = await makeGroup('Left', [nested(leaf)]);
    const right = await makeGroup('Right', [nested(leaf), pstn()]);
    const top = await t.a.post(BASE, { name: 'Top', members: [nested(left), nested(right)] });
    expect(top.status, top.text).toBe(201);
    expect(top.body.data.members).toEqual([nested(left), nested(right)]);
  });

  it('refuses a group containing itself', async () => {
    const id = await makeGroup('Narcissus');
    const r = await t.a.put(`${BASE}/${id}`, { members: [pstn(), nested(id)] });
    expectFieldErrors(r, ['members[1].value']);
    expect(problem(r, 'members[1].value').code).toBe('self_reference');
  });

  it('refuses A → B → A made through an update, naming the member and the loop', async () => {
    const b = await makeGroup('Loop B');
    const a = await makeGroup('Loop A', [nested(b)]);
    const r = await t.a.put(`${BASE}/${b}`, { members: [pstn(), nested(a)] });
    expectFieldErrors(r, ['members[1].value']);
    const p = problem(r, 'members[1].value');
    expect(p.code).toBe('cycle');
    expect(p.message).toContain(`"Loop B" (${b}) → "Loop A" (${a}) → "Loop B" (${b})`);
    // Nothing was written: B still has its old members.
    expect((await t.a.get(`${BASE}/${b}`)).body.data.members).toEqual([pstn()]);
  });

  it('refuses the longer loop A → B → C → A', async () => {
    const c = await makeGroup('Chain C');
    const b = await makeGroup('Chain B', [nested(c)]);
    const a = await makeGroup('Chain A', [pstn(), nested(b)]);
    const r = await t.a.put(`${BASE}/${c}`, { members: [nested(a)] });
    expectFieldErrors(r, ['members[0].value']);
    expect(problem(r, 'members[0].value').message).toContain(
      `"Chain C" (${c}) → "Chain A" (${a}) → "Chain B" (${b}) → "Chain C" (${c})`,
    );
    // Re-pointing B away from C first makes the same update legal.
    expect((await t.a.put(`${BASE}/${b}`, { members: [pstn()] })).status).toBe(200);
    const ok = await t.a.put(`${BASE}/${c}`, { members: [nested(a)] });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('ring groups: update and delete', () => {
  it('updates only the fields sent', async () => {
    const made = (await t.a.post(BASE, { ...seedBody, name: 'Partial' })).body.data;
    const r = await t.a.put(`${BASE}/${made.id}`, { ringTimeoutSec: 45 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toEqual({ ...made, ringTimeoutSec: 45, updated_at: expect.any(String) });
    expect(r.body.data.updated_at >= made.updated_at).toBe(true);
    const r2 = await t.a.put(`${BASE}/${made.id}`, { strategy: 'sequential', members: [{ kind: 'sip_username', value: 'bob' }] });
    expect(r2.body.data).toMatchObject({ name: 'Partial', strategy: 'sequential', ringTimeoutSec: 45, members: [{ kind: 'sip_username', value: 'bob' }] });
    expect((await t.a.get(`${BASE}/${made.id}`)).body.data).toEqual(r2.body.data);
  });

  it('validates the merged group: renaming onto a taken name, fewest_calls, empty members', async () => {
    await makeGroup('Taken Name');
    const id = await makeGroup('Renamed');
    expectFieldErrors(await t.a.put(`${BASE}/${id}`, { name: 'Taken Name' }), ['name']);
    expectFieldErrors(await t.a.put(`${BASE}/${id}`, { strategy: 'fewest_calls' }), ['strategy']);
    expectFieldErrors(await t.a.put(`${BASE}/${id}`, { members: [] }), ['members']);
    // Keeping its own name is not a clash.
    expect((await t.a.put(`${BASE}/${id}`, { name: 'Renamed', ringTimeoutSec: 10 })).status).toBe(200);
  });

  it('refuses to delete a group another group contains, then allows it', async () => {
    const inner = await makeGroup('Inner');
    const outer = await makeGroup('Outer', [nested(inner)]);
    const r = await t.a.delete(`${BASE}/${inner}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'ring_group', referrer_id: outer, field: 'members' })]);
    expect((await t.a.get(`${BASE}/${inner}`)).status).toBe(200);
    expect((await t.a.delete(`${BASE}/${outer}`)).status).toBe(200);
    const gone = await t.a.delete(`${BASE}/${inner}`);
    expect(gone.status, gone.text).toBe(200);
    expect(gone.body.data).toEqual({ id: inner, deleted: true });
  });

  it('refuses to delete a group a number routes to, until the route goes', async () => {
    const id = await makeGroup('Routed');
    await routeNumber('+14155550199', id);
    const r = await t.a.delete(`${BASE}/${id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('RESOURCE_IN_USE');
    expect(r.body.error.message).toContain('+14155550199');
    expect((await t.a.get(`${BASE}/${id}`)).status).toBe(200);
    expect((await t.a.delete('/api/v1/numbers/+14155550199/routing')).status).toBe(200);
    expect((await t.a.delete(`${BASE}/${id}`)).status).toBe(200);
  });

  it("keeps a member's SIP credential from being deleted while the group uses it", async () => {
    await addCredential(t.a, 'dave');
    const cred = (await t.a.get('/api/v1/voice/sip-credentials?username=dave')).body.data[0];
    const id = await makeGroup('Dave Desk', [{ kind: 'sip_username', value: 'dave' }]);
    const r = await t.a.delete(`/api/v1/voice/sip-credentials/${cred.id}`);
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.details).toEqual([expect.objectContaining({ referrer_kind: 'ring_group', referrer_id: id })]);
  });

  it('keeps accounts apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ name: `Paged ${i}`, members: [pstn()] }), { name: 'hijack' });
  });

  it('lists each group with its own members', async () => {
    const r = await t.a.get(`${BASE}?limit=100`);
    expect(r.status).toBe(200);
    const sales = r.body.data.find((g: any) => g.name === 'Sales All-Rings');
    expect(sales.members).toEqual(seedBody.members);
    for (const g of r.body.data) expect(g.members.length).toBeGreaterThan(0);
  });
});
