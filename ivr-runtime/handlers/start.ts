// ivrStart: where the call enters the flow; it only leads on.
import type { NodeHandler } from './handler.js';

export const startHandler: NodeHandler<'ivrStart'> = {
  run: async () => ({ next: null }),
};
