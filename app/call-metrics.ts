// Call figures on /metrics. Gauges are read when Prometheus scrapes (the live call rows, the
// user agent's sessions, one stats request per media worker), so a call costs nothing extra on
// its way through; the one counter, calls ended by final status, is bumped by the call records'
// transition hook, once per call end, after the commit that records it (a write that fails
// is not counted).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/index.js';
import type { MediaEngine } from '../media/engine/index.js';
import type { CallRecords } from '../voice/calls/call-records.js';
import { LIVE_STATUSES, TERMINAL_STATUSES, isTerminal } from '../voice/calls/call-status.js';

export interface CallMetricsSources {
  store: Pick<Store, 'db'>;
  records: Pick<CallRecords, 'onTransition'>;
  /** The SIP user agent: its INVITE sessions, both directions, are the call legs. */
  ua: { readonly size: number };
  engine: Pick<MediaEngine, 'stats'>;
}

const DIRECTIONS = ['inbound', 'outbound'] as const;

/** What one worker's stats say (media/engine/media-host.ts stats()); every field may be missing. */
interface WorkerStats {
  worker?: number;
  sessions?: unknown;
  endpoints?: unknown;
  rooms?: unknown;
  tick?: { p50Ms?: unknown; p99Ms?: unknown; maxMs?: unknown };
  error?: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The media engine's figures, fetched once per scrape however many gauges read them: a scrape
 * runs every collector at once, so they share the one request in flight.
 */
function engineSnapshot(engine: Pick<MediaEngine, 'stats'>): () => Promise<WorkerStats[]> {
  let pending: Promise<WorkerStats[]> | undefined;
  return () => {
    if (!pending) {
      pending = engine
        .stats()
        .then((s) => ((s as { workers?: WorkerStats[] }).workers ?? []).filter((w) => w.error === undefined))
        .catch(() => []);
      // Forgotten once this scrape's collectors have all run.
      const forget = () => setTimeout(() => (pending = undefined), 0);
      void pending.then(forget);
    }
    return pending;
  };
}

export function registerCallMetrics(registry: Registry, s: CallMetricsSources): void {
  const media = engineSnapshot(s.engine);

  new Gauge({
    name: 'switchboard_calls_active',
    help: 'Calls up or being set up (initiating, ringing, in_progress), by direction',
    labelNames: ['direction'] as const,
    registers: [registry],
    async collect() {
      const rows = await s.store.db
        .selectFrom('calls')
        .select(['direction', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', 'in', [...LIVE_STATUSES])
        .groupBy('direction')
        .execute();
      for (const d of DIRECTIONS) this.set({ direction: d }, Number(rows.find((r) => r.direction === d)?.n ?? 0));
    },
  });

  new Gauge({
    name: 'switchboard_call_legs_active',
    help: 'SIP call legs (INVITE sessions, both directions) the B2BUA holds',
    registers: [registry],
    collect() {
      this.set(s.ua.size);
    },
  });

  // Per worker (a session and all it holds live in one). A figure a worker does not report is
  // left out rather than shown as 0.
  const mediaGauge = (name: string, help: string, field: 'sessions' | 'endpoints' | 'rooms') =>
    new Gauge({
      name,
      help,
      labelNames: ['worker'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const w of await media()) {
          const v = num(w[field]);
          if (v !== undefined) this.set({ worker: String(w.worker ?? 0) }, v);
        }
      },
    });
  mediaGauge('switchboard_media_rooms_active', 'Rooms in the media engine, per worker (a bridged call has one)', 'rooms');
  mediaGauge('switchboard_media_sessions_active', 'Media sessions per worker (one per call or conference)', 'sessions');
  mediaGauge('switchboard_media_endpoints_active', 'Media endpoints per worker (one per call leg with media)', 'endpoints');

  new Gauge({
    name: 'switchboard_media_tick_lateness_ms',
    help: "How late each media worker's 20 ms ticks ran over its last 3000 ticks (one minute); quantile 1 is the maximum",
    labelNames: ['worker', 'quantile'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of await media()) {
        const worker = String(w.worker ?? 0);
        const q: [string, number | undefined][] = [
          ['0.5', num(w.tick?.p50Ms)],
          ['0.99', num(w.tick?.p99Ms)],
          ['1', num(w.tick?.maxMs)],
        ];
        for (const [quantile, v] of q) if (v !== undefined) this.set({ worker, quantile }, v);
      }
    },
  });

  const ended = new Counter({
    name: 'switchboard_calls_ended_total',
    help: 'Calls ended since start, by final status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  for (const status of TERMINAL_STATUSES) ended.inc({ status }, 0);
  // Counted once the end is durable: a write that fails (and is rolled back) counts nothing.
  s.records.onTransition((t, tx) => {
    if (isTerminal(t.to)) tx.afterCommit(() => ended.inc({ status: t.to }));
  });
}
