// Writes a small ONNX model with the engine's protobuf builder: ConvTranspose (k3, s2, PyTorch
// padding 1, output_padding 1: 8×8 → 16×16, 4 → 6 channels, random non-symmetric weights) → Relu.
// Usage: node bin/run-ts.mjs e2e/onnx-fixture.ts OUT.onnx   (run in a child: Playwright's loader
// does not resolve protobufjs/light).
import fs from 'node:fs';
import { buildOnnxModel } from '../engine/interop/onnx/proto';
import { randomTensor } from '../engine/tensor/tensor';

const out = process.argv[2];
if (!out) {
  console.error('usage: onnx-fixture.ts OUT.onnx');
  process.exit(2);
}
const w = randomTensor([4, 6, 3, 3], 1234, -0.3, 0.3);
const b = randomTensor([6], 99, -0.1, 0.1);
fs.writeFileSync(
  out,
  buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 4, 8, 8] }],
    outputs: [{ name: 'y', shape: [1, 6, 16, 16] }],
    initializers: [{ name: 'w', dims: [4, 6, 3, 3], data: w.data }, { name: 'b', dims: [6], data: b.data }],
    nodes: [
      { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['t'], name: 'up', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
      { op: 'Relu', inputs: ['t'], outputs: ['y'], name: 'act' },
    ],
  }),
);
