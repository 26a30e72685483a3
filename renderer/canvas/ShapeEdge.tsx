// An edge labelled with the shape of the tensor it carries (and its axis letters).
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { FlowEdge } from '../lib/doc';
import { axisLetters, shapeText } from '../lib/format';
import { useEditor } from '../state/store';

function ShapeEdgeView({ id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps<FlowEdge>) {
  const shape = useEditor((s) => s.analysis.nodes[source]?.shape ?? null);
  const format = useEditor((s) => s.analysis.nodes[source]?.format ?? null);
  const targetError = useEditor((s) => s.analysis.nodes[target]?.status === 'error');
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const letters = shape ? axisLetters(shape.length, format) : null;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: selected ? '#2563eb' : targetError ? '#f87171' : '#64748b', strokeWidth: selected ? 2.5 : 1.5 }} />
      <EdgeLabelRenderer>
        <div
          className="tessera-edge-label nodrag nopan"
          data-testid="edge-shape"
          title={letters ?? undefined}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          {shapeText(shape)}
          {letters && <span className="tessera-edge-letters"> {letters.replace(/×/g, '')}</span>}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
