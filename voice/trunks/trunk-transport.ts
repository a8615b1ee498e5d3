// How Switchboard reaches a trunk's carrier (docs/trunks.md): the termination URI, over TLS
// when the trunk's `encryption` asks for it, and SRTP for the media of `tls_srtp` trunks.
// The dialler (calls out), the registration loop (REGISTER) and inbound calls (what a
// carrier's call must use) all ask here, so the three agree.
import type { LocalCrypto } from '../../media/sdp/index.js';
import { formatSipUri, parseSipUri } from '../../sip/uri.js';

export interface TrunkTransportFields {
  termination_uri: string;
  encryption: string;
}

/** The plain SIP port: a trunk that asks for TLS and names it meant the carrier's SIP service, whose TLS port is 5061. */
const PLAIN_SIP_PORT = 5060;
const TLS_PORT = 5061;

export const encrypted = (t: TrunkTransportFields): boolean => t.encryption === 'tls' || t.encryption === 'tls_srtp';

/**
 * A URI at the trunk's termination host for `user` (none: the registrar's URI). With
 * encryption the request goes over TLS: a `sip:` URI gets `;transport=tls` (carriers take
 * `sips:` less often than TLS to a `sip:` URI; a `sips:` termination URI stays as written),
 * and port 5060, the plain SIP port, becomes 5061.
 */
export function trunkUri(t: TrunkTransportFields, user?: string): string {
  const u = parseSipUri(t.termination_uri);
  const params = new Map(u.params);
  let port = u.port;
  if (encrypted(t)) {
    if (u.scheme === 'sip') params.set('transport', 'tls');
    if (port === PLAIN_SIP_PORT) port = TLS_PORT;
  }
  return formatSipUri({ ...u, user, password: undefined, port, params, headers: new Map() });
}

/** The host a trunk's From and To name (the carrier's domain). */
export function trunkHost(t: TrunkTransportFields): string {
  return parseSipUri(t.termination_uri).host;
}

const SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as const;

/**
 * The SRTP of a trunk's media endpoint. `tls_srtp` requires it both ways: our offers are
 * RTP/SAVP with SDES keys (RFC 4568), AES_CM_128_HMAC_SHA1_80 first, and a plain RTP offer or
 * answer is refused. `tls` is signalling only: we offer plain RTP, and take SRTP when the
 * carrier offers it. `none`: plain RTP.
 */
export function trunkSrtp(t: TrunkTransportFields, direction: 'inbound' | 'outbound'): LocalCrypto | undefined {
  if (t.encryption === 'tls_srtp') return { mode: 'required', suites: SUITES };
  if (t.encryption === 'tls' && direction === 'inbound') return { mode: 'optional', suites: SUITES };
  return undefined;
}

/**
 * Why the carrier's SDP answer cannot be taken, as the call's hangup cause: an answer without
 * SRTP to our RTP/SAVP offer is `srtp_required` (we never fall back to plain RTP), any other
 * unusable answer `bad_answer_sdp`. Undefined: the error is not about the answer.
 */
export function refusedAnswerCause(err: unknown, t: TrunkTransportFields | undefined): string | undefined {
  const e = err as { name?: string; code?: string };
  if (e?.name !== 'MediaEngineError' || e.code !== 'bad_sdp') return undefined;
  return t?.encryption === 'tls_srtp' ? 'srtp_required' : 'bad_answer_sdp';
}
