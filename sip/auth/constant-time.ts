// Comparison whose running time does not depend on where two strings first differ,
// so an attacker timing responses learns nothing about how close a guess came.

/** Equal strings? Runs over the whole length regardless of mismatches (lengths are public). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
