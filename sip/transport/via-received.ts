// Stamping where a request really came from into its top Via (RFC 3261 §18.2.1,
// RFC 3581 §4), so that responses, which copy the Via, find their way back through
// NAT. Call it on every received request once it has been parsed and its Via checked;
// the transaction layer then answers to `received` and `rport` (responseTarget).
import type { SipRequest } from '../message/message.js';
import { formatVia } from '../message/via.js';
import { splitList } from '../message/scanner.js';
import type { Peer } from './types.js';

/**
 * Adds `received` and fills an empty `rport` in the request's top Via, both in the
 * parsed view and in the header text. Returns whether the Via changed.
 */
export function stampReceived(req: SipRequest, source: Peer): boolean {
  const via = req.topVia();
  const rport = via.params.get('rport');
  // RFC 3581 §4: "If this Via header field value contains an "rport" parameter with
  // no value, it MUST set the value of the parameter to the source port of the
  // request ... the server MUST insert a "received" parameter containing the source
  // IP address that the request came from, even if it is identical to the value of
  // the "sent-by" component."
  const fillRport = rport === '';
  // RFC 3261 §18.2.1: "If the host portion of the "sent-by" parameter contains a
  // domain name, or if it contains an IP address that differs from the packet source
  // address, the server MUST add a "received" parameter to that Via header field value."
  if (!fillRport && sameHost(via.host, source.address)) return false;
  if (fillRport) via.params.set('rport', String(source.port));
  via.params.set('received', source.address);
  rewriteTopVia(req, formatVia(via));
  return true;
}

/** A Via host (lower case, IPv6 in brackets) against a source address (no brackets). */
function sameHost(viaHost: string, address: string): boolean {
  if (viaHost.charCodeAt(0) !== 0x5b /* [ */) return viaHost === address;
  return viaHost.length === address.length + 2 && viaHost.slice(1, -1) === address.toLowerCase();
}

/** Replaces the first element of the first Via field; the other Vias keep their text. */
function rewriteTopVia(req: SipRequest, text: string): void {
  const field = req.headers.find((h) => h.key === 'via');
  if (!field) return;
  const values = splitList(field.value);
  values[0] = text;
  field.value = values.length === 1 ? text : values.join(', ');
}
