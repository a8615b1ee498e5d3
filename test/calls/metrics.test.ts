// /metrics while calls come and go, against a real server: a carrier (SIPp) calls a number
// routed to alice (SIPp): while the call is up the gauges show one inbound call, its two legs
// and its media; once it ends they are back to zero and the call is counted by its final
// status. A callee that answers busy is counted as busy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.js';
import { CARRIER_IP, callee, hasStatus, newestCallTo, numberToAlice, party, sleep, startRig, waitForCall, type Rig } from './call-rig.js';

let rig: Rig;
const NUMBER = '+14155550177';

beforeAll(async () => {
  rig = await startRig();
  await numberToAlice(rig, NUMBER);
});
afterAll(async () => {
  await rig?.sb.stop();
});

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of a metric in Prometheus' text format. */
async function samples(name: string): Promise<Sample[]> {
  const r = await call(rig.sb.baseUrl, 'GET', '/metrics');
  expect(r.status).toBe(200);
  const out: Sample[] = [];
  for (const line of r.text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample whose labels include `labels` (undefined when there is none). */
async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const all = (await samples(name)).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(all.length, `${name} ${JSON.stringify(labels)}: one sample at most`).toBeLessThanOrEqual(1);
  return all[0]?.value;
}

/** Sum over every sample of a per-worker figure (undefined when no worker reports it). */
async function total(name: string): Promise<number | undefined> {
  const all = await samples(name);
  return all.length === 0 ? undefined : all.reduce((a, s) => a + s.value, 0);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('call figures on /metrics', () => {
  it('a call shows in the gauges while it is up, leaves them when it ends, and counts as completed', async () => {
    // Nothing is up yet; every final status is listed from the start, at 0.
    expect(await value('switchboard_calls_active', { direction: 'inbound' })).toBe(0);
    expect(await value('switchboard_calls_active', { direction: 'outbound' })).toBe(0);
    expect(await value('switchboard_call_legs_active')).toBe(0);
    for (const status of ['completed', 'failed', 'busy', 'no_answer', 'cancelled']) {
      expect(await value('switchboard_calls_ended_total', { status })).toBe(0);
    }

    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort });
    const caller = party({ scenario: 'caller.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort, pauseMs: 2500 });
    const live = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');

    expect(await value('switchboard_calls_active', { direction: 'inbound' })).toBe(1);
    expect(await value('switchboard_calls_active', { direction: 'outbound' })).toBe(0);
    // The carrier's leg and alice's.
    expect(await value('switchboard_call_legs_active')).toBe(2);
    expect(await total('switchboard_media_sessions_active')).toBe(1);
    expect(await total('switchboard_media_endpoints_active')).toBe(2);
    // The call's one room (the endpoints' private rooms are not counted).
    expect(await total('switchboard_media_rooms_active')).toBe(1);
    // The worker's tick lateness, as quantiles of its last minute.
    const lateness = await samples('switchboard_media_tick_lateness_ms');
    expect(lateness.map((s) => s.labels.quantile).sort()).toEqual(['0.5', '0.99', '1']);
    for (const s of lateness) expect(s.value).toBeGreaterThanOrEqual(0);

    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    await waitForCall(rig.api, live.id, hasStatus('completed'), 'completed');

    await until('the gauges to drop back', async () => (await value('switchboard_call_legs_active')) === 0 && (await total('switchboard_media_sessions_active')) === 0);
    expect(await value('switchboard_calls_active', { direction: 'inbound' })).toBe(0);
    expect(await total('switchboard_media_endpoints_active')).toBe(0);
    expect(await total('switchboard_media_rooms_active')).toBe(0);
    expect(await value('switchboard_calls_ended_total', { status: 'completed' })).toBe(1);
    expect(await value('switchboard_calls_ended_total', { status: 'busy' })).toBe(0);
  });

  it('a callee that answers busy counts the call as busy, not completed', async () => {
    const since = new Date().toISOString();
    const alice = await callee({ scenario: 'callee-busy.xml', port: rig.alicePort });
    const caller = party({ scenario: 'caller-refused.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort });
    const [c, a] = await Promise.all([caller.done, alice.done]);
    expect(c.code, c.output).toBe(0);
    expect(a.code, a.output).toBe(0);
    await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('busy'), 'busy');

    expect(await value('switchboard_calls_ended_total', { status: 'busy' })).toBe(1);
    expect(await value('switchboard_calls_ended_total', { status: 'completed' })).toBe(1);
    await until('the busy call to leave the gauges', async () => (await value('switchboard_call_legs_active')) === 0);
    expect(await value('switchboard_calls_active', { direction: 'inbound' })).toBe(0);
  });
});
