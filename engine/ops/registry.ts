// Every op Tessera knows, by type name. Adding an op: one file under engine/ops plus one line here.
import type { OpDef } from './types';

const ops: OpDef[] = [
  // registered op definitions go here
];

export const opRegistry: ReadonlyMap<string, OpDef> = new Map(ops.map((op) => [op.type, op]));

export function getOp(type: string): OpDef | undefined {
  return opRegistry.get(type);
}
