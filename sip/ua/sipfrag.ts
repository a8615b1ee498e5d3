// message/sipfrag bodies (RFC 3420) as the NOTIFYs of a REFER subscription carry them
// (RFC 3515 §2.4.5): the status line of the referred request's latest response.
//
//   Content-Type: message/sipfrag;version=2.0
//
//   SIP/2.0 180 Ringing
import { REASONS } from '../message/response.js';

export const SIPFRAG_TYPE = 'message/sipfrag;version=2.0';

/**
 * RFC 3515 §2.4.5: "Each NOTIFY MUST contain a body of type "message/sipfrag"" and
 * "The body of a NOTIFY MUST begin with a SIP Response Status-Line". Only the status
 * line is sent: the rest of the response is none of the referrer's business.
 */
export function formatSipfrag(status: number, reason?: string): string {
  return `SIP/2.0 ${status} ${reason ?? REASONS[status] ?? 'Unknown'}\r\n`;
}

export interface SipfragStatus {
  status: number;
  reason: string;
}

const STATUS_LINE = /^SIP\/2\.0[ \t]+(\d{3})[ \t]*([^\r\n]*)/i;

/** The status line at the start of a sipfrag body; undefined when it does not start with one. */
export function parseSipfrag(body: string): SipfragStatus | undefined {
  const m = STATUS_LINE.exec(body.trimStart());
  if (!m) return undefined;
  return { status: Number(m[1]), reason: m[2]!.trim() };
}
