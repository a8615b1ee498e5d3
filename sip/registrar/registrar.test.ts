// REGISTER processing (RFC 3261 §10.3) on an authenticated request.
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/parse.js';
import type { SipRequest } from '../message/message.js';
import { BindingTable, type Binding, type BindingStore } from './bindings.js';
import { DEFAULT_POLICY, Registrar, type RegisterContext } from './registrar.js';

function register(lines: string[], callId = 'reg-1', cseq = 1): SipRequest {
  const text = [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1',
    'From: <sip:alice@example.com>;tag=f1',
    'To: <sip:alice@example.com>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    'Max-Forwards: 70',
    ...lines,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

class MemoryStore implements BindingStore {
  rows = new Map<string, Binding>();
  async loadAll(): Promise<Binding[]> {
    return [...this.rows.values()];
  }
  save(b: Binding): void {
    this.rows.set(b.id, { ...b });
  }
  remove(ids: string[]): void {
    for (const id of ids) this.rows.delete(id);
  }
  async flush(): Promise<void> {}
}

function setup() {
  let now = 1_000_000;
  let n = 0;
  const store = new MemoryStore();
  const table = new BindingTable(store, () => now);
  const registrar = new Registrar(table, DEFAULT_POLICY, () => `reg_${++n}`, () => now);
  const ctx: RegisterContext = {
    tenantId: 'ten_1',
    credentialId: 'ext_1',
    username: 'alice',
    source: { transport: 'UDP', address: '192.0.2.10', port: 5060 },
  };
  return { table, registrar, ctx, store, advance: (ms: number) => (now += ms) };
}

const contacts = (headers: [string, string][]): string[] => headers.filter(([h]) => h === 'Contact').map(([, v]) => v);

describe('registrar', () => {
  it('binds a contact for the Expires header and lists it in the 200', () => {
    const { registrar, ctx, table } = setup();
    const r = registrar.handle(register(['Contact: <sip:alice@192.0.2.10:5060>', 'Expires: 600']), ctx);
    expect(r.status).toBe(200);
    expect(contacts(r.headers)).toEqual(['<sip:alice@192.0.2.10:5060>;expires=600']);
    expect(table.lookup('ten_1', 'sip:alice@example.com').map((b) => b.contact)).toEqual(['sip:alice@192.0.2.10:5060']);
  });

  it('takes the expires contact parameter over the header, and the default without either', () => {
    const { registrar, ctx } = setup();
    const r = registrar.handle(
      register(['Contact: <sip:a@192.0.2.10>;expires=120, <sip:a@192.0.2.11>', 'Expires: 300']),
      ctx,
    );
    expect(contacts(r.headers).sort()).toEqual(['<sip:a@192.0.2.10>;expires=120', '<sip:a@192.0.2.11>;expires=300']);
    const { registrar: r2, ctx: c2 } = setup();
    expect(contacts(r2.handle(register(['Contact: <sip:a@192.0.2.10>']), c2).headers)).toEqual(['<sip:a@192.0.2.10>;expires=3600']);
  });

  it('answers 423 with Min-Expires for too short an interval and caps long ones', () => {
    const { registrar, ctx } = setup();
    const r = registrar.handle(register(['Contact: <sip:a@192.0.2.10>', 'Expires: 30']), ctx);
    expect(r.status).toBe(423);
    expect(r.headers).toEqual([['Min-Expires', '60']]);
    const long = registrar.handle(register(['Contact: <sip:a@192.0.2.10>', 'Expires: 99999999999999']), ctx);
    expect(contacts(long.headers)).toEqual([`<sip:a@192.0.2.10>;expires=${DEFAULT_POLICY.maxExpires}`]);
  });

  it('removes one binding with expires=0 and all with "*"', () => {
    const { registrar, ctx, table } = setup();
    registrar.handle(register(['Contact: <sip:a@192.0.2.10>, <sip:a@192.0.2.11>']), ctx);
    const one = registrar.handle(register(['Contact: <sip:a@192.0.2.10>;expires=0'], 'reg-1', 2), ctx);
    expect(contacts(one.headers)).toEqual(['<sip:a@192.0.2.11>;expires=3600']);
    expect(registrar.handle(register(['Contact: *'], 'reg-1', 3), ctx).status).toBe(400); // needs Expires: 0
    const all = registrar.handle(register(['Contact: *', 'Expires: 0'], 'reg-1', 4), ctx);
    expect(all.status).toBe(200);
    expect(contacts(all.headers)).toEqual([]);
    expect(table.size).toBe(0);
  });

  it('refuses an out-of-order CSeq for the same Call-ID, accepts a new Call-ID', () => {
    const { registrar, ctx } = setup();
    registrar.handle(register(['Contact: <sip:a@192.0.2.10>'], 'c1', 5), ctx);
    expect(registrar.handle(register(['Contact: <sip:a@192.0.2.10>'], 'c1', 5), ctx).status).toBe(400);
    expect(registrar.handle(register(['Contact: <sip:a@192.0.2.10>'], 'c1', 6), ctx).status).toBe(200);
    expect(registrar.handle(register(['Contact: <sip:a@192.0.2.10>'], 'c2', 1), ctx).status).toBe(200);
  });

  it('answers a query (no Contact) with the current bindings', () => {
    const { registrar, ctx } = setup();
    registrar.handle(register(['Contact: <sip:a@192.0.2.10>']), ctx);
    const q = registrar.handle(register([], 'q', 9), ctx);
    expect(contacts(q.headers)).toEqual(['<sip:a@192.0.2.10>;expires=3600']);
  });

  it("refuses another user's address of record", () => {
    const { registrar, ctx } = setup();
    expect(registrar.handle(register(['Contact: <sip:a@192.0.2.10>']), { ...ctx, username: 'mallory' }).status).toBe(403);
  });

  it('keeps contact parameters as contact parameters and escaped URI headers intact (RFC 4475 cparam01, regescrt)', () => {
    const { registrar, ctx } = setup();
    const a = registrar.handle(register(['Contact: sip:+19725552222@gw1.example.net;unknownparam']), ctx);
    expect(contacts(a.headers)).toEqual(['<sip:+19725552222@gw1.example.net>;unknownparam;expires=3600']);
    const b = registrar.handle(register(['Contact: <sip:alice@example.com?Route=%3Csip:sip.example.com%3E>'], 'x', 2), ctx);
    expect(contacts(b.headers)).toContain('<sip:alice@example.com?Route=%3Csip:sip.example.com%3E>;expires=3600');
  });

  it('limits contacts per address of record', () => {
    const { registrar, ctx } = setup();
    const many = Array.from({ length: DEFAULT_POLICY.maxContactsPerAor + 1 }, (_, i) => `<sip:a@192.0.2.${i + 1}>`).join(', ');
    expect(registrar.handle(register([`Contact: ${many}`]), ctx).status).toBe(403);
  });

  it('sweeps expired bindings and survives a reload from the store', async () => {
    const { registrar, ctx, table, store, advance } = setup();
    registrar.handle(register(['Contact: <sip:a@192.0.2.10>;expires=60, <sip:a@192.0.2.11>;expires=600']), ctx);
    advance(61_000);
    expect(table.lookup('ten_1', 'sip:alice@example.com')).toHaveLength(1);
    expect(table.sweep()).toBe(1);
    expect(store.rows.size).toBe(1);
    const reloaded = new BindingTable(store, () => 1_000_000 + 61_000);
    expect(await reloaded.load()).toBe(1);
    expect(reloaded.lookup('ten_1', 'sip:alice@example.com')[0]!.contact).toBe('sip:a@192.0.2.11');
  });
});
