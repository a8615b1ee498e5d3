// The dialog-creating INVITE we send (RFC 3261 §8.1.1, §13.2.1): the header fields a
// UAC must put in a request outside a dialog, in the usual order.
import { headerKey } from '../message/header-names.js';
import { SipRequest, formatNameAddr, type HeaderField } from '../message/message.js';
import { parseNameAddr } from '../message/name-addr.js';
import type { SentBy } from '../dialog/dialog-env.js';
import { sdpBody } from './session-messages.js';

export interface InviteFields {
  /** Request-URI. */
  target: string;
  /** From as name-addr or bare URI; the tag is added. */
  from: string;
  fromTag: string;
  /** To as name-addr or bare URI (a tag in it is dropped: §8.1.1.2 "MUST NOT contain the tag"). */
  to: string;
  callId: string;
  cseq: number;
  sentBy: SentBy;
  branch: string;
  contact: string;
  allow: string;
  supported: string;
  sdp: string | undefined;
  headers: [string, string][];
}

/** "name-addr or URI" as a name-addr with its parameters, tag set or removed. */
export function addressWithTag(text: string, tag: string | undefined): string {
  const a = parseNameAddr(text);
  const params = new Map(a.params);
  params.delete('tag');
  if (tag !== undefined) params.set('tag', tag);
  return formatNameAddr({ displayName: a.displayName, uri: a.uri, params });
}

export function buildInvite(f: InviteFields): SipRequest {
  const port = f.sentBy.port !== undefined ? `:${f.sentBy.port}` : '';
  const headers: HeaderField[] = [
    // §8.1.1.7 (branch), RFC 3581 §3 (rport: responses come back to the port we sent from).
    { name: 'Via', key: 'via', value: `SIP/2.0/${f.sentBy.transport.toUpperCase()} ${f.sentBy.host}${port};branch=${f.branch};rport` },
    { name: 'Max-Forwards', key: 'max-forwards', value: '70' },
    { name: 'From', key: 'from', value: addressWithTag(f.from, f.fromTag) },
    { name: 'To', key: 'to', value: addressWithTag(f.to, undefined) },
    { name: 'Call-ID', key: 'call-id', value: f.callId },
    { name: 'CSeq', key: 'cseq', value: `${f.cseq} INVITE` },
    // §8.1.1.8: "The Contact header field MUST be present and contain exactly one SIP or
    // SIPS URI in any request that can result in the establishment of a dialog."
    { name: 'Contact', key: 'contact', value: f.contact },
    // §13.2.1: "Allow ... SHOULD be present in the INVITE", Supported likewise.
    { name: 'Allow', key: 'allow', value: f.allow },
  ];
  if (f.supported !== '') headers.push({ name: 'Supported', key: 'supported', value: f.supported });
  for (const [name, value] of f.headers) headers.push({ name, key: headerKey(name), value });
  const body = sdpBody(f.sdp);
  const req = new SipRequest('INVITE', f.target, headers, body.body);
  if (body.contentType) req.append('Content-Type', body.contentType);
  return req;
}
