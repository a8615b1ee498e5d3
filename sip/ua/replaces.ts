// The Replaces header (RFC 3891): which dialog an INVITE takes the place of, for
// attended transfer and call pickup. Also the Refer-To URI that carries one (RFC 3891
// §5, RFC 5589 §7).
//
//   Replaces: 425928@bobster.example.org;to-tag=7743;from-tag=6472
//   Refer-To: <sip:bob@example.org?Replaces=425928%40bobster.example.org%3Bto-tag%3D7743%3Bfrom-tag%3D6472>
import { parseParams, SipSyntaxError } from '../message/scanner.js';
import type { DialogId } from '../dialog/dialog-id.js';

export interface Replaces {
  callId: string;
  /** Compared with the local tag of the receiving UA's dialog. */
  toTag: string;
  /** Compared with the remote tag of the receiving UA's dialog. */
  fromTag: string;
  /** `early-only`: replace the dialog only while it is early (§6.1). */
  earlyOnly: boolean;
}

/**
 * RFC 3891 §6.1: `Replaces = "Replaces" HCOLON callid *(SEMI replaces-param)` where
 * "A Replaces header field MUST contain exactly one to-tag and exactly one from-tag".
 * Throws SipSyntaxError on anything else; the caller answers 400.
 */
export function parseReplaces(value: string): Replaces {
  const text = value.trim();
  const semi = text.indexOf(';');
  const callId = (semi >= 0 ? text.slice(0, semi) : text).trim();
  if (callId === '' || /\s/.test(callId)) throw new SipSyntaxError('Replaces has no Call-ID');
  const params = parseParams(semi >= 0 ? text.slice(semi) : '');
  const toTag = params.get('to-tag');
  const fromTag = params.get('from-tag');
  if (toTag === undefined || fromTag === undefined) throw new SipSyntaxError('Replaces needs to-tag and from-tag');
  return { callId, toTag, fromTag, earlyOnly: params.has('early-only') };
}

export function formatReplaces(r: Replaces): string {
  return `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}${r.earlyOnly ? ';early-only' : ''}`;
}

/**
 * The Replaces value that names one of our dialogs to the UA at its other end (the
 * transfer target of an attended transfer). §6.1: the receiver compares "the to-tag
 * parameter ... to the local tag, and the from-tag parameter ... to the remote tag", so
 * seen from here to-tag is our remote tag and from-tag our local tag.
 */
export function replacesFor(id: DialogId): Replaces {
  return { callId: id.callId, toTag: id.remoteTag, fromTag: id.localTag, earlyOnly: false };
}

/** The Replaces a UA receiving it would look up in its own dialogs, as a dialog ID. */
export function dialogIdOfReplaces(r: Replaces): DialogId {
  return { callId: r.callId, localTag: r.toTag, remoteTag: r.fromTag };
}

/**
 * A Refer-To URI that makes the referee send an INVITE with this Replaces (RFC 3891
 * §5: the header is embedded in the URI, escaped as a URI header value). Any headers
 * already on `target` are kept.
 */
export function withReplacesHeader(target: string, r: Replaces): string {
  const escaped = encodeURIComponent(formatReplaces(r));
  return `${target}${target.includes('?') ? '&' : '?'}Replaces=${escaped}`;
}
