// Composition of the media plane: recordings left half-written by a crash are repaired
// first, then the worker threads start with their slices of the RTP port range.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { WorkerMediaEngine } from '../media/engine/index.js';
import { repairRecordings } from '../media/recorder/wav-repair.js';
import type { Config } from './config.js';

export interface MediaService {
  engine: WorkerMediaEngine;
  recordingsDir: string;
  stop(): Promise<void>;
}

export async function startMedia(config: Config, logger: Logger): Promise<MediaService> {
  const log = logger.child({ layer: 'media' });
  const recordingsDir = path.join(config.dataDir, 'recordings');
  await mkdir(recordingsDir, { recursive: true });
  const repair = await repairRecordings(recordingsDir);
  if (repair.fixed.length > 0 || repair.failed.length > 0) {
    log.warn({ fixed: repair.fixed.length, failed: repair.failed.length, removed: repair.removed.length }, 'recordings repaired after an unclean stop');
  }
  const engine = new WorkerMediaEngine({
    workers: config.media.workers,
    address: config.media.address,
    advertisedAddress: config.media.advertisedAddress,
    portMin: config.rtp.portMin,
    portMax: config.rtp.portMax,
    recordingsDir,
    mediaTimeoutMs: config.media.timeoutMs,
  });
  engine.on('worker_exit', (e) => log.error({ event: e }, 'a media worker exited; its calls are lost'));
  engine.on('endpoint_error', (e) => log.warn({ event: e }, 'media endpoint error'));
  await engine.ready();
  log.info({ workers: config.media.workers, ports: `${config.rtp.portMin}-${config.rtp.portMax}` }, 'media ready');
  return { engine, recordingsDir, stop: () => engine.close() };
}
