// voicemail: greeting, tone, record until the caller presses #, stops talking for a while,
// reaches the box's maximum length or hangs up; then the message is stored in the node's
// box (or the tenant's default box, decided by the voicemail store). The node's greeting
// wins over the box's.
import { phrasesFor } from '../phrases.js';
import type { NodeHandler } from './handler.js';

/** Used when the node names no box: the spec's default max_duration is not per flow. */
const DEFAULT_MAX_SECONDS = 120;
/** This long without a sound ends the message (the caller is done but did not hang up). */
export const VOICEMAIL_SILENCE_SECONDS = 5;

export const voicemailHandler: NodeHandler<'voicemail'> = {
  async run(ctx) {
    const { data, id } = ctx.node;
    const { call, signal, language } = ctx;
    const boxId = data.voicemailBoxId ?? null;
    const box = boxId !== null ? await ctx.env.voicemailBox(boxId) : undefined;
    const greeting = data.greeting ?? box?.greeting ?? phrasesFor(language).voicemailGreeting;
    await call.say(greeting, { language, bargeIn: false, signal });
    await call.play('beep', { signal });
    const maxSeconds = box?.maxDurationSeconds ?? DEFAULT_MAX_SECONDS;
    ctx.note(`recording a message for ${boxId ?? 'the default voicemail box'} (up to ${maxSeconds} s, # ends it)`);
    const recorded = await call.record({ maxSeconds, finishOnKey: '#', silenceSeconds: VOICEMAIL_SILENCE_SECONDS, signal });
    ctx.note(`message of ${recorded.durationSeconds.toFixed(1)} s recorded (ended by ${recorded.endedBy.replace('_', ' ')})`);
    if (ctx.env.depositVoicemail) await ctx.env.depositVoicemail({ voicemailBoxId: boxId, recorded });
    if (recorded.endedBy !== 'hangup') await call.hangup('voicemail_recorded');
    return { final: { type: 'voicemail', node_id: id, voicemail_box_id: boxId } };
  },
};
