// The media gauges of /metrics read the engine itself: a room made in the engine shows in
// switchboard_media_rooms_active (an endpoint's own private room does not), and leaves it when
// destroyed.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { InProcessMediaEngine } from '../media/engine/index.js';
import { registerCallMetrics } from './call-metrics.js';

let engine: InProcessMediaEngine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function gauge(registry: Registry, name: string): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  // One engine snapshot serves a whole scrape and is dropped a turn of the event loop later.
  await new Promise((r) => setTimeout(r, 5));
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  return (await m.get()).values.map((v) => ({ labels: v.labels, value: v.value }));
}

describe('media gauges', () => {
  it('rooms, sessions and endpoints follow the engine', async () => {
    engine = new InProcessMediaEngine({ portMin: 31980, portMax: 31999 });
    const registry = new Registry();
    registerCallMetrics(registry, { store: { db: {} as never }, records: { onTransition: () => undefined }, ua: { size: 0 }, engine });

    expect(await gauge(registry, 'switchboard_media_rooms_active')).toEqual([{ labels: { worker: '0' }, value: 0 }]);
    const s = await engine.createSession();
    const a = await s.createEndpoint({});
    await s.createEndpoint({});
    expect(await gauge(registry, 'switchboard_media_rooms_active'), 'private rooms are not rooms').toEqual([{ labels: { worker: '0' }, value: 0 }]);
    const { roomId } = await s.createRoom();
    await s.join(roomId, a.endpointId);
    await (await engine.createSession()).createRoom();
    expect(await gauge(registry, 'switchboard_media_rooms_active')).toEqual([{ labels: { worker: '0' }, value: 2 }]);
    expect(await gauge(registry, 'switchboard_media_sessions_active')).toEqual([{ labels: { worker: '0' }, value: 2 }]);
    expect(await gauge(registry, 'switchboard_media_endpoints_active')).toEqual([{ labels: { worker: '0' }, value: 2 }]);

    await s.destroy(roomId);
    expect(await gauge(registry, 'switchboard_media_rooms_active')).toEqual([{ labels: { worker: '0' }, value: 1 }]);
    await s.destroy();
    expect(await gauge(registry, 'switchboard_media_endpoints_active')).toEqual([{ labels: { worker: '0' }, value: 0 }]);
  });
});
