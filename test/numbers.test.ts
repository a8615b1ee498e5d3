// /api/v1/numbers and their inbound routes; the tenant's default outbound number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFieldErrors, listAll, startWithTwoTenants, type TwoTenants } from './helpers/voice.js';
import { insertRow } from './helpers/db.js';

let t: TwoTenants;
let extA: string;
let extB: string;

beforeAll(async () => {
  t = await startWithTwoTenants();
  extA = (await t.a.post('/api/v1/voice/sip-credentials', { username: 'alice', password: 'alice-pass-1', extension: '101' })).body.data.id;
  extB = (await t.b.post('/api/v1/voice/sip-credentials', { username: 'bob', password: 'bob-pass-123' })).body.data.id;
  insertRow(t.sb.dataDir, 'calendars', {
    id: 'cal_test1', tenant_id: t.tenantA, name: 'Hours', timezone: 'Europe/Istanbul',
    weekday_windows: JSON.stringify([{ weekday: 1, start: '09:00', end: '18:00' }]), holidays: '[]',
  });
  insertRow(t.sb.dataDir, 'voicemail_boxes', {
    id: 'vmail_test1', tenant_id: t.tenantA, name: 'After hours', greeting: 'Leave a message.', transcribe: 0,
    max_duration: 120, notification_email: null, webhook_url: null,
  });
});
afterAll(async () => {
  await t?.sb.stop();
});

describe('numbers', () => {
  it('adds a number idempotently and accepts it with or without +', async () => {
    const a = await t.a.put('/api/v1/numbers/+14155550100');
    expect(a.status, a.text).toBe(200);
    expect(a.body.data).toMatchObject({ number: '+14155550100', routing: null });
    const again = await t.a.put('/api/v1/numbers/%2B14155550100');
    expect(again.body.data.created_at).toBe(a.body.data.created_at);
    expect((await t.a.get('/api/v1/numbers/14155550100')).body.data.number).toBe('+14155550100');
    expect((await listAll(t.a, '/api/v1/numbers')).map((n) => n.number)).toContain('+14155550100');
  });

  it("refuses another tenant's number without saying whose it is", async () => {
    const r = await t.b.put('/api/v1/numbers/+14155550100');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('NUMBER_UNAVAILABLE');
    expect(r.text).not.toContain(t.tenantA);
    expect((await t.b.get('/api/v1/numbers/+14155550100')).status).toBe(404);
    expect((await t.b.delete('/api/v1/numbers/+14155550100')).status).toBe(404);
    expect((await t.b.put('/api/v1/numbers/+14155550100/routing', { type: 'extension', extension_id: extB })).status).toBe(409);
  });

  it('rejects numbers that are not E.164', async () => {
    for (const bad of ['+0123456789', '+12', 'abc', '+1415555010012345']) {
      const r = await t.a.put(`/api/v1/numbers/${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(422);
      expect(r.body.error.details[0]).toMatchObject({ field: 'number', location: 'path' });
    }
  });
});

describe('routing', () => {
  it('routes a number to an extension and shows the route', async () => {
    const r = await t.a.put('/api/v1/numbers/+14155550101/routing', { type: 'extension', extension_id: extA, config: { note: 'desk' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({
      number: '+14155550101',
      type: 'extension',
      extension_id: extA,
      config: { note: 'desk' },
      calendar_id: null,
      after_hours: null,
      webhook_url: null,
    });
    const got = await t.a.get('/api/v1/numbers/+14155550101/routing');
    expect(got.body.data).toEqual(r.body.data);
    expect((await t.a.get('/api/v1/numbers/+14155550101')).body.data.routing).toEqual(r.body.data);
  });

  it('needs exactly the id field of its type', async () => {
    expectFieldErrors(await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'ivr_flow' }), ['ivr_flow_id']);
    expectFieldErrors(
      await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'extension', extension_id: extA, queue_id: 'queue_x' }),
      ['queue_id'],
    );
    expectFieldErrors(await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'fax' }), ['type']);
  });

  it('needs targets that exist in the tenant', async () => {
    expectFieldErrors(await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'extension', extension_id: extB }), ['extension_id']);
    expectFieldErrors(await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'ring_group', ring_group_id: 'rg_missing' }), ['ring_group_id']);
    expectFieldErrors(await t.a.put('/api/v1/numbers/+14155550102/routing', { type: 'conference', conference_id: 'conf_x' }), ['conference_id']);
    // Nothing was claimed by the failed attempts.
    expect((await t.a.get('/api/v1/numbers/+14155550102')).status).toBe(404);
  });

  it('switches to an after-hours target with a calendar', async () => {
    expectFieldErrors(
      await t.a.put('/api/v1/numbers/+14155550103/routing', { type: 'extension', extension_id: extA, calendar_id: 'cal_test1' }),
      ['after_hours'],
    );
    expectFieldErrors(
      await t.a.put('/api/v1/numbers/+14155550103/routing', {
        type: 'extension', extension_id: extA, calendar_id: 'cal_nope', after_hours: { type: 'voicemail', voicemail_id: 'vmail_nope' },
      }),
      ['calendar_id', 'after_hours.voicemail_id'],
    );
    const r = await t.a.put('/api/v1/numbers/+14155550103/routing', {
      type: 'extension', extension_id: extA, calendar_id: 'cal_test1',
      after_hours: { type: 'voicemail', voicemail_id: 'vmail_test1' }, webhook_url: 'https://hooks.example.com/calls',
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data).toMatchObject({
      calendar_id: 'cal_test1',
      after_hours: { type: 'voicemail', voicemail_id: 'vmail_test1' },
      webhook_url: 'https://hooks.example.com/calls',
    });
  });

  it('removes a route and keeps the number', async () => {
    expect((await t.a.delete('/api/v1/numbers/+14155550101/routing')).status).toBe(200);
    expect((await t.a.get('/api/v1/numbers/+14155550101/routing')).status).toBe(404);
    expect((await t.a.get('/api/v1/numbers/+14155550101')).body.data.routing).toBeNull();
    expect((await t.a.delete('/api/v1/numbers/+14155550101/routing')).status).toBe(404);
  });
});

describe('default outbound number', () => {
  it("must be one of the tenant's numbers and keeps it from being released", async () => {
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { default_number: '+14155559999' }), ['default_number']);
    expectFieldErrors(await t.a.patch('/api/v1/tenant', { default_number: '4155550100' }), ['default_number']);
    const set = await t.a.patch('/api/v1/tenant', { default_number: '+14155550100' });
    expect(set.status, set.text).toBe(200);
    expect(set.body.data.default_number).toBe('+14155550100');
    expect((await t.a.get('/api/v1/tenant')).body.data.default_number).toBe('+14155550100');
    const release = await t.a.delete('/api/v1/numbers/+14155550100');
    expect(release.status).toBe(409);
    expect(release.body.error.code).toBe('RESOURCE_IN_USE');
    await t.a.patch('/api/v1/tenant', { default_number: null });
    expect((await t.a.delete('/api/v1/numbers/+14155550100')).status).toBe(200);
    expect((await t.a.get('/api/v1/numbers/+14155550100')).status).toBe(404);
  });

  it('renames the tenant; only admin keys may change it', async () => {
    const r = await t.a.patch('/api/v1/tenant', { name: 'Acme Telecom' });
    expect(r.body.data.name).toBe('Acme Telecom');
    const reader = (await t.a.post('/api/v1/api-keys', { scopes: ['voice:read'] })).body.data.key;
    const { client } = await import('./helpers/http.js');
    expect((await client(t.sb.baseUrl, reader).patch('/api/v1/tenant', { name: 'x' })).status).toBe(403);
  });
});
