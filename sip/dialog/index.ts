// The dialog layer (RFC 3261 §12): what the B2BUA's user agents import.
export { createBranchGenerator, withCookie, type BranchGenerator } from './branch.js';
export { createCancel } from './cancel-request.js';
export {
  Dialog,
  DialogError,
  type DialogEnv,
  type DialogRole,
  type DialogState,
  type RequestOptions,
  type SentBy,
} from './dialog.js';
export { isInDialog, uacDialogId, uasDialogId, type DialogId } from './dialog-id.js';
export { DialogStore } from './dialog-store.js';
export { Invite2xxRetransmitter, type Invite2xxRetransmitterOptions } from './invite-2xx-retransmitter.js';
export { copyRecordRoute, requestTarget, requestUriForm, routeSetFromRequest, routeSetFromResponse, type RequestTarget, type RouteSet } from './route-set.js';
