// Small facts about messages a call session sends and receives: SDP bodies, the
// responses we make up locally, and the credentials an ACK repeats.
import { SipRequest, type SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import type { ClientCallbacks } from '../transaction/invite-client-transaction.js';

export const SDP = 'application/sdp';

/** The body of a message as SDP text, when it is one. */
export function sdpOf(msg: SipRequest | SipResponse): string | undefined {
  if (msg.body.length === 0 || msg.contentType() !== SDP) return undefined;
  return msg.body.toString('utf8');
}

/** Body options for an SDP, or none. */
export function sdpBody(sdp: string | undefined): { body?: Buffer; contentType?: string } {
  return sdp === undefined || sdp === '' ? {} : { body: Buffer.from(sdp, 'utf8'), contentType: SDP };
}

/** A response we make up for a request that got none (Timer B/F: 408) or could not be sent (503). */
export function localResponse(req: SipRequest, status: 408 | 481 | 503): SipResponse {
  return createResponse(req, status, status === 503 ? { reason: 'Transport Error' } : {});
}

const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization']);

/**
 * The credentials a request carried. §13.2.2.4 builds the ACK of a 2xx like any request
 * in the dialog "with the exception of the CSeq and the header fields related to
 * authentication"; carriers that challenged the INVITE expect its credentials again.
 */
export function authHeadersOf(req: SipRequest): [string, string][] {
  const out: [string, string][] = [];
  for (const h of req.headers) if (AUTH_HEADERS.has(h.key)) out.push([h.name, h.value]);
  return out;
}

/** Callbacks for a transaction whose outcome nobody waits for (a CANCEL). */
export const IGNORE_OUTCOME: ClientCallbacks = {
  onResponse: () => undefined,
  onTimeout: () => undefined,
  onTransportError: () => undefined,
};

/** A stand-in request to build a local response from when no dialog is left to send in. */
export function placeholderRequest(method: string, callId: string): SipRequest {
  return new SipRequest(method, 'sip:invalid', [
    { name: 'Via', key: 'via', value: 'SIP/2.0/UDP invalid;branch=z9hG4bK-none' },
    { name: 'From', key: 'from', value: '<sip:invalid>;tag=none' },
    { name: 'To', key: 'to', value: '<sip:invalid>;tag=none' },
    { name: 'Call-ID', key: 'call-id', value: callId },
    { name: 'CSeq', key: 'cseq', value: `1 ${method}` },
  ]);
}

/** Retry-After for a 500 to a request that collided with one in progress (§14.2): 0-10 s. */
export function retryAfter(random: () => number): [string, string] {
  return ['Retry-After', String(Math.floor(random() * 11))];
}
