// Answering machine detection for `POST /calls` with `amd: true`: once the callee answers, the
// media engine listens to the callee's first seconds (media/dsp/amd.ts) and the decision
// (`human`, `machine` or `unknown`) goes into the call's `amd_result`, with the detail in its
// timeline (`amd`). The call itself goes on as it would without detection: the result is for
// the application to act on (GET /calls/{id}, the call's later webhooks).
import type { AmdDecision, AmdSettings } from '../../media/engine/index.js';
import type { BridgeLog } from './bridge-log.js';
import type { BridgedCall } from './bridged-call.js';

export async function detectAnsweringMachine(c: BridgedCall, log: BridgeLog & { info(obj: object, msg: string): void }, settings: Partial<AmdSettings> = {}): Promise<void> {
  const callee = c.legs.callee;
  if (!callee || c.isOver) return;
  let d: AmdDecision;
  try {
    d = await c.media.detectMachine(callee.endpointId, settings);
  } catch (err) {
    // The engine lost the leg or its worker: nothing can be told, and the caller must not wait
    // for a result that will never come.
    log.warn({ call: c.id, err: (err as Error).message }, 'answering machine detection failed');
    await c.update({ amdResult: 'unknown' });
    await c.note('amd', { result: 'unknown', cause: 'failed' });
    return;
  }
  await c.update({ amdResult: d.result });
  await c.note('amd', {
    result: d.result,
    cause: d.cause,
    after_ms: d.afterMs,
    initial_silence_ms: d.initialSilenceMs,
    voice_ms: d.voiceMs,
    words: d.words,
  });
  log.info({ call: c.id, amd: d.result, cause: d.cause, after_ms: d.afterMs }, 'answering machine detection');
}
