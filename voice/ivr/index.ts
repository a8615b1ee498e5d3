// IVR flows and voicemail on live calls (docs/ivr.md): what the composition root starts.
import path from 'node:path';
import type { MediaEngine } from '../../media/engine/index.js';
import type { Store } from '../../store/index.js';
import type { B2bua } from '../b2bua/b2bua.js';
import type { VoicemailDepositor } from '../voicemail/index.js';
import { Callbacks } from './callbacks.js';
import { EspeakTts } from './espeak-tts.js';
import { IvrApplications, type IvrLog } from './ivr-applications.js';
import { TtsCache } from './tts-cache.js';
import type { TtsProvider } from './tts-provider.js';

export { IvrApplications } from './ivr-applications.js';
export { Callbacks } from './callbacks.js';
export { EspeakTts } from './espeak-tts.js';
export { TtsCache } from './tts-cache.js';
export type { TtsProvider, TtsRequest, TtsAudio, TtsRate } from './tts-provider.js';

export interface IvrOptions {
  b2bua: B2bua;
  engine: MediaEngine;
  store: Store;
  recordingsDir: string;
  voicemail?: VoicemailDepositor;
  log: IvrLog;
  /** How long after a caller asks for a callback it is placed at the earliest (default 5 s). */
  callbackDelayMs?: number;
  tts?: TtsProvider;
}

export interface IvrPart {
  applications: IvrApplications;
  callbacks: Callbacks;
  stop(): void;
}

/** Numbers routed to IVR flows and voicemail boxes are answered from now on; due callbacks are placed. */
export function startIvr(o: IvrOptions): IvrPart {
  const tts = new TtsCache(o.tts ?? new EspeakTts(), path.join(o.store.dataDir, 'tts-cache'));
  const callbacks = new Callbacks({
    store: o.store,
    place: (req) => o.b2bua.place(req),
    callUp: (id) => o.b2bua.calls.has(id),
    ...(o.callbackDelayMs !== undefined ? { delayMs: o.callbackDelayMs } : {}),
    log: o.log,
  });
  const applications = new IvrApplications({
    b2bua: o.b2bua,
    engine: o.engine,
    store: o.store,
    tts,
    recordingsDir: o.recordingsDir,
    callbacks,
    ...(o.voicemail ? { voicemail: o.voicemail } : {}),
    log: o.log,
  });
  o.b2bua.applications = applications;
  callbacks.start();
  return { applications, callbacks, stop: () => callbacks.stop() };
}
