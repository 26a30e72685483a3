// An edge labelled with the shape of the tensor it carries (and its axis letters).
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import type { FlowEdge } from '../lib/doc';
import { axisLetters, shapeText } from '../lib/format';
import { useEditor } from '../state/store';
import { DETAIL_ZOOM } from './OpNode';

const zoomedOutSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

function ShapeEdgeView({ id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps<FlowEdge>) {
  // Strings and booleans only: an edge re-renders when its own label changes or its ends move.
  const text = useEditor((s) => shapeText(s.analysis.nodes[source]?.shape ?? null));
  const letters = useEditor((s) => {
    const info = s.analysis.nodes[source];
    return info?.shape ? axisLetters(info.shape.length, info.format ?? null) : null;
  });
  const targetError = useEditor((s) => s.analysis.nodes[target]?.status === 'error');
  const compact = useStore(zoomedOutSelector);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: selected ? '#2563eb' : targetError ? '#f87171' : '#64748b', strokeWidth: selected ? 2.5 : 1.5 }} />
      {!compact && (
      <EdgeLabelRenderer>
        <div
          className="tessera-edge-label nodrag nopan"
          data-testid="edge-shape"
          title={letters ?? undefined}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          {text}
          {letters && <span className="tessera-edge-letters"> {letters.replace(/×/g, '')}</span>}
        </div>
      </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
