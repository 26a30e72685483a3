// Every op Tessera knows, by type name. Adding an op: one file under engine/ops plus one line here.
import type { OpDef } from './types';
import { inputOp } from './input';
import { denseOp } from './dense';
import { flattenOp } from './flatten';
import { reshapeOp } from './reshape';
import { transposeOp } from './transpose';
import { reluOp } from './relu';
import { linearOp } from './linear';
import { leakyReluOp } from './leakyrelu';
import { seluOp } from './selu';
import { sigmoidOp } from './sigmoid';
import { tanhOp } from './tanh';
import { softmaxOp } from './softmax';
import { batchNormOp } from './batchnorm';
import { zeroPaddingOp } from './zeropadding';
import { croppingOp } from './cropping';
import { upSamplingOp } from './upsampling';
import { resizeOp } from './resize';
import { averagePoolOp, maxPoolOp } from './pool';
import { addOp } from './add';
import { concatenateOp } from './concatenate';
import { conv1dOp, conv2dOp, convTranspose1dOp, convTranspose2dOp } from './conv/ops';

const ops: OpDef[] = [
  // registered op definitions go here
  inputOp,
  denseOp,
  flattenOp,
  reshapeOp,
  transposeOp,
  reluOp,
  linearOp,
  leakyReluOp,
  seluOp,
  sigmoidOp,
  tanhOp,
  softmaxOp,
  batchNormOp,
  zeroPaddingOp,
  croppingOp,
  upSamplingOp,
  resizeOp,
  maxPoolOp,
  averagePoolOp,
  addOp,
  concatenateOp,
  conv1dOp,
  conv2dOp,
  convTranspose1dOp,
  convTranspose2dOp,
];

export const opRegistry: ReadonlyMap<string, OpDef> = new Map(ops.map((op) => [op.type, op]));

export function getOp(type: string): OpDef | undefined {
  return opRegistry.get(type);
}
