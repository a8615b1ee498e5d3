// CANCEL for a request we sent (RFC 3261 §9.1). It is built from the request being
// cancelled, not from the dialog: it must match that request's client transaction at
// the next hop, branch and all.
import { SipRequest, type HeaderField } from '../message/message.js';

/**
 * §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields
 * in the CANCEL request MUST be identical to those in the request being cancelled,
 * including tags. A CANCEL constructed by a client MUST have only a single Via header
 * field value matching the top Via value in the request being cancelled." and "If the
 * request being cancelled contains a Route header field, the CANCEL request MUST include
 * that Route header field's values." No Require or Proxy-Require, no body.
 */
export function createCancel(request: SipRequest): SipRequest {
  const topVia = request.list('via')[0];
  if (topVia === undefined) throw new Error('the request to cancel has no Via');
  const headers: HeaderField[] = [
    { name: 'Via', key: 'via', value: topVia },
    { name: 'Max-Forwards', key: 'max-forwards', value: '70' },
  ];
  const routes = request.list('route');
  if (routes.length > 0) headers.push({ name: 'Route', key: 'route', value: routes.join(', ') });
  headers.push(
    { name: 'To', key: 'to', value: request.get('to')! },
    { name: 'From', key: 'from', value: request.get('from')! },
    { name: 'Call-ID', key: 'call-id', value: request.callId() },
    // "However, the method part of the CSeq header field MUST have a value of CANCEL."
    { name: 'CSeq', key: 'cseq', value: `${request.cseq().seq} CANCEL` },
  );
  return new SipRequest('CANCEL', request.uri, headers);
}
