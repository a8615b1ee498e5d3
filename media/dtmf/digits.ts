// The sixteen DTMF signals: their RFC 4733 event codes and their ITU-T Q.23 frequency pairs.
//
// RFC 4733 §3.2 assigns the DTMF named events 0–15 in this order:
//   0–9 → 0–9, * → 10, # → 11, A–D → 12–15
//
// ITU-T Q.23 (Table 1) places each signal at one low-group (row) and one high-group (column)
// frequency:
//
//              1209 Hz  1336 Hz  1477 Hz  1633 Hz
//     697 Hz      1        2        3        A
//     770 Hz      4        5        6        B
//     852 Hz      7        8        9        C
//     941 Hz      *        0        #        D

/** The DTMF characters in event-code order: DTMF_DIGITS[code] is the digit of RFC 4733 event `code`. */
export const DTMF_DIGITS = '0123456789*#ABCD';

/** Q.23 low-group (row) frequencies, Hz. */
export const DTMF_ROWS: readonly number[] = [697, 770, 852, 941];
/** Q.23 high-group (column) frequencies, Hz. */
export const DTMF_COLUMNS: readonly number[] = [1209, 1336, 1477, 1633];

/** KEYPAD[row][column]: the digit at a row/column crossing of the Q.23 keypad. */
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

/** The RFC 4733 event code of a DTMF character (case-insensitive for A–D), or -1. */
export function dtmfEventCode(digit: string): number {
  return digit.length === 1 ? DTMF_DIGITS.indexOf(digit.toUpperCase()) : -1;
}

/** The DTMF character of an RFC 4733 event code 0–15, or null for any other event. */
export function dtmfDigit(event: number): string | null {
  return Number.isInteger(event) && event >= 0 && event < 16 ? DTMF_DIGITS[event]! : null;
}

/** The digit at row r (0–3, by DTMF_ROWS) and column c (0–3, by DTMF_COLUMNS). */
export function digitAt(row: number, column: number): string {
  return KEYPAD[row]![column]!;
}

/** The Q.23 [low, high] frequency pair of a DTMF character; throws RangeError for anything else. */
export function dtmfFrequencies(digit: string): [number, number] {
  const d = digit.toUpperCase();
  for (let r = 0; r < 4; r++) {
    const c = KEYPAD[r]!.indexOf(d);
    if (c >= 0 && d.length === 1) return [DTMF_ROWS[r]!, DTMF_COLUMNS[c]!];
  }
  throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
}

/** Throws RangeError unless every character of `digits` is one of 0-9 * # A-D (a-d accepted). */
export function assertDtmfDigits(digits: string): void {
  for (const ch of digits) {
    if (dtmfEventCode(ch) < 0) throw new RangeError(`not a DTMF digit: ${JSON.stringify(ch)} in ${JSON.stringify(digits)}`);
  }
}
