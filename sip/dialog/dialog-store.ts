// The dialogs a user agent has open, found by dialog ID in constant time (RFC 3261 §12).
// Indexed Call-ID → local tag → remote tag: a lookup allocates nothing, and the dialogs
// that forked from one request (same Call-ID and local tag, §13.2.2.4) sit together.
import type { SipRequest, SipResponse } from '../message/message.js';
import { SipError } from '../message/validate.js';
import { Dialog, type DialogEnv } from './dialog.js';
import { isInDialog } from './dialog-id.js';

type ByRemoteTag = Map<string, Dialog>;

export class DialogStore {
  private readonly calls = new Map<string, Map<string, ByRemoteTag>>();
  private count = 0;
  /** One function for every dialog's onTerminated, not a closure per dialog. */
  private readonly removeOnTerminate = (d: Dialog): void => this.remove(d);

  get size(): number {
    return this.count;
  }

  /** Adds a dialog; it leaves the store by itself when it terminates. */
  add(dialog: Dialog): void {
    if (dialog.state === 'terminated') return;
    const { callId, localTag, remoteTag } = dialog.id;
    let byLocal = this.calls.get(callId);
    if (!byLocal) this.calls.set(callId, (byLocal = new Map()));
    let byRemote = byLocal.get(localTag);
    if (!byRemote) byLocal.set(localTag, (byRemote = new Map()));
    const existing = byRemote.get(remoteTag);
    if (existing === dialog) return;
    if (existing) throw new Error('a dialog with this ID is already stored');
    byRemote.set(remoteTag, dialog);
    this.count++;
    dialog.onTerminated = this.removeOnTerminate;
  }

  remove(dialog: Dialog): void {
    const { callId, localTag, remoteTag } = dialog.id;
    const byLocal = this.calls.get(callId);
    const byRemote = byLocal?.get(localTag);
    if (byRemote?.get(remoteTag) !== dialog) return;
    byRemote.delete(remoteTag);
    this.count--;
    if (dialog.onTerminated === this.removeOnTerminate) dialog.onTerminated = undefined;
    if (byRemote.size === 0) {
      byLocal!.delete(localTag);
      if (byLocal!.size === 0) this.calls.delete(callId);
    }
  }

  get(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.calls.get(callId)?.get(localTag)?.get(remoteTag);
  }

  /**
   * The dialog of a request the peer sent: §12 UAS rules, local tag from To, remote tag
   * from From. Undefined for a request without a To tag (not in a dialog).
   */
  findForRequest(req: SipRequest): Dialog | undefined {
    const localTag = req.to().params.get('tag');
    if (localTag === undefined || localTag === '') return undefined;
    return this.get(req.callId(), localTag, req.from().params.get('tag') ?? '');
  }

  /** The dialog of a response to a request we sent: local tag from From, remote tag from To. */
  findForResponse(res: SipResponse): Dialog | undefined {
    return this.get(res.callId(), res.from().params.get('tag') ?? '', res.to().params.get('tag') ?? '');
  }

  /**
   * Routes a request the peer sent. Undefined: not an in-dialog request (no To tag).
   * A Dialog: the request belongs to it (check it with dialog.receiveRequest). A
   * SipError: §12.2.2 "If the UAS wishes to reject the request because it does not wish
   * to recreate the dialog, it MUST respond to the request with a 481 (Call/Transaction
   * Does Not Exist)". An ACK is never answered: drop it instead.
   */
  resolve(req: SipRequest): Dialog | SipError | undefined {
    if (!isInDialog(req)) return undefined;
    return this.findForRequest(req) ?? new SipError(481, 'Call/Transaction Does Not Exist');
  }

  /** The dialogs created by one request: forks of a UAC's INVITE, or a UAS's one dialog. */
  dialogsOf(callId: string, localTag: string): Dialog[] {
    const byRemote = this.calls.get(callId)?.get(localTag);
    return byRemote ? [...byRemote.values()] : [];
  }

  /**
   * Terminates the early dialogs of one request. §12.3: "if a request outside of a
   * dialog generates a non-2xx final response, any early dialogs created through
   * provisional responses to that request are terminated", and §13.2.2.4 ends those left
   * early 64*T1 after the first 2xx.
   */
  terminateEarly(callId: string, localTag: string): number {
    let n = 0;
    for (const d of this.dialogsOf(callId, localTag)) {
      if (d.state !== 'early') continue;
      d.terminate();
      n++;
    }
    return n;
  }

  /**
   * Keeps the dialogs of a dialog-creating request we sent up to date with a response
   * to it (§13.2.2): a 1xx with a To tag creates an early dialog, a 2xx confirms its
   * dialog or creates a confirmed one (each fork's 2xx is a dialog of its own), a final
   * non-2xx ends the early ones. Returns the response's dialog, if any. Responses to
   * requests that cannot create dialogs (in-dialog ones included) change nothing.
   */
  trackUacResponse(req: SipRequest, res: SipResponse, env: DialogEnv): Dialog | undefined {
    if (!Dialog.canCreate(req)) return undefined;
    if (res.status >= 300) {
      this.terminateEarly(res.callId(), res.from().params.get('tag') ?? '');
      return undefined;
    }
    if (!Dialog.createsDialog(req, res)) return undefined;
    const existing = this.findForResponse(res);
    if (existing) {
      if (res.status >= 200) existing.confirm(res);
      return existing;
    }
    const dialog = Dialog.fromUacResponse(req, res, env);
    this.add(dialog);
    return dialog;
  }

  /**
   * The UAS counterpart, called with each response we send to a dialog-creating
   * request: §13.3.1.1 "These provisional responses establish early dialogs", §13.3.1.4
   * the 2xx confirms, and a final non-2xx ends the early dialog (§12.3).
   */
  trackUasResponse(req: SipRequest, res: SipResponse, env: DialogEnv): Dialog | undefined {
    if (!Dialog.canCreate(req)) return undefined;
    if (res.status >= 300) {
      this.terminateEarly(res.callId(), res.to().params.get('tag') ?? '');
      return undefined;
    }
    if (!Dialog.createsDialog(req, res)) return undefined;
    const existing = this.get(res.callId(), res.to().params.get('tag') ?? '', res.from().params.get('tag') ?? '');
    if (existing) {
      if (res.status >= 200) existing.confirm(res);
      return existing;
    }
    const dialog = Dialog.fromUasResponse(req, res, env);
    this.add(dialog);
    return dialog;
  }
}
