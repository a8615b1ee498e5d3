// A dialog's route set (RFC 3261 §12.1.1, §12.1.2) and how it turns into the
// Request-URI and Route header field of a request sent in the dialog (§12.2.1.1), for
// loose routers (lr) and for RFC 2543 strict routers.
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseNameAddr } from '../message/name-addr.js';
import { parseSipUri } from '../uri.js';

/**
 * The route set: Record-Route values kept as they were written (URI, URI parameters and
 * header parameters), plus whether the first hop is a loose router. Computed once per
 * dialog so sending a request never parses a URI.
 */
export interface RouteSet {
  readonly values: readonly string[];
  /** §12.2.1.1: the first URI "contains the lr parameter". */
  readonly firstIsLoose: boolean;
}

export const EMPTY_ROUTE_SET: RouteSet = { values: [], firstIsLoose: false };

/**
 * §12.1.1 (UAS): "The route set MUST be set to the list of URIs in the Record-Route
 * header field from the request, taken in order and preserving all URI parameters."
 */
export function routeSetFromRequest(req: SipRequest): RouteSet {
  return build(req.list('record-route'));
}

/**
 * §12.1.2 (UAC): "The route set MUST be set to the list of URIs in the Record-Route
 * header field from the response, taken in reverse order and preserving all URI
 * parameters."
 */
export function routeSetFromResponse(res: SipResponse): RouteSet {
  return build(res.list('record-route').reverse());
}

function build(values: string[]): RouteSet {
  // "If no Record-Route header field is present ..., the route set MUST be set to the
  // empty set."
  if (values.length === 0) return EMPTY_ROUTE_SET;
  return { values, firstIsLoose: hasLr(values[0]!) };
}

/** Whether a Route/Record-Route value's URI carries the lr URI parameter (§19.1.1). */
export function hasLr(value: string): boolean {
  const uri = parseNameAddr(value).uri;
  try {
    return parseSipUri(uri).params.has('lr');
  } catch {
    // Not a SIP URI: no lr parameter to find, so it is treated as a strict router.
    return false;
  }
}

export interface RequestTarget {
  requestUri: string;
  /** The Route header field value, or undefined when no Route header is sent. */
  route: string | undefined;
}

/** The Request-URI and Route header for a request in a dialog (§12.2.1.1). */
export function requestTarget(routeSet: RouteSet, remoteTarget: string): RequestTarget {
  const values = routeSet.values;
  // "If the route set is empty, the UAC MUST place the remote target URI into the
  // Request-URI. The UAC MUST NOT add a Route header field to the request."
  if (values.length === 0) return { requestUri: remoteTarget, route: undefined };
  // "If the route set is not empty, and the first URI in the route set contains the lr
  // parameter (see Section 19.1.1), the UAC MUST place the remote target URI into the
  // Request-URI and MUST include a Route header field containing the route set values
  // in order, including all parameters."
  if (routeSet.firstIsLoose) return { requestUri: remoteTarget, route: values.join(', ') };
  // "If the route set is not empty, and its first URI does not contain the lr parameter,
  // the UAC MUST place the first URI from the route set into the Request-URI, stripping
  // any parameters that are not allowed in a Request-URI. The UAC MUST add a Route
  // header field containing the remainder of the route set values in order, including
  // all parameters. The UAC MUST then place the remote target URI into the Route header
  // field as the last value."
  const rest = values.slice(1);
  rest.push(`<${remoteTarget}>`);
  return { requestUri: requestUriForm(parseNameAddr(values[0]!).uri), route: rest.join(', ') };
}

/**
 * A URI as it may appear in a Request-URI: §19.1.1 Table 1 marks the method parameter
 * and the headers component "-" (not allowed) in a Request-URI. Everything else is kept
 * as written, escapes included.
 */
export function requestUriForm(uri: string): string {
  const colon = uri.indexOf(':');
  // The user part may hold ';' and '?' (user-unreserved), so parameters and headers are
  // looked for only after the host begins, the way parseSipUri does.
  const at = uri.lastIndexOf('@');
  const hostStart = at >= 0 ? at + 1 : colon + 1;
  let head = uri;
  const q = uri.indexOf('?', hostStart);
  if (q >= 0) head = uri.slice(0, q);
  const semi = head.indexOf(';', hostStart);
  if (semi < 0) return head;
  const kept = head
    .slice(semi + 1)
    .split(';')
    .filter((p) => {
      const eq = p.indexOf('=');
      return (eq >= 0 ? p.slice(0, eq) : p).toLowerCase() !== 'method';
    });
  const base = head.slice(0, semi);
  return kept.length === 0 ? base : `${base};${kept.join(';')}`;
}

/**
 * §12.1.1: a UAS answering with a dialog-creating response "MUST copy all Record-Route
 * header field values from the request into the response (including the URIs, URI
 * parameters, and any Record-Route header field parameters, whether they are known or
 * unknown to the UAS) and MUST maintain the order of those values."
 */
export function copyRecordRoute(req: SipRequest, res: SipResponse): void {
  res.remove('record-route');
  for (const value of req.getAll('record-route')) res.append('Record-Route', value);
}
