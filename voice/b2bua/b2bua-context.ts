// What the parts of the B2BUA share: its options (the SIP user agent, the media engine, the
// store and the call domain), the directory, the dialler, and the calls up in this process.
import type { UserAgent } from '../../sip/ua/index.js';
import type { BindingTable } from '../../sip/registrar/bindings.js';
import type { MediaEngine } from '../../media/engine/index.js';
import type { Store } from '../../store/index.js';
import type { CallRecords } from '../calls/call-records.js';
import type { CallRecordings } from '../calls/call-recordings.js';
import type { CallLimits } from '../calls/call-limits.js';
import type { CallRecord } from '../calls/call-repository.js';
import type { BridgedCall } from './bridged-call.js';
import type { BridgeLog } from './bridge-log.js';
import type { CallDirectory, TrunkRow } from './call-directory.js';
import type { Dialer } from './dialer.js';
import type { Synthesizer } from './tts.js';

export interface B2buaOptions {
  ua: UserAgent;
  engine: MediaEngine;
  store: Store;
  bindings: BindingTable;
  records: CallRecords;
  recordings: CallRecordings;
  limits: CallLimits;
  log: BridgeLog & { info(obj: object, msg: string): void };
  /** How long a callee may ring before we CANCEL (the call becomes no_answer). Default 60 s. */
  ringTimeoutMs?: number;
  /** Speech for warm-transfer whisper messages; default espeak-ng from PATH. */
  tts?: Synthesizer;
  /** Hold music URLs may be fetched from private and loopback addresses (SWITCHBOARD_FETCH_ALLOW_PRIVATE). */
  fetchAllowPrivate?: boolean;
  now?: () => Date;
}

export interface B2buaContext {
  readonly o: B2buaOptions;
  readonly dir: CallDirectory;
  readonly dialer: Dialer;
  readonly tts: Synthesizer;
  readonly calls: ReadonlyMap<string, BridgedCall>;
  readonly draining: boolean;
  /** Starts following a new call (its media session is made); it leaves the map when it ends. */
  track(id: string, tenantId: string, session: BridgedCall['media'], trunk: TrunkRow | undefined, release: () => void): BridgedCall;
  /**
   * An operation on a call of the tenant that is up in this process: undefined when there is
   * no such call (404), 409 CALL_ENDED when it has ended; the call as it is afterwards.
   */
  op(tenantId: string, callId: string, fn: (c: BridgedCall) => Promise<unknown>): Promise<CallRecord | undefined>;
}
