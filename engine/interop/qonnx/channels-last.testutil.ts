// Test helper (not shipped code): a QONNX model as a standard ONNX model onnxruntime runs, the way QONNX itself
// executes its custom ops: each channels-last node (qonnx.custom_op.channels_last) becomes the standard op
// between Transposes (input 0, and a Conv's weight, to channels-first; the output back to channels-last), and
// each Quant becomes Div → Round (half to even, QONNX's ROUND) → Clip → Mul. Activation quantizers can be
// kept or turned into Identity (the float reference Tessera's float import is compared with).
import type { OnnxModelProto, OnnxNodeProto, OnnxTensorProto } from '../onnx/proto';
import { makeAttribute, makeTensorProto, tensorProtoValues } from '../onnx/proto';

const CHANNELS_LAST = 'qonnx.custom_op.channels_last';

/** (0, 2, …, r−1, 1) and its inverse, as QONNX's to_channels_last_args / to_channels_first_args. */
const toLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
const toFirst = (r: number) => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];

export function qonnxAsStandardOnnx(proto: OnnxModelProto, options: { activationQuant: boolean; rank?: number }): OnnxModelProto {
  const g = proto.graph!;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const scalar = (t: OnnxTensorProto | undefined) => tensorProtoValues(t!).values;
  const extra: OnnxTensorProto[] = [];
  const nodes: OnnxNodeProto[] = [];
  let k = 0;
  const node = (opType: string, input: string[], attrs: Record<string, number[] | number> = {}): string => {
    const out = `__std_${++k}`;
    nodes.push({ opType, input, output: [out], name: out, attribute: Object.entries(attrs).map(([n, v]) => makeAttribute(n, v)) });
    return out;
  };
  const rank = options.rank ?? 4;
  for (const n of g.node ?? []) {
    const ins = n.input ?? [];
    const out = (n.output ?? [])[0]!;
    if (n.opType === 'Quant') {
      const attr = (name: string, def: number) => Number((n.attribute ?? []).find((a) => a.name === name)?.i ?? def);
      const mode = (n.attribute ?? []).find((a) => a.name === 'rounding_mode');
      if (mode && new TextDecoder().decode(mode.s) !== 'ROUND') throw new Error('only ROUND quantizers are converted');
      if (scalar(inits.get(ins[2])).some((v) => v !== 0)) throw new Error('only zero points 0 are converted');
      const onWeight = inits.has(ins[0]);
      if (!onWeight && !options.activationQuant) {
        nodes.push({ opType: 'Identity', input: [ins[0]], output: [out], name: n.name });
        continue;
      }
      const b = scalar(inits.get(ins[3]))[0];
      const signed = attr('signed', 1) !== 0;
      const narrow = attr('narrow', 0) !== 0;
      const lo = signed ? -(2 ** (b - 1)) + (narrow ? 1 : 0) : 0;
      const hi = signed ? 2 ** (b - 1) - 1 : 2 ** b - 1 - (narrow ? 1 : 0);
      const loName = `__std_lo_${k}`;
      const hiName = `__std_hi_${k}`;
      extra.push(makeTensorProto({ name: loName, dims: [], data: [lo] }), makeTensorProto({ name: hiName, dims: [], data: [hi] }));
      const clipped = node('Clip', [node('Round', [node('Div', [ins[0], ins[1]])]), loName, hiName]);
      nodes.push({ opType: 'Mul', input: [clipped, ins[1]], output: [out], name: n.name });
      continue;
    }
    if (n.domain === CHANNELS_LAST) {
      const input = [...ins];
      input[0] = node('Transpose', [ins[0]], { perm: toFirst(rank) });
      if (n.opType === 'Conv') input[1] = node('Transpose', [ins[1]], { perm: toFirst(rank) });
      const y = `__std_cf_${out}`;
      nodes.push({ ...n, domain: '', input, output: [y] });
      nodes.push({ opType: 'Transpose', input: [y], output: [out], name: `${n.name}_to_last`, attribute: [makeAttribute('perm', toLast(rank))] });
      continue;
    }
    nodes.push(n);
  }
  return {
    ...proto,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { ...g, node: nodes, initializer: [...(g.initializer ?? []), ...extra] },
  };
}
