// How to compute every output of a room with the fewest passes over the samples.
//
// A conference of N where everyone hears everyone else would cost N·(N−1) frame additions summed
// directly. Instead the room sums once the inputs that most outputs hear (the "base"), and gives
// each output the base minus what it must not hear plus what it hears besides:
//
//   mix(o) = Σ base − Σ (base \ hears(o)) + Σ (hears(o) \ base)
//
// For the ordinary member that is the base minus its own voice (N−1 mixing): N + N passes for the
// whole room. Modes only change the two differences (a whisper adds one input to one output, a
// muted member leaves the base). When the differences would cost more passes than summing hears(o)
// directly (small rooms, unusual sets) the output is summed directly.
//
// Computed when membership or audibility changes, never per tick (it allocates).

export interface OutputPlan {
  /** true: start from the base sum; false: `add` is the whole hears set. */
  useBase: boolean;
  /** Input indices to add. */
  add: number[];
  /** Input indices to take out of the base (empty when useBase is false). */
  sub: number[];
}

export interface MixPlan {
  /** Input indices summed once per tick. */
  base: number[];
  /** Whether any output starts from the base (else the base is not computed). */
  baseUsed: boolean;
  outputs: OutputPlan[];
}

/** `hears[o]` lists the input indices output o hears (each once), for inputs 0..inputCount−1. */
export function planMix(hears: readonly (readonly number[])[], inputCount: number): MixPlan {
  const heardBy = new Int32Array(inputCount);
  for (const set of hears) for (const i of set) heardBy[i]!++;
  const inBase = new Uint8Array(inputCount);
  const base: number[] = [];
  // Inputs heard by a strict majority of the outputs: then most outputs differ from the base by little.
  for (let i = 0; i < inputCount; i++) {
    if (heardBy[i]! * 2 > hears.length) {
      inBase[i] = 1;
      base.push(i);
    }
  }
  let baseUsed = false;
  const outputs = hears.map((set): OutputPlan => {
    const member = new Uint8Array(inputCount);
    for (const i of set) member[i] = 1;
    const add = set.filter((i) => inBase[i] === 0);
    const sub = base.filter((i) => member[i] === 0);
    // Passes over the frame: from the base, one copy plus one per difference; directly, one per input.
    if (base.length > 0 && 1 + add.length + sub.length < set.length) {
      baseUsed = true;
      return { useBase: true, add, sub };
    }
    return { useBase: false, add: [...set], sub: [] };
  });
  return { base, baseUsed, outputs };
}
