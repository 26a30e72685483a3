// Graph documents read back from a project file: parsed (and migrated) by the engine's document schema.
import { CURRENT_GRAPH_VERSION, parseGraphDocument } from '../../../engine/graph/schema';
import type { Graph } from '../../../engine/graph/model';

export const GRAPH_VERSION = CURRENT_GRAPH_VERSION;

export function parseStoredGraph(raw: unknown): { graph: Graph } | { error: string } {
  return parseGraphDocument(raw);
}
