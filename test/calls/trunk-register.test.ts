// Trunk registration on the wire (docs/trunks.md): SIPp plays the carrier's registrar; a
// trunk with `register: true` REGISTERs to it with digest, refreshes before the granted time
// runs out, retries after a refusal, and un-REGISTERs when the trunk is deleted or the server
// stops. The state is read from the trunk's row and from the API's `registration`.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callee, sleep, startRig, type Party, type Rig, type SipMessage } from './call-rig.js';

const TRUNK_USER = 'trunkuser';
const TRUNK_PASS = 'trunk-secret-9';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The REGISTERs the registrar received, in order (retransmissions once). */
function registers(p: Party): SipMessage[] {
  const seen = new Set<string>();
  return p.messages().filter((m) => {
    if (m.direction !== 'received' || m.method !== 'REGISTER' || m.status !== undefined) return false;
    const key = `${m.header('cseq')} ${m.header('via')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** RFC 2617 §3.2.2 by hand: the Authorization of `m` proves the password for this request. */
function expectValidDigest(m: SipMessage, password: string): void {
  const auth = m.header('authorization');
  expect(auth, 'REGISTER with credentials').toBeDefined();
  const p = Object.fromEntries([...auth!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((x) => [x[1]!.toLowerCase(), x[2] ?? x[3]!]));
  expect(p).toMatchObject({ username: TRUNK_USER, realm: 'carrier.test', qop: 'auth' });
  const requestUri = m.text.split('\r\n')[0]!.split(' ')[1]!;
  expect(p.uri).toBe(requestUri);
  const ha1 = md5(`${TRUNK_USER}:carrier.test:${password}`);
  const ha2 = md5(`REGISTER:${p.uri}`);
  expect(p.response).toBe(md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
}

function trunkRow(rig: Rig, id: string): { registration_status: string | null; registration_expires_at: string | null; registration_error: string | null } | undefined {
  const db = new Database(path.join(rig.sb.dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT registration_status, registration_expires_at, registration_error FROM sip_trunks WHERE id = ?').get(id) as never;
  } finally {
    db.close();
  }
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = fn();
    if (v) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The trunk's `registration` as the API shows it, once its status is `status` (polled briefly). */
async function apiRegistration(rig: Rig, id: string, status: string): Promise<{ status: string; expires_at: string | null; last_error: string | null }> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    const r = await rig.api.get(`/api/v1/voice/sip-trunks/${id}`);
    expect(r.status, r.text).toBe(200);
    last = r.body.data.registration;
    if (r.body.data.registration?.status === status) return r.body.data.registration;
    await sleep(50);
  }
  throw new Error(`the API never showed registration ${status}: last ${JSON.stringify(last)}`);
}

async function registeringTrunk(rig: Rig, port: number): Promise<string> {
  const r = await rig.api.post('/api/v1/voice/sip-trunks', {
    name: 'Registering carrier',
    termination_uri: `sip:127.0.0.1:${port}`,
    auth_username: TRUNK_USER,
    auth_password: TRUNK_PASS,
    register: true,
  });
  expect(r.status, r.text).toBe(201);
  return r.body.data.id as string;
}

describe('a trunk with register: true', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ register: false });
  });
  afterAll(async () => {
    await rig?.sb.stop();
  });

  it('REGISTERs with digest, refreshes before the binding runs out, and un-REGISTERs when deleted', async () => {
    const registrar = await callee({ scenario: 'trunk-registrar.xml', keys: { first: '2', second: '60' } });
    const trunkId = await registeringTrunk(rig, registrar.port);

    // Registered: the first binding (2 s) is refreshed after 1-1.6 s.
    await until('the refresh', () => registers(registrar).length >= 4);
    const [first, withAuth, refresh, refreshAuth] = registers(registrar) as [SipMessage, SipMessage, SipMessage, SipMessage];
    expect(first.text).toMatch(new RegExp(`^REGISTER sip:127\\.0\\.0\\.1:${registrar.port} SIP/2\\.0`));
    expect(first.header('to')).toMatch(new RegExp(`<sip:${TRUNK_USER}@127\\.0\\.0\\.1>`));
    expect(first.header('contact')).toMatch(new RegExp(`^<sip:${TRUNK_USER}@127\\.0\\.0\\.1:${rig.sb.sipPort}>`));
    expect(first.header('expires')).toBe('600');
    expect(first.header('authorization')).toBeUndefined();
    expectValidDigest(withAuth, TRUNK_PASS);
    expectValidDigest(refreshAuth, TRUNK_PASS);
    // One binding: the same Call-ID throughout, CSeq counting up (RFC 3261 §10.2.4).
    const callIds = new Set([first, withAuth, refresh, refreshAuth].map((m) => m.header('call-id')));
    expect(callIds.size).toBe(1);
    const seqs = [first, withAuth, refresh, refreshAuth].map((m) => Number(m.header('cseq')!.split(' ')[0]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
    // The refresh came between half and four fifths of the 2 s granted (plus scheduling slack).
    const gap = refresh.at - withAuth.at;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(2000);

    const row = await until('registered with the 60 s binding', () => {
      const r = trunkRow(rig, trunkId);
      return r?.registration_status === 'registered' && Date.parse(r.registration_expires_at!) > Date.now() + 30_000 && r;
    });
    expect(row.registration_error).toBeNull();
    // The API shows the same state.
    const shown = await apiRegistration(rig, trunkId, 'registered');
    expect(shown.last_error).toBeNull();
    expect(Date.parse(shown.expires_at!)).toBeGreaterThan(Date.now() + 30_000);

    // Deleted: the binding is removed (Expires: 0), with digest again.
    expect((await rig.api.delete(`/api/v1/voice/sip-trunks/${trunkId}`)).status).toBe(200);
    const done = await registrar.done;
    expect(done.code, done.output).toBe(0);
    const [unregister, unregisterAuth] = registers(registrar).slice(4) as [SipMessage, SipMessage];
    expect(unregister.header('expires')).toBe('0');
    expect(unregisterAuth.header('expires')).toBe('0');
    expectValidDigest(unregisterAuth, TRUNK_PASS);
    expect(unregister.header('call-id')).toBe(first.header('call-id'));
  });
});

describe('a registrar that refuses', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ register: false, env: { SWITCHBOARD_TRUNK_REGISTER_RETRY_MS: '1500' } });
  });
  afterAll(async () => {
    await rig?.sb.stop();
  });

  it('is retried after a wait, shows failed with the reason meanwhile, and is un-REGISTERed at shutdown', async () => {
    const registrar = await callee({ scenario: 'trunk-registrar-refuses.xml', keys: { first: '60' } });
    const trunkId = await registeringTrunk(rig, registrar.port);
    const failed = await until('failed', () => {
      const r = trunkRow(rig, trunkId);
      return r?.registration_status === 'failed' && r;
    });
    expect(failed.registration_error).toBe('403 Forbidden');
    expect((await apiRegistration(rig, trunkId, 'failed')).last_error).toBe('403 Forbidden');
    await until('registered after the retry', () => trunkRow(rig, trunkId)?.registration_status === 'registered');
    expect((await apiRegistration(rig, trunkId, 'registered')).last_error).toBeNull();
    const [refused, retry] = registers(registrar) as [SipMessage, SipMessage];
    // The backoff's first wait: 1.5 s ± 20 %.
    expect(retry.at - refused.at).toBeGreaterThanOrEqual(1100);

    // A graceful stop removes the binding before SIP closes.
    expect(await rig.sb.stop()).toBe(0);
    const done = await registrar.done;
    expect(done.code, done.output).toBe(0);
    expect(registers(registrar).at(-1)?.header('expires')).toBe('0');
  });
});
