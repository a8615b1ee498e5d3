// Creating a dialog from the response that establishes it (RFC 3261 §12.1): which
// responses do, and the initial state each side takes from the request and response.
import type { SipRequest, SipResponse } from '../message/message.js';
import { SipError } from '../message/validate.js';
import type { DialogEnv } from './dialog-env.js';
import { DialogError } from './dialog-error.js';
import { isInDialog, uacDialogId, uasDialogId, type DialogId } from './dialog-id.js';
import type { DialogRole, DialogState } from './dialog.js';
import { routeSetFromRequest, routeSetFromResponse, type RouteSet } from './route-set.js';

/**
 * Methods whose non-failure responses create dialogs here: INVITE (§12.1) and SUBSCRIBE
 * (RFC 6665). REFER creates none: the implicit subscription of an in-dialog REFER lives
 * in the dialog the REFER was sent in.
 */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE']);

export interface DialogInit {
  id: DialogId;
  role: DialogRole;
  usage: string;
  state: DialogState;
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: RouteSet;
  secure: boolean;
  /** Header values of our requests: From carries our tag, To the peer's. */
  fromValue: string;
  toValue: string;
  localContact: string;
}

/** Whether responses to `req` may create dialogs: an INVITE or SUBSCRIBE outside any dialog. */
export function canCreate(req: SipRequest): boolean {
  return DIALOG_CREATING.has(req.method) && !isInDialog(req);
}

/**
 * Whether `res` to `req` creates a dialog. §12.1: "only 2xx and 101-199 responses with
 * a To tag, where the request was INVITE, will establish a dialog." SUBSCRIBE dialogs
 * come from 2xx only; requests that already carry a To tag are inside a dialog.
 */
export function createsDialog(req: SipRequest, res: SipResponse): boolean {
  if (!canCreate(req)) return false;
  if (res.status >= 200 && res.status < 300) return true;
  if (res.status <= 100 || res.status >= 200 || req.method !== 'INVITE') return false;
  const tag = res.to().params.get('tag');
  return tag !== undefined && tag !== '';
}

/** §12.1.1: the UAS's dialog, from the request received and the 1xx/2xx it sends. */
export function uasDialogInit(req: SipRequest, res: SipResponse, env: DialogEnv): DialogInit {
  requireCreating(req, res);
  const contacts = req.contacts();
  // "The remote target MUST be set to the URI from the Contact header field of the request."
  if (contacts === '*' || contacts.length === 0) throw new SipError(400, 'Missing Contact');
  const localContact = env.contact ?? res.list('contact')[0];
  // §12.1.1: "The UAS MUST add a Contact header field to the response."
  if (localContact === undefined) throw new DialogError('a dialog-creating response needs a Contact');
  return {
    id: uasDialogId(res),
    role: 'uas',
    usage: req.method,
    state: res.status < 200 ? 'early' : 'confirmed',
    // "The remote sequence number MUST be set to the value of the sequence number in
    // the CSeq header field of the request. The local sequence number MUST be empty."
    localSeq: undefined,
    remoteSeq: req.cseq().seq,
    // "The remote URI MUST be set to the URI in the From field, and the local URI MUST
    // be set to the URI in the To field."
    localUri: res.to().uri,
    remoteUri: req.from().uri,
    remoteTarget: contacts[0]!.uri,
    routeSet: routeSetFromRequest(req),
    // "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the
    // "secure" flag is set to TRUE."
    secure: isSecure(req),
    fromValue: res.get('to')!,
    toValue: req.get('from')!,
    localContact,
  };
}

/** §12.1.2: the UAC's dialog, from the request it sent and a 1xx/2xx received. */
export function uacDialogInit(req: SipRequest, res: SipResponse, env: DialogEnv): DialogInit {
  requireCreating(req, res);
  const localContact = env.contact ?? req.list('contact')[0];
  // §12.1.2: "it MUST provide a SIP or SIPS URI with global scope ... in the Contact
  // header field of the request."
  if (localContact === undefined) throw new DialogError('a dialog-creating request needs a Contact');
  return {
    id: uacDialogId(res),
    role: 'uac',
    usage: req.method,
    state: res.status < 200 ? 'early' : 'confirmed',
    // "The local sequence number MUST be set to the value of the sequence number in
    // the CSeq header field of the request. The remote sequence number MUST be empty"
    localSeq: req.cseq().seq,
    remoteSeq: undefined,
    // "The remote URI MUST be set to the URI in the To field, and the local URI MUST
    // be set to the URI in the From field."
    localUri: req.from().uri,
    remoteUri: req.to().uri,
    remoteTarget: responseTarget(req, res),
    routeSet: routeSetFromResponse(res),
    secure: isSecure(req),
    fromValue: req.get('from')!,
    toValue: res.get('to')!,
    localContact,
  };
}

function requireCreating(req: SipRequest, res: SipResponse): void {
  if (!createsDialog(req, res)) {
    throw new DialogError(`a ${res.status} to ${isInDialog(req) ? 'an in-dialog ' : ''}${req.method} creates no dialog`);
  }
}

/** The dialog-creating request used TLS (top Via) and a SIPS Request-URI. */
function isSecure(req: SipRequest): boolean {
  if (req.uri.slice(0, 5).toLowerCase() !== 'sips:') return false;
  const transport = req.topVia().transport;
  return transport === 'TLS' || transport === 'WSS';
}

/**
 * §12.1.2: "The remote target MUST be set to the URI from the Contact header field of
 * the response." A provisional response from a careless UAS may lack one; the
 * Request-URI stands in until the 2xx brings the Contact.
 */
function responseTarget(req: SipRequest, res: SipResponse): string {
  const contacts = res.contacts();
  if (contacts !== '*' && contacts.length > 0) return contacts[0]!.uri;
  return req.uri;
}
