// offerCallback: offer to call the caller back instead of making them wait. The
// confirm key stores a callback to the caller's number (placed once the call is over, by
// the voice layer; with `agentId` the agent is rung first, then the caller) and ends the
// call with a "callback" outcome; anything else is a decline.
import { phrasesFor, spokenKey } from '../phrases.js';
import { failOrHangUp, type NodeHandler } from './handler.js';

const TIMEOUT_SECONDS = 5;

export const offerCallbackHandler: NodeHandler<'offerCallback'> = {
  async run(ctx) {
    const { data, id } = ctx.node;
    const { call, signal, language } = ctx;
    const phrases = phrasesFor(language);
    await call.say(data.prompt ?? phrases.callbackOffer(spokenKey(data.confirmKey, language)), { language, bargeIn: true, signal });
    const got = await call.collectDigits({ maxDigits: 1, timeoutSeconds: TIMEOUT_SECONDS, signal });
    if (got.digits === data.confirmKey) {
      ctx.note(`caller pressed ${got.digits}: callback accepted`);
      if (ctx.env.requestCallback) await ctx.env.requestCallback({ nodeId: id, agentId: data.agentId ?? null });
      await call.say(phrases.callbackConfirmed, { language, bargeIn: false, signal });
      await call.hangup('callback_requested');
      return { final: { type: 'callback', node_id: id } };
    }
    const why = got.digits === '' ? `no key within ${TIMEOUT_SECONDS} s` : `caller pressed ${got.digits}, not ${data.confirmKey}`;
    return failOrHangUp(ctx, `callback declined (${why})`, 'callback_declined', phrases.goodbye);
  },
};
