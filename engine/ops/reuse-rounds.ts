// How the templates spread a layer's products over its reuse rounds (hls-templates/nnet/nnet_common.h
// mac_tiling, engine/hls/README.md "Reuse rounds"): the weight order of the generated arrays follows it.

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * P = nOut · nIn products over RF rounds of nMult multipliers: round ir = tb · groups + og multiplies outputs
 * og·outs … of term block tb (terms tb·terms …); lane m = i · terms + j computes output og·outs + i, term
 * tb·terms + j. groups = RF / gcd(RF, nIn).
 */
export function macTiling(nOut: number, nIn: number, rf: number): { nMult: number; groups: number; blocks: number; outs: number; terms: number } {
  const blocks = gcd(rf, nIn);
  const groups = rf / blocks;
  return { nMult: (nOut * nIn) / rf, groups, blocks, outs: nOut / groups, terms: nIn / blocks };
}

/**
 * The order the templates read a layer's weights in (word by word, lane by lane): position k holds the weight of
 * output-major index order[k] = o · nIn + n. At RF 1 it is the identity.
 */
export function roundMajorOrder(nOut: number, nIn: number, rf: number): Int32Array {
  const t = macTiling(nOut, nIn, rf);
  const order = new Int32Array(nOut * nIn);
  for (let ir = 0; ir < rf; ir++) {
    const tb = Math.floor(ir / t.groups), og = ir % t.groups;
    for (let i = 0; i < t.outs; i++)
      for (let j = 0; j < t.terms; j++) order[ir * t.nMult + i * t.terms + j] = (og * t.outs + i) * nIn + tb * t.terms + j;
  }
  return order;
}
