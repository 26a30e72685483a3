// One node on the canvas. Memoized; subscribes only to its own view (never to the node array).
import { memo, useMemo } from 'react';
import { Handle, Position, useStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { getOp } from '../../engine/ops/registry';
import type { FlowNode } from '../lib/doc';
import { inHandle, outHandle } from '../lib/doc';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';
import { fieldDefault } from '../lib/profile';
import type { PrecisionSpec } from '../../engine/fixed/precision';

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

/** Below this zoom, nodes draw as compact boxes and edges without labels (unreadable anyway; far less to paint). */
export const DETAIL_ZOOM = 0.35;

/** 'ap_fixed<16,6>' → '<16,6>', 'ap_ufixed<8,3>' → 'u<8,3>', 'ap_int<8>' → 'i8'. */
export function shortType(t: string): string {
  const m = /^(?:ap_)?(u?)(fixed|int)\s*<\s*([^>]*)>$/i.exec(t.trim());
  if (!m) return t;
  const args = m[3].split(',').map((a) => a.trim());
  if (m[2].toLowerCase() === 'int') return `${m[1] ? 'u' : 'i'}${args[0]}`;
  return `${m[1]}<${args.slice(0, 2).join(',')}>${args.length > 2 ? '…' : ''}`;
}

/** The badge text of a node's precision: its output type, and its weight type where set per layer. */
export function precisionLabel(own: PrecisionSpec | undefined, projectDefault: string): string {
  const r = shortType(own?.result_t?.trim() || fieldDefault('result_t', projectDefault));
  const w = own?.weight_t?.trim();
  return w ? `w${shortType(w)} ${r}` : r;
}

const handleStyle = { background: '#475569', width: 10, height: 10 };

const zoomedOutSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

/** The shape line, its own component: a new shape upstream re-renders this text only. */
const NodeShape = memo(function NodeShape({ id }: { id: string }) {
  const text = useEditor((s) => s.views.shapes[id] ?? '?');
  return (
    <div className="tessera-node-shape" data-testid="node-shape">
      {text}
    </div>
  );
});

function OpNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  // One selector: the node's view object keeps its identity while what it shows is unchanged, so a
  // node re-renders only when its own status, ports or messages change (its shape line is NodeShape).
  const view = useEditor((s) => s.views.nodes[id]);
  const status = view?.status ?? 'ok';
  const ports = view?.ports ?? getOp(data.type)?.inputs.min ?? 0;
  const errors = view?.errors ?? 0;
  const warnings = view?.warnings ?? 0;
  const firstMessage = view?.firstMessage ?? '';
  const projectDefault = useUi((s) => s.settings.defaultPrecision);
  const precision = precisionLabel(data.precision, projectDefault);
  const compact = useStore(zoomedOutSelector);
  const op = getOp(data.type);
  const color = categoryColor[op?.category ?? ''] ?? '#94a3b8';
  const border = status === 'error' ? '#ef4444' : status === 'warning' ? '#f59e0b' : selected ? '#2563eb' : '#cbd5e1';
  // Handles depend on the port count and name only: kept across re-renders for a new shape or status.
  const handles = useMemo(() => {
    const out = [];
    for (let p = 0; p < ports; p++) {
      out.push(
        <Handle
          key={p}
          type="target"
          id={inHandle(p)}
          position={Position.Left}
          style={{ top: `${((p + 1) / (ports + 1)) * 100}%`, ...handleStyle }}
          data-testid={`port-in-${data.name}-${p}`}
        />,
      );
    }
    out.push(<Handle key="out" type="source" id={outHandle(0)} position={Position.Right} style={handleStyle} data-testid={`port-out-${data.name}`} />);
    return out;
  }, [ports, data.name]);
  return (
    <div
      className={compact ? 'tessera-node tessera-node-compact' : 'tessera-node'}
      data-testid={`node-${data.name}`}
      data-status={status}
      title={firstMessage}
      style={{ borderColor: border, boxShadow: selected ? '0 0 0 2px rgba(37,99,235,0.35)' : undefined }}
    >
      <div className="tessera-node-head" style={{ background: color }}>
        <span>{op?.label ?? data.type}</span>
        {!compact && <span className="badge badge-precision" data-testid="precision-badge" title="fixed-point type (result_t); set per layer in the inspector">{precision}</span>}
        {errors > 0 && <span className="badge badge-error" data-testid="badge-error" title={firstMessage}>{errors}</span>}
        {warnings > 0 && errors === 0 && <span className="badge badge-warning" data-testid="badge-warning" title={firstMessage}>{warnings}</span>}
      </div>
      {compact ? (
        <div className="tessera-node-body">
          <div className="tessera-node-name">{data.name}</div>
        </div>
      ) : (
        <div className="tessera-node-body">
          <div className="tessera-node-name">{data.name}</div>
          <NodeShape id={id} />
        </div>
      )}
      {handles}
    </div>
  );
}

export const OpNode = memo(OpNodeView);
