// /api/v1/voice/sip-trunks over HTTP: the seed's example, every validation rule,
// write-only password, partial updates, isolation.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIsolationAndPaging, expectFieldErrors, startWithTwoTenants, type TwoTenants } from '../helpers/voice.js';

let t: TwoTenants;
const BASE = '/api/v1/voice/sip-trunks';

beforeAll(async () => {
  t = await startWithTwoTenants();
});
afterAll(async () => {
  await t?.sb.stop();
});

const seedBody = {
  name: 'Primary Carrier',
  termination_uri: 'sip:trunk.carrier.com:5060',
  origination_uris: ['sip:orbit-gw.devotel.io'],
  auth_username: 'orbit_user',
  auth_password: 'secure_password',
  codecs: ['OPUS', 'PCMU'],
  encryption: 'tls_srtp',
};

describe('SIP trunks', () => {
  it("accepts the seed's example and answers in the seed's shape, without the password", async () => {
    const r = await t.a.post(BASE, seedBody);
    expect(r.status, r.text).toBe(201);
    expect(r.body.data).toMatchObject({
      name: 'Primary Carrier',
      termination_uri: 'sip:trunk.carrier.com:5060',
      status: 'active',
      codecs: ['OPUS', 'PCMU'],
      encryption: 'tls_srtp',
      origination_uris: ['sip:orbit-gw.devotel.io'],
      auth_username: 'orbit_user',
      auth_password_set: true,
    });
    expect(r.body.data.id).toMatch(/^trunk_/);
    expect(Date.parse(r.body.data.created_at)).not.toBeNaN();
    expect(r.text).not.toContain('secure_password');
    const got = await t.a.get(`${BASE}/${r.body.data.id}`);
    expect(got.body.data).toEqual(r.body.data);
    expect(got.text).not.toContain('secure_password');
  });

  it('stores the password sealed, not in the clear', async () => {
    await t.a.post(BASE, { ...seedBody, name: 'Sealed', auth_password: 'Plain-Text-Canary-42' });
    const db = new Database(path.join(t.sb.dataDir, 'switchboard.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT auth_password_enc FROM sip_trunks').all() as { auth_password_enc: string }[];
      for (const r of rows) expect(r.auth_password_enc).toMatch(/^v1:/);
    } finally {
      db.close();
    }
    const raw = readFileSync(path.join(t.sb.dataDir, 'switchboard.db'));
    expect(raw.includes(Buffer.from('Plain-Text-Canary-42'))).toBe(false);
  });

  it('applies the defaults', async () => {
    const r = await t.a.post(BASE, { name: 'Bare', termination_uri: 'sip:10.0.0.1' });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({
      codecs: ['PCMU', 'PCMA', 'OPUS'],
      encryption: 'none',
      origination_uris: [],
      auth_username: null,
      auth_password_set: false,
      hold_music: 'default',
      register: false,
    });
  });

  it('names every bad field at once', async () => {
    const r = await t.a.post(BASE, {
      name: '',
      termination_uri: 'http://carrier.com',
      origination_uris: ['sip:ok.example', 'not a uri'],
      codecs: ['PCMU', 'G729'],
      encryption: 'ssl',
      hold_music: 'ftp://x',
      register: 'yes',
    });
    expectFieldErrors(r, ['name', 'termination_uri', 'origination_uris[1]', 'codecs[1]', 'encryption', 'hold_music', 'register']);
  });

  it.each([
    [{ codecs: [] }, ['codecs']],
    [{ codecs: ['PCMU', 'pcmu'] }, ['codecs']],
    [{ termination_uri: 'sip:host:70000' }, ['termination_uri']],
    [{ auth_username: 'u' }, ['auth_password']],
    [{ auth_password: 'p' }, ['auth_username']],
    [{ register: true }, ['register']],
    [{ termination_uri: 'sips:secure.carrier.com', encryption: 'none' }, ['encryption']],
  ])('rejects %j', async (patch, fields) => {
    expectFieldErrors(await t.a.post(BASE, { name: 'x', termination_uri: 'sip:carrier.example', ...patch }), fields);
  });

  it('accepts codecs in any case, ignores unknown fields', async () => {
    const r = await t.a.post(BASE, { name: 'Case', termination_uri: 'sip:c.example', codecs: ['opus', 'g722'], extra: 1 });
    expect(r.status).toBe(201);
    expect(r.body.data.codecs).toEqual(['OPUS', 'G722']);
    expect(r.body.data.extra).toBeUndefined();
  });

  it('updates only the fields sent, keeping the password unless told', async () => {
    const made = (await t.a.post(BASE, seedBody)).body.data;
    const r = await t.a.put(`${BASE}/${made.id}`, { codecs: ['PCMA'], hold_music: 'silence' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({ ...made, codecs: ['PCMA'], hold_music: 'silence', updated_at: expect.any(String) });
    expect(r.body.data.auth_password_set).toBe(true);
    // Removing the password alone breaks the username/password pair.
    expectFieldErrors(await t.a.put(`${BASE}/${made.id}`, { auth_password: null }), ['auth_password']);
    const cleared = await t.a.put(`${BASE}/${made.id}`, { auth_password: null, auth_username: null });
    expect(cleared.body.data).toMatchObject({ auth_username: null, auth_password_set: false });
  });

  it('keeps tenants apart and pages', async () => {
    await checkIsolationAndPaging(t, BASE, (i) => ({ name: `T${i}`, termination_uri: `sip:c${i}.example` }), { name: 'hijack' });
  });
});
