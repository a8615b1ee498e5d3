// Calls to numbers routed to an IVR flow or a voicemail box. The B2BUA has identified,
// routed, admitted and recorded the call and made the caller's media endpoint; here it is
// answered with that endpoint's SDP, the call goes in_progress (webhook included), and the
// flow runs on it through LiveCallControl until it ends: hung up, in a mailbox, or bridged
// to whoever it was transferred to (an ordinary bridged call from then on).
//
// A voicemail route is run as a one-node flow, so a box reached by number and a box reached
// from a menu behave the same (greeting, tone, record, deposit).
import { isOpen } from '../../ivr-runtime/calendar.js';
import { compileStoredFlow, runFlow, type CompiledFlow, type FlowEnvironment } from '../../ivr-runtime/index.js';
import type { MediaEngine } from '../../media/engine/index.js';
import type { InboundCall } from '../../sip/ua/index.js';
import type { Store } from '../../store/index.js';
import type { B2buaContext } from '../b2bua/b2bua-context.js';
import type { BridgedCall, Leg } from '../b2bua/bridged-call.js';
import type { Application, ApplicationHost } from '../b2bua/destination.js';
import { storeEnvironment } from '../config/ivr-flows.js';
import type { VoicemailDepositor } from '../voicemail/index.js';
import { CallAudio } from './call-audio.js';
import type { Callbacks } from './callbacks.js';
import { LiveCallControl } from './live-call-control.js';
import { RingGroupState } from './ring-group-members.js';
import type { TtsCache } from './tts-cache.js';
import type { TtsRate } from './tts-provider.js';
import { voicemailFlow } from './voicemail-flow.js';
import { depositRecording } from './voicemail-deposit.js';

export interface IvrLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface IvrApplicationsOptions {
  b2bua: B2buaContext;
  engine: MediaEngine;
  store: Store;
  tts: TtsCache;
  /** The media engine's recordings directory: messages are recorded under it. */
  recordingsDir: string;
  callbacks: Callbacks;
  /** Where messages go; without it a recorded message is kept on disk and logged (not lost). */
  voicemail?: VoicemailDepositor;
  log: IvrLog;
  now?: () => Date;
}

/** Codecs that run at 16 kHz in the engine; the rest (G.711) at 8 kHz. */
const WIDEBAND = new Set(['G722', 'OPUS', 'L16']);

export class IvrApplications implements ApplicationHost {
  private readonly bySession = new Map<string, CallAudio>();
  private readonly byEndpoint = new Map<string, CallAudio>();
  private readonly ringGroups = new RingGroupState();

  constructor(private readonly o: IvrApplicationsOptions) {
    o.engine.on('dtmf', (e) => this.byEndpoint.get(e.endpointId)?.digits.push(e.digit));
    o.engine.on('playback_done', (e) => this.bySession.get(e.sessionId)?.playbackDone(e.playId));
    o.engine.on('recording_done', (e) => this.bySession.get(e.sessionId)?.recordingDone(e.recordingId, e.result));
  }

  /** Calls running a flow now. */
  get active(): number {
    return this.bySession.size;
  }

  async isOpen(tenantId: string, calendarId: string): Promise<boolean | undefined> {
    const cal = await this.o.store.resources.calendars.get(tenantId, calendarId);
    if (!cal) return undefined;
    const rules = { timezone: cal.timezone, weekdayWindows: JSON.parse(cal.weekday_windows), holidays: JSON.parse(cal.holidays) };
    return isOpen(rules, this.o.now?.() ?? new Date()).open;
  }

  async answer(a: { bridged: BridgedCall; leg: Leg; sip: InboundCall; app: Application; caller: string }): Promise<void> {
    const { bridged, leg, sip, app } = a;
    const log = this.o.log;
    const hungUp = new AbortController();
    sip.on('terminated', () => hungUp.abort(new Error('the caller hung up')));
    if (!sip.answer(leg.localSdp)) {
      await bridged.hangup('system', 'answer_failed');
      return;
    }
    let audio: CallAudio | undefined;
    try {
      await bridged.connect();
      audio = new CallAudio({
        media: bridged.media,
        endpointId: leg.endpointId,
        rate: await this.rateOf(bridged, leg),
        tts: this.o.tts,
        recordingsDir: this.o.recordingsDir,
        recordingsSubdir: 'voicemail-incoming',
        log,
      });
      this.bySession.set(bridged.media.id, audio);
      this.byEndpoint.set(leg.endpointId, audio);
      const sipDigits = (d: { digit: string }) => audio!.digits.push(d.digit);
      sip.on('dtmf', sipDigits);
      const flow = await this.flowFor(bridged, app);
      if (!flow) {
        await bridged.note('ivr_unavailable', { ivr_flow_id: app.app.type === 'ivr_flow' ? app.app.flowId : null });
        await bridged.hangup('system', 'ivr_unavailable');
        return;
      }
      const control = new LiveCallControl({ ctx: this.o.b2bua, call: bridged, audio, ringGroups: this.ringGroups, log });
      const env = this.environment(bridged, app, a.caller);
      const outcome = await runFlow(flow, control, {
        signal: hungUp.signal,
        env,
        observer: {
          enter: (node, step) => log.debug({ call: bridged.id, node: node.id, type: node.type, step }, 'ivr node'),
          note: (node, message) => log.debug({ call: bridged.id, node: node.id, message }, 'ivr'),
        },
      });
      sip.off('dtmf', sipDigits);
      await bridged.note('ivr_finished', { ...(app.app.type === 'ivr_flow' ? { ivr_flow_id: app.app.flowId } : {}), final_action: outcome.final, nodes_visited: outcome.visited });
      log.info({ call: bridged.id, final: outcome.final }, 'ivr finished');
    } catch (err) {
      log.warn({ call: bridged.id, err: (err as Error).message }, 'ivr failed: hanging up');
      if (!bridged.isOver) await bridged.hangup('system', 'ivr_error');
    } finally {
      this.bySession.delete(bridged.media.id);
      this.byEndpoint.delete(leg.endpointId);
      // The next callback due may be this caller's, waiting for this call to end.
      if (bridged.isOver) void this.o.callbacks.poll();
    }
  }

  /** 16 kHz for a wideband codec, else 8 kHz: prompts are rendered at the rate the leg sends. */
  private async rateOf(bridged: BridgedCall, leg: Leg): Promise<TtsRate> {
    try {
      const s = (await bridged.media.stats(leg.endpointId)) as { codec?: { name?: string } | null };
      const name = (s.codec?.name ?? '').toUpperCase().split('/')[0]!;
      return WIDEBAND.has(name) ? 16000 : 8000;
    } catch {
      return 8000;
    }
  }

  private async flowFor(bridged: BridgedCall, app: Application): Promise<CompiledFlow | undefined> {
    if (app.app.type === 'voicemail') return voicemailFlow(app.app.voicemailId);
    const row = await this.o.store.resources.ivrFlows.get(bridged.tenantId, app.app.flowId);
    if (!row || row.active !== 1) return undefined;
    return compileStoredFlow(JSON.parse(row.definition));
  }

  private environment(bridged: BridgedCall, app: Application, caller: string): FlowEnvironment {
    const base = storeEnvironment(this.o.store.db, bridged.tenantId);
    return {
      ...base,
      depositVoicemail: (d) =>
        depositRecording({ voicemail: this.o.voicemail, log: this.o.log }, bridged, {
          voicemailId: d.voicemailBoxId,
          recorded: d.recorded,
          caller,
          callee: app.e164,
        }),
      requestCallback: async (d) => {
        const id = await this.o.callbacks.request({
          tenantId: bridged.tenantId,
          to: caller,
          from: app.e164,
          agentId: d.agentId,
          ivrFlowId: app.app.type === 'ivr_flow' ? app.app.flowId : null,
          originCallId: bridged.id,
        });
        await bridged.note('callback_requested', { callback_id: id, node_id: d.nodeId, to: caller });
      },
    };
  }
}
