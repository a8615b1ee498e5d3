import { describe, expect, it } from 'vitest';
import { planMix, type MixPlan } from './mix-plan.js';

/** The inputs output o ends up with under the plan, as a sorted list (each input counted with its sign). */
function mixOf(plan: MixPlan, o: number, inputs: number): number[] {
  const weight = new Int32Array(inputs);
  const p = plan.outputs[o]!;
  if (p.useBase) for (const i of plan.base) weight[i]!++;
  for (const i of p.sub) weight[i]!--;
  for (const i of p.add) weight[i]!++;
  const out: number[] = [];
  weight.forEach((w, i) => {
    expect(w === 0 || w === 1, `input ${i} weighs ${w} in output ${o}`).toBe(true);
    if (w === 1) out.push(i);
  });
  return out;
}

describe('planMix', () => {
  it('a conference: one base sum, and each output the base minus its own voice', () => {
    const n = 10;
    const hears = Array.from({ length: n }, (_, o) => Array.from({ length: n }, (_, i) => i).filter((i) => i !== o));
    const plan = planMix(hears, n);
    expect(plan.base).toHaveLength(n);
    plan.outputs.forEach((p, o) => expect(p).toEqual({ useBase: true, add: [], sub: [o] }));
  });

  it('a whisper adds one input to one output; a muted input leaves the base', () => {
    // 0..5 talk normally; 6 whispers to 0; 7 is muted; outputs 0..7 (each of the first eight).
    const n = 8;
    const hears = Array.from({ length: n }, (_, o) =>
      Array.from({ length: n }, (_, i) => i).filter((i) => i !== o && i !== 7 && (i !== 6 || o === 0)),
    );
    const plan = planMix(hears, n);
    expect(plan.base).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.outputs[0]).toEqual({ useBase: true, add: [6], sub: [0] });
    // The whisperer (6) and the muted member (7) hear exactly the base: the base sum as it is.
    expect(plan.outputs[6]).toEqual({ useBase: true, add: [], sub: [] });
    expect(plan.outputs[7]).toEqual({ useBase: true, add: [], sub: [] });
    for (let o = 0; o < n; o++) expect(mixOf(plan, o, n)).toEqual(hears[o]);
  });

  it('always yields exactly each hears set (random sets)', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let trial = 0; trial < 200; trial++) {
      const inputs = 1 + Math.floor(rnd() * 12);
      const outputs = Math.floor(rnd() * 12);
      const density = rnd();
      const hears = Array.from({ length: outputs }, () => Array.from({ length: inputs }, (_, i) => i).filter(() => rnd() < density));
      const plan = planMix(hears, inputs);
      for (let o = 0; o < outputs; o++) expect(mixOf(plan, o, inputs)).toEqual(hears[o]);
      expect(plan.baseUsed).toBe(plan.outputs.some((p) => p.useBase));
    }
  });

  it('sums small rooms directly (a two-party call needs no base)', () => {
    const plan = planMix([[1], [0]], 2);
    expect(plan.baseUsed).toBe(false);
    expect(plan.outputs).toEqual([
      { useBase: false, add: [1], sub: [] },
      { useBase: false, add: [0], sub: [] },
    ]);
  });
});
