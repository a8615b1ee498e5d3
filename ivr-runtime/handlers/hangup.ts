// hangup: say the optional message, then hang up. end: hang up without a word.
import { hangUp, type NodeHandler } from './handler.js';

export const hangupHandler: NodeHandler<'hangup'> = {
  run: (ctx) => hangUp(ctx, 'hangup_node', ctx.node.data.message),
};

export const endHandler: NodeHandler<'end'> = {
  run: (ctx) => hangUp(ctx, 'end_node'),
};
