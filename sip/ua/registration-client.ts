// Registering with a registrar as a client (RFC 3261 §10.2): a carrier that wants to know
// where to send a trunk's calls. One client is one binding: one address of record, one
// Contact, one Call-ID with the CSeq counting up across refreshes (§10.2.4: "a UA SHOULD use
// the same Call-ID for all registrations during a single boot cycle"). A 401/407 is answered
// once per attempt with the trunk's credentials; when to refresh or retry is the caller's
// business (voice/trunks/), this file only sends and reads the outcome.
import type { DigestClientCredentials } from '../auth/digest-client.js';
import { SipRequest, type HeaderField, type SipResponse } from '../message/message.js';
import { parseSipUri, type SipUri } from '../uri.js';
import { transmitChallenged } from './challenged-request.js';
import { addressWithTag } from './invite-request.js';
import { resolveTarget, type HostLookup } from './target.js';
import type { UaEnv } from './ua-env.js';

export interface RegistrationOptions {
  /** Request-URI: the registrar, `sip:host[:port][;transport=tls]` (RFC 3261 §10.2: no user part). */
  registrar: string;
  /** The address of record (To and From), e.g. `sip:user@carrier.example`. */
  aor: string;
  /** User part of our Contact: the carrier sends the calls for this binding to it. */
  contactUser?: string;
  /** Answers a 401/407 (once per REGISTER). */
  credentials?: DigestClientCredentials;
  callId?: string;
}

export interface RegisterOutcome {
  status: number;
  reason: string;
  /** Seconds the registrar granted (2xx); 0 for an un-REGISTER or a failure. */
  expires: number;
  /** A 423's Min-Expires (RFC 3261 §10.2.8): the shortest interval the registrar takes. */
  minExpires?: number;
  /** No response came (408) or the transport failed (503): the status was made up here. */
  local: boolean;
}

export class RegistrationClient {
  private cseq = 0;
  private readonly fromTag: string;
  readonly callId: string;

  /** @internal UserAgent.registration() makes clients. */
  constructor(
    private readonly env: UaEnv,
    private readonly lookup: HostLookup,
    private readonly opts: RegistrationOptions & { callId: string },
  ) {
    this.callId = opts.callId;
    this.fromTag = env.newTag();
  }

  /** REGISTER our Contact for `expires` seconds (0: remove the binding). Never throws. */
  async register(expires: number): Promise<RegisterOutcome> {
    let peer;
    try {
      peer = await resolveTarget(this.opts.registrar, this.lookup);
    } catch (err) {
      this.env.log.debug({ registrar: this.opts.registrar, err: (err as Error).message }, 'registrar not resolved');
      return { status: 503, reason: 'Registrar Not Resolved', expires: 0, local: true };
    }
    const local = this.env.local(peer.transport);
    const { host, port, transport } = local.sentBy;
    const hostPort = `${host}${port !== undefined ? `:${port}` : ''}`;
    const user = this.opts.contactUser ? `${encodeURIComponent(this.opts.contactUser)}@` : '';
    const contactUri = `sip:${user}${hostPort}${transport === 'UDP' ? '' : `;transport=${transport.toLowerCase()}`}`;
    const headers: HeaderField[] = [
      { name: 'Via', key: 'via', value: `SIP/2.0/${transport} ${hostPort};branch=${this.env.newBranch()};rport` },
      { name: 'Max-Forwards', key: 'max-forwards', value: '70' },
      { name: 'From', key: 'from', value: addressWithTag(this.opts.aor, this.fromTag) },
      { name: 'To', key: 'to', value: addressWithTag(this.opts.aor, undefined) },
      { name: 'Call-ID', key: 'call-id', value: this.callId },
      { name: 'CSeq', key: 'cseq', value: `${++this.cseq} REGISTER` },
      { name: 'Contact', key: 'contact', value: `<${contactUri}>` },
      { name: 'Expires', key: 'expires', value: String(expires) },
      { name: 'Allow', key: 'allow', value: this.env.allow },
    ];
    const req = new SipRequest('REGISTER', this.opts.registrar, headers, Buffer.alloc(0));
    return new Promise<RegisterOutcome>((resolve) => {
      transmitChallenged(
        { env: this.env, peer, credentials: this.opts.credentials, dialog: undefined, callId: this.callId },
        req,
        {
          // The next REGISTER counts on from the one sent with credentials.
          onResend: (again) => (this.cseq = Math.max(this.cseq, again.cseq().seq)),
          onFinal: (res, local) => resolve(outcome(res, local, expires, contactUri)),
        },
      );
    });
  }
}

function outcome(res: SipResponse, local: boolean, asked: number, contactUri: string): RegisterOutcome {
  const base = { status: res.status, reason: res.reason, local };
  if (res.status === 423) {
    const min = Number(res.get('min-expires'));
    return { ...base, expires: 0, ...(Number.isInteger(min) && min > 0 ? { minExpires: min } : {}) };
  }
  if (res.status < 200 || res.status >= 300 || asked === 0) return { ...base, expires: 0 };
  return { ...base, expires: grantedExpiry(res, asked, contactUri) };
}

/**
 * §10.2.4: the 200 lists the registrar's bindings; ours carries its expiry as the Contact's
 * `expires` parameter, else the Expires header field applies, else what we asked for.
 */
function grantedExpiry(res: SipResponse, asked: number, contactUri: string): number {
  let ours: SipUri | undefined;
  try {
    ours = parseSipUri(contactUri);
  } catch {
    ours = undefined;
  }
  try {
    const contacts = res.contacts();
    if (contacts !== '*' && ours) {
      for (const c of contacts) {
        let u;
        try {
          u = parseSipUri(c.uri);
        } catch {
          continue;
        }
        if (u.host.toLowerCase() !== ours.host.toLowerCase() || (u.port ?? 5060) !== (ours.port ?? 5060) || (u.user ?? '') !== (ours.user ?? '')) continue;
        const e = Number(c.params.get('expires'));
        if (c.params.has('expires') && Number.isInteger(e) && e >= 0) return e;
      }
    }
  } catch {
    // A Contact we cannot read: fall back on Expires.
  }
  try {
    const e = res.expires();
    if (e !== undefined) return e;
  } catch {
    // A malformed Expires: what we asked for.
  }
  return asked;
}
