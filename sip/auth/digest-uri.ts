// Whether the `uri` of a credential names the request's Request-URI.
//
// RFC 2617 §3.2.2.5: "The authenticating server must assure that the resource
// designated by the "uri" directive is the same as the resource specified in the
// Request-Line; if they are not, the server SHOULD return a 400 Bad Request error."
// Without the check, a credential intercepted before it reached us could be attached
// to a different request. RFC 3261 §22.4 item 6 relaxes the rule for SIP ("it is not
// necessarily a failure if the two fields are not equivalent") because a proxy may
// retarget a request; DigestServer can turn the check off for deployments like that.
//
// Equivalence is RFC 3261 §19.1.4's, so `sip:Example.COM` matches `sip:example.com`.
import { parseSipUri, type SipUri } from '../uri.js';

/** Parameters that make two SIP URIs different when either side has them (§19.1.4). */
const SIGNIFICANT = ['user', 'ttl', 'method', 'maddr', 'transport'];

export function digestUriMatches(uriParam: string, requestUri: string): boolean {
  if (uriParam === requestUri) return true;
  let a: SipUri;
  let b: SipUri;
  try {
    a = parseSipUri(uriParam);
    b = parseSipUri(requestUri);
  } catch {
    // Not SIP URIs (tel:, or garbage): only the exact spelling matches.
    return false;
  }
  return sipUrisEquivalent(a, b);
}

/** RFC 3261 §19.1.4 URI comparison. */
export function sipUrisEquivalent(a: SipUri, b: SipUri): boolean {
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive."
  if (a.scheme !== b.scheme || a.user !== b.user || a.password !== b.password) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
  for (const name of SIGNIFICANT) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  // "All other uri-parameters appearing in only one URI are ignored when comparing."
  for (const [name, value] of a.params) {
    const other = b.params.get(name);
    if (other !== undefined && other.toLowerCase() !== value.toLowerCase()) return false;
  }
  // "URI header components are never ignored."
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, value] of a.headers) if (b.headers.get(name) !== value) return false;
  return true;
}
