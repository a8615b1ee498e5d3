// /api/v1/voice/sip-credentials: passwords kept only as HA1 digests, uniqueness,
// partial updates, references.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';
import { insertRow, withDb } from '../helpers/db.js';
import { runCli } from '../helpers/server.js';
import { client } from '../helpers/http.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/sip-credentials';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

function storedRow(id: string): Record<string, any> {
  return withDb(t.sb.dataDir, (db) => db.prepare('SELECT * FROM sip_credentials WHERE id = ?').get(id) as Record<string, any>);
}

describe('SIP credentials', () => {
  it('creates an extension and stores only the HA1 digests of the password', async () => {
    const r = await t.a.post(BASE, {
      username: 'alice',
      password: 'correct horse battery',
      extension: '101',
      display_name: 'Alice Liddell',
      caller_id: '+14155550100',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toMatchObject({
      username: 'alice',
      realm: 'switchboard',
      extension: '101',
      display_name: 'Alice Liddell',
      caller_id: '+14155550100',
    });
    expect(r.body.data.id).toMatch(/^ext_/);
    expect(r.text).not.toContain('correct horse');
    expect(r.body.data.password).toBeUndefined();
    const row = storedRow(r.body.data.id);
    expect(row.ha1_md5).toBe(md5('alice:switchboard:correct horse battery'));
    expect(row.ha1_sha256).toBe(sha256('alice:switchboard:correct horse battery'));
    expect(JSON.stringify(row)).not.toContain('correct horse');
  });

  it('names every bad field', async () => {
    expectFieldErrors(
      await t.a.post(BASE, { username: 'bad user', password: 'short', extension: '1', caller_id: '4155550100' }),
      ['username', 'password', 'extension', 'caller_id'],
    );
    expectFieldErrors(await t.a.post(BASE, { username: 'same-same', password: 'same-same' }), ['password']);
    expectFieldErrors(await t.a.post(BASE, {}), ['username', 'password']);
  });

  it('keeps usernames and extensions unique per tenant, not across tenants', async () => {
    await t.a.post(BASE, { username: 'bob', password: 'bob-password-1', extension: '102' });
    expectFieldErrors(await t.a.post(BASE, { username: 'bob', password: 'another-pass', extension: '102' }), ['username', 'extension']);
    const other = await t.b.post(BASE, { username: 'bob', password: 'bob-password-1', extension: '102' });
    expect(other.status).toBe(201);
  });

  it('updates partially; a new username needs the password, a new password new digests', async () => {
    const made = (await t.a.post(BASE, { username: 'carol', password: 'carol-pass-1', extension: '103' })).body.data;
    const before = storedRow(made.id);
    const renamed = await t.a.put(`${BASE}/${made.id}`, { display_name: 'Carol' });
    expect(renamed.body.data).toMatchObject({ username: 'carol', extension: '103', display_name: 'Carol' });
    expect(storedRow(made.id).ha1_md5).toBe(before.ha1_md5);
    expectFieldErrors(await t.a.put(`${BASE}/${made.id}`, { username: 'caroline' }), ['password']);
    const moved = await t.a.put(`${BASE}/${made.id}`, { username: 'caroline', password: 'carol-pass-2' });
    expect(moved.body.data.username).toBe('caroline');
    expect(storedRow(made.id).ha1_md5).toBe(md5('caroline:switchboard:carol-pass-2'));
    const cleared = await t.a.put(`${BASE}/${made.id}`, { extension: null });
    expect(cleared.body.data.extension).toBeNull();
  });

  it('filters by extension and username', async () => {
    const r = await t.a.get(`${BASE}?extension=101`);
    expect(r.body.data.map((c: any) => c.username)).toEqual(['alice']);
    const u = await t.a.get(`${BASE}?username=bob`);
    expect(u.body.data.map((c: any) => c.extension)).toEqual(['102']);
  });

  it('refuses to delete a credential a number or ring group refers to', async () => {
    const made = (await t.a.post(BASE, { username: 'dave', password: 'dave-pass-1' })).body.data;
    const routed = await t.a.put('/api/v1/numbers/+14155550177/routing', { type: 'extension', extension_id: made.id });
    expect(routed.status, routed.text).toBe(200);
    const refused = await t.a.delete(`${BASE}/${made.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('RESOURCE_IN_USE');
    expect(refused.body.error.message).toContain('+14155550177');
    await t.a.delete('/api/v1/numbers/+14155550177/routing');
    // A ring group lists members by username.
    insertRow(t.sb.dataDir, 'ring_groups', { id: 'rg_test1', tenant_id: t.tenantA, name: 'Dave group', strategy: 'simultaneous', ring_timeout_sec: 30 });
    withDb(t.sb.dataDir, (db) =>
      db.prepare("INSERT INTO ring_group_members VALUES ('rg_test1', 0, ?, 'sip_username', 'dave')").run(t.tenantA),
    );
    const byGroup = await t.a.delete(`${BASE}/${made.id}`);
    expect(byGroup.status).toBe(409);
    expect(byGroup.body.error.details[0]).toMatchObject({ referrer_kind: 'ring_group', referrer_id: 'rg_test1' });
    withDb(t.sb.dataDir, (db) => db.prepare("DELETE FROM ring_groups WHERE id = 'rg_test1'").run());
    expect((await t.a.delete(`${BASE}/${made.id}`)).status).toBe(200);
  });

  it('refuses to delete or renumber an extension an IVR transfer dials', async () => {
    const made = (await t.a.post(BASE, { username: 'frank', password: 'frank-pass-1', extension: '150' })).body.data;
    const flow = await t.a.post('/api/v1/voice/ivr-flows', {
      name: 'To Frank',
      definition: {
        nodes: [
          { id: 'start', type: 'ivrStart', data: {} },
          { id: 'frank', type: 'transfer', data: { transferTo: '150' } },
        ],
        edges: [{ id: 'e0', source: 'start', target: 'frank' }],
      },
    });
    expect(flow.status, flow.text).toBe(201);
    const del = await t.a.delete(`${BASE}/${made.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.details[0]).toMatchObject({ referrer_kind: 'ivr_flow', referrer_id: flow.body.data.id });
    const renumber = await t.a.put(`${BASE}/${made.id}`, { extension: '151' });
    expect(renumber.status).toBe(409);
    expect(renumber.body.error.message).toContain('To Frank');
    // Other changes are fine.
    expect((await t.a.put(`${BASE}/${made.id}`, { display_name: 'Frank' })).status).toBe(200);
  });

  it('uses the tenant SIP domain as the realm, and locks the domain while credentials exist', async () => {
    const made = await runCli(['tenant', 'create', '--name', 'C', '--sip-domain', 'pbx.c.example', '--json'], t.sb.dataDir);
    const c = client(t.sb.baseUrl, JSON.parse(made.stdout).api_key);
    const cred = await c.post(BASE, { username: 'erin', password: 'erin-pass-1' });
    expect(cred.body.data.realm).toBe('pbx.c.example');
    expect(storedRow(cred.body.data.id).ha1_md5).toBe(md5('erin:pbx.c.example:erin-pass-1'));
    const locked = await c.patch('/api/v1/tenant', { sip_domain: 'other.c.example' });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('SIP_DOMAIN_LOCKED');
    await c.delete(`${BASE}/${cred.body.data.id}`);
    const moved = await c.patch('/api/v1/tenant', { sip_domain: 'Other.C.Example' });
    expect(moved.body.data.sip_domain).toBe('other.c.example');
    // Another tenant cannot take it.
    const taken = await t.a.patch('/api/v1/tenant', { sip_domain: 'other.c.example' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('SIP_DOMAIN_TAKEN');
  });

  it('keeps tenants apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ username: `user${i}`, password: `password-${i}-xyz` }), { display_name: 'x' });
  });
});
