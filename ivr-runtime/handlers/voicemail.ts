// voicemail: greeting, tone, record until the caller hangs up, presses # or the box's
// maximum length. The node's greeting wins over the box's; without a box the
// message goes to the tenant's default box (decided by the voicemail runtime).
import { phrasesFor } from '../phrases.js';
import type { NodeHandler } from './handler.js';

/** Used when the node names no box: the spec's default max_duration is not per flow. */
const DEFAULT_MAX_SECONDS = 120;

export const voicemailHandler: NodeHandler<'voicemail'> = {
  async run(ctx) {
    const { data, id } = ctx.node;
    const { call, signal, language } = ctx;
    const box = data.voicemailBoxId !== undefined ? await ctx.env.voicemailBox(data.voicemailBoxId) : undefined;
    const greeting = data.greeting ?? box?.greeting ?? phrasesFor(language).voicemailGreeting;
    await call.say(greeting, { language, bargeIn: false, signal });
    await call.play('beep', { signal });
    const maxSeconds = box?.maxDurationSeconds ?? DEFAULT_MAX_SECONDS;
    ctx.note(`recording a message for ${data.voicemailBoxId ?? 'the default voicemail box'} (up to ${maxSeconds} s, # ends it)`);
    await call.record({ maxSeconds, finishOnKey: '#', signal });
    await call.hangup('voicemail_recorded');
    return { final: { type: 'voicemail', node_id: id, voicemail_box_id: data.voicemailBoxId ?? null } };
  },
};
