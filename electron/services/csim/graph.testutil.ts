// A compact way to write small graphs in the csim end-to-end tests: [id, type, params, input ids].
import type { Model } from '../../../engine/graph/model';
import { CURRENT_GRAPH_VERSION } from '../../../engine/graph/schema';

export type GraphRow = [id: string, type: string, params: Record<string, unknown>, inputs: string[]];

/** Nodes named by their ids; each row's inputs become edges to its ports in order. */
export function graphModel(rows: GraphRow[], weights: Model['weights']): Model {
  let e = 0;
  return {
    graph: {
      version: CURRENT_GRAPH_VERSION,
      nodes: rows.map(([id, type, params]) => ({ id, type, name: id, params })),
      edges: rows.flatMap(([id, , , ins]) => ins.map((s, k) => ({ id: `e${e++}`, source: s, sourcePort: 0, target: id, targetPort: k }))),
    },
    weights,
  };
}
