// DTMF in SIP INFO bodies: application/dtmf-relay (the Cisco form most phones send)
// and application/dtmf (a bare digit). Neither has an RFC of its own; RFC 6086 only
// frames INFO. The forms accepted:
//
//   application/dtmf-relay      Signal=5\r\nDuration=160\r\n
//   application/dtmf            5          (or Signal=5)

export const DTMF_RELAY = 'application/dtmf-relay';
export const DTMF_PLAIN = 'application/dtmf';

export interface DtmfInfo {
  /** 0-9, *, #, A-D. */
  digit: string;
  /** Milliseconds, when the body said. */
  durationMs: number | undefined;
}

const DIGITS = '0123456789*#ABCD';

/** A digit as phones write it: the character, or its RFC 4733 event code (10 = *, 11 = #). */
function digitOf(text: string): string | undefined {
  const t = text.trim().toUpperCase();
  if (t.length === 1 && DIGITS.includes(t)) return t;
  if (/^\d{1,2}$/.test(t)) return DIGITS[Number(t)];
  return undefined;
}

/** The digit an INFO carries, or undefined when its body is not DTMF. */
export function parseDtmfInfo(contentType: string | undefined, body: string): DtmfInfo | undefined {
  if (contentType !== DTMF_RELAY && contentType !== DTMF_PLAIN) return undefined;
  let signal: string | undefined;
  let duration: number | undefined;
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) {
      if (contentType === DTMF_PLAIN && signal === undefined && line.trim() !== '') signal = line;
      continue;
    }
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'signal') signal = value;
    else if (key === 'duration' && /^\d{1,6}$/.test(value)) duration = Number(value);
  }
  const digit = signal === undefined ? undefined : digitOf(signal);
  return digit === undefined ? undefined : { digit, durationMs: duration };
}

/** An application/dtmf-relay body. */
export function formatDtmfRelay(digit: string, durationMs: number): string {
  const d = digitOf(digit);
  if (d === undefined) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return `Signal=${d}\r\nDuration=${Math.round(durationMs)}\r\n`;
}
