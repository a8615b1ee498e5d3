// Which handler runs which node type: the compiler checks every type has one.
import type { NodeType } from '../node-schemas.js';
import type { NodeHandler } from './handler.js';
import { dialByNameHandler } from './dial-by-name.js';
import { endHandler, hangupHandler } from './hangup.js';
import { menuHandler } from './menu.js';
import { offerCallbackHandler } from './offer-callback.js';
import { ringGroupHandler } from './ring-group.js';
import { startHandler } from './start.js';
import { transferHandler } from './transfer.js';
import { voicemailHandler } from './voicemail.js';

export const HANDLERS: { [K in NodeType]: NodeHandler<K> } = {
  ivrStart: startHandler,
  menu: menuHandler,
  transfer: transferHandler,
  voicemail: voicemailHandler,
  ringGroup: ringGroupHandler,
  hangup: hangupHandler,
  end: endHandler,
  dialByName: dialByNameHandler,
  offerCallback: offerCallbackHandler,
};

export type { FlowEnvironment, NodeContext, NodeHandler, NodeResult, VoicemailBoxInfo } from './handler.js';
