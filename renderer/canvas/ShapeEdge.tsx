// An edge labelled with the shape of the tensor it carries (and its axis letters).
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import type { FlowEdge } from '../lib/doc';
import { useEditor } from '../state/store';
import { DETAIL_ZOOM } from './OpNode';

const zoomedOutSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

/** The label, its own component: a new shape upstream re-renders the labels only, not the paths. */
const EdgeLabel = memo(function EdgeLabel({ id, x, y }: { id: string; x: number; y: number }) {
  // The edge's view keeps its identity while its text and letters are unchanged.
  const view = useEditor((s) => s.views.edges[id]);
  const letters = view?.letters ?? null;
  return (
    <div
      className="tessera-edge-label nodrag nopan"
      data-testid="edge-shape"
      title={letters ?? undefined}
      style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
    >
      {view?.text ?? '?'}
      {letters && <span className="tessera-edge-letters"> {letters.replace(/×/g, '')}</span>}
    </div>
  );
});

function ShapeEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps<FlowEdge>) {
  // A boolean: the path re-renders when its colour changes or its ends move.
  const targetError = useEditor((s) => s.views.edges[id]?.targetError ?? false);
  const compact = useStore(zoomedOutSelector);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: selected ? '#2563eb' : targetError ? '#f87171' : '#64748b', strokeWidth: selected ? 2.5 : 1.5 }} />
      {!compact && (
        <EdgeLabelRenderer>
          <EdgeLabel id={id} x={labelX} y={labelY} />
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
