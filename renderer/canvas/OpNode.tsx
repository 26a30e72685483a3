// One node on the canvas. Memoized; subscribes only to its own analysis entry (never to the node array).
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { getOp } from '../../engine/ops/registry';
import type { FlowNode } from '../lib/doc';
import { inHandle, outHandle } from '../lib/doc';
import { shapeText } from '../lib/format';
import { useEditor } from '../state/store';

const categoryColor: Record<string, string> = {
  io: '#0ea5e9',
  conv: '#8b5cf6',
  dense: '#6366f1',
  activation: '#10b981',
  normalization: '#f59e0b',
  pooling: '#14b8a6',
  reshape: '#64748b',
  merge: '#ec4899',
};

function OpNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const status = useEditor((s) => s.analysis.nodes[id]?.status ?? 'ok');
  const shape = useEditor((s) => s.analysis.nodes[id]?.shape ?? null);
  const ports = useEditor((s) => s.analysis.nodes[id]?.ports ?? getOp(data.type)?.inputs.min ?? 0);
  const errors = useEditor((s) => s.analysis.nodes[id]?.diagnostics.filter((d) => d.severity === 'error').length ?? 0);
  const warnings = useEditor((s) => s.analysis.nodes[id]?.diagnostics.filter((d) => d.severity === 'warning').length ?? 0);
  const firstMessage = useEditor((s) => s.analysis.nodes[id]?.diagnostics[0]?.message ?? '');
  const op = getOp(data.type);
  const color = categoryColor[op?.category ?? ''] ?? '#94a3b8';
  const border = status === 'error' ? '#ef4444' : status === 'warning' ? '#f59e0b' : selected ? '#2563eb' : '#cbd5e1';
  const handles = [];
  for (let p = 0; p < ports; p++) {
    handles.push(
      <Handle
        key={p}
        type="target"
        id={inHandle(p)}
        position={Position.Left}
        style={{ top: `${((p + 1) / (ports + 1)) * 100}%`, background: '#475569', width: 10, height: 10 }}
        data-testid={`port-in-${data.name}-${p}`}
      />,
    );
  }
  return (
    <div
      className="tessera-node"
      data-testid={`node-${data.name}`}
      data-status={status}
      title={firstMessage}
      style={{ borderColor: border, boxShadow: selected ? '0 0 0 2px rgba(37,99,235,0.35)' : undefined }}
    >
      <div className="tessera-node-head" style={{ background: color }}>
        <span>{op?.label ?? data.type}</span>
        {errors > 0 && <span className="badge badge-error" data-testid="badge-error" title={firstMessage}>{errors}</span>}
        {warnings > 0 && errors === 0 && <span className="badge badge-warning" data-testid="badge-warning" title={firstMessage}>{warnings}</span>}
      </div>
      <div className="tessera-node-body">
        <div className="tessera-node-name">{data.name}</div>
        <div className="tessera-node-shape" data-testid="node-shape">{status === 'error' ? '—' : shapeText(shape)}</div>
      </div>
      {handles}
      <Handle type="source" id={outHandle(0)} position={Position.Right} style={{ background: '#475569', width: 10, height: 10 }} data-testid={`port-out-${data.name}`} />
    </div>
  );
}

export const OpNode = memo(OpNodeView);
