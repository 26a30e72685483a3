// Graph documents read back from a project file: checked for structure (and migrated) before use.
import type { Graph } from '../../../engine/graph/model';
import { GraphJson } from '../../api/contract';

export const GRAPH_VERSION = 1;

export function parseStoredGraph(raw: unknown): { graph: Graph } | { error: string } {
  const r = GraphJson.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return { error: `graph is malformed (${i.path.join('.') || 'document'}: ${i.message})` };
  }
  if (r.data.version > GRAPH_VERSION) return { error: `graph has document version ${r.data.version}, newer than this Tessera reads (${GRAPH_VERSION})` };
  return { graph: r.data as Graph };
}
