// transfer: hand the caller to an E.164 number or an on-net extension. Answered, the
// call has left the flow; busy or unanswered, the "failure" edge (if any) runs.
import { phrasesFor } from '../phrases.js';
import { describeOutcome, failOrHangUp, type NodeHandler } from './handler.js';

export const transferHandler: NodeHandler<'transfer'> = {
  async run(ctx) {
    const to = ctx.node.data.transferTo;
    ctx.note(`transferring to ${to}`);
    const outcome = await ctx.call.transfer(to, { signal: ctx.signal });
    if (outcome === 'answered') return { final: { type: 'transfer', node_id: ctx.node.id, to } };
    return failOrHangUp(ctx, `transfer to ${to}: ${describeOutcome(outcome)}`, 'connection_failed', phrasesFor(ctx.language).unavailable);
  },
};
