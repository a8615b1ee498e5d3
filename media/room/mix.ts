// The sample loops of the mixer: sums in 32 bits (no overflow below 65,536 inputs), one saturation
// to 16 bits at the end. Saturating once, after the sum, is what lets the room subtract a member's
// own voice from the full sum exactly. All of these allocate nothing.

/** acc[i] = src[i] */
export function copyInto(acc: Int32Array, src: Int16Array): void {
  const n = acc.length;
  for (let i = 0; i < n; i++) acc[i] = src[i]!;
}

/** acc[i] += src[i] */
export function addInto(acc: Int32Array, src: Int16Array): void {
  const n = acc.length;
  for (let i = 0; i < n; i++) acc[i] = acc[i]! + src[i]!;
}

/** acc[i] -= src[i] */
export function subtractInto(acc: Int32Array, src: Int16Array): void {
  const n = acc.length;
  for (let i = 0; i < n; i++) acc[i] = acc[i]! - src[i]!;
}

/** out[i] = acc[i] clipped to the 16-bit range (a hard clip: loud conferences distort rather than wrap). */
export function saturateInto(out: Int16Array, acc: Int32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = acc[i]!;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/** out[i] = (acc[i] − minus[i]) clipped: everyone but one, in a single pass. */
export function saturateMinusInto(out: Int16Array, acc: Int32Array, minus: Int16Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const v = acc[i]! - minus[i]!;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}
