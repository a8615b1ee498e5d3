// ringGroup: ring the group's members (its strategy decides how) and bridge the
// first to answer. Nobody answering runs the "failure" edge, if any.
import { phrasesFor } from '../phrases.js';
import { describeOutcome, failOrHangUp, type NodeHandler } from './handler.js';

export const ringGroupHandler: NodeHandler<'ringGroup'> = {
  async run(ctx) {
    const id = ctx.node.data.ringGroupId;
    ctx.note(`ringing ring group ${id}`);
    const outcome = await ctx.call.dial({ kind: 'ring_group', ringGroupId: id }, { signal: ctx.signal });
    if (outcome === 'answered') return { final: { type: 'ring_group', node_id: ctx.node.id, ring_group_id: id } };
    return failOrHangUp(ctx, `ring group ${id}: ${describeOutcome(outcome)}`, 'connection_failed', phrasesFor(ctx.language).unavailable);
  },
};
