// The React Flow canvas. nodeTypes / edgeTypes live outside components; handlers are stable.
import { memo, useCallback, useEffect, useRef, type DragEvent, type MouseEvent, type PointerEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Connection, type IsValidConnection } from '@xyflow/react';
import type { FlowEdge, FlowNode } from '../lib/doc';
import { flowNodes, type FlowNodesMemo } from '../lib/flowNodes';
import { askToSaveExample, flow, importOnnxFile } from '../state/actions';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';
import { OpNode } from './OpNode';
import { openQuickAdd } from './QuickAdd';
import { ShapeEdge } from './ShapeEdge';

export const OP_DRAG_TYPE = 'application/x-tessera-op';

const nodeTypes = { op: OpNode };
const edgeTypes = { shape: ShapeEdge };
const proOptions = { hideAttribution: true };
const multiSelectKeys = ['Shift', 'Meta', 'Control'];

const isValidConnection: IsValidConnection<FlowEdge> = (c) => c.source !== c.target;

/** The editor's nodes for React Flow; a node whose parameters alone changed keeps its object (lib/flowNodes). */
function useFlowNodes(nodes: FlowNode[]): FlowNode[] {
  const memo = useRef<FlowNodesMemo | null>(null);
  memo.current = flowNodes(nodes, memo.current);
  return memo.current.out;
}

/**
 * The minimap, coloured by node status. It subscribes to the node views itself: MiniMap redraws a node
 * only when its props change, and the nodes array keeps its identity across an edit that only changes
 * statuses (a node fixed by connecting it stayed red here while the status bar said 0 errors).
 */
const StatusMiniMap = memo(function StatusMiniMap() {
  const views = useEditor((s) => s.views.nodes);
  const color = useCallback((n: FlowNode) => {
    const st = views[n.id]?.status;
    return st === 'error' ? '#ef4444' : st === 'warning' ? '#f59e0b' : '#94a3b8';
  }, [views]);
  return <MiniMap pannable zoomable nodeColor={color} />;
});

/** Over an example as opened: it is read-only, and the first change asks where to save a copy. */
function ExampleBanner() {
  const example = useUi((s) => s.readOnlyExample);
  const title = useEditor((s) => s.project.name);
  if (!example) return null;
  return (
    <div className="absolute left-1/2 top-2 z-10 flex -translate-x-1/2 items-center gap-3 rounded border border-sky-300 bg-sky-50 px-3 py-1 text-xs text-sky-900 shadow-sm" data-testid="example-banner">
      <span>
        Example <b>{title}</b>, read-only: your first change asks where to save your copy.
      </span>
      <button className="btn" data-testid="example-save" onClick={() => void askToSaveExample()}>Save a copy…</button>
    </div>
  );
}

export function Canvas() {
  const nodes = useFlowNodes(useEditor((s) => s.nodes));
  const edges = useEditor((s) => s.edges);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const minimap = useUi((s) => s.minimap);
  const rf = useReactFlow<FlowNode, FlowEdge>();

  useEffect(() => {
    flow.instance = rf;
    return () => {
      flow.instance = null;
    };
  }, [rf]);

  const onConnect = useCallback((c: Connection) => useEditor.getState().connect(c), []);
  const onDragStart = useCallback(() => useEditor.getState().beginDrag(), []);
  const onDragStop = useCallback(() => useEditor.getState().endDrag(), []);

  // Paste and quick add put nodes where the pointer is.
  const onPointerMove = useCallback((e: PointerEvent) => {
    flow.pointer = { x: e.clientX, y: e.clientY };
  }, []);
  const onPointerLeave = useCallback(() => {
    flow.pointer = null;
  }, []);

  // Double-click on the empty canvas: quick add there.
  const onDoubleClick = useCallback((e: MouseEvent) => {
    if ((e.target as Element).classList?.contains('react-flow__pane')) openQuickAdd({ x: e.clientX, y: e.clientY });
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = e.dataTransfer.types.includes('Files') ? 'copy' : 'move';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const pos = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const type = e.dataTransfer.getData(OP_DRAG_TYPE);
      if (type) {
        useEditor.getState().addNode(type, { x: pos.x - 80, y: pos.y - 30 }, useUi.getState().settings.tensorLayout);
        return;
      }
      const file = [...e.dataTransfer.files].find((f) => /\.(onnx|keras|h5)$/i.test(f.name));
      if (file) void importOnnxFile(file, pos);
      else if (e.dataTransfer.files.length) useUi.getState().notify('warning', 'Drop an .onnx, .keras or .h5 file to import it (other files are not models Tessera reads).');
    },
    [rf],
  );

  return (
    <div className="relative h-full w-full" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop} onPointerMove={onPointerMove} onPointerLeave={onPointerLeave} onDoubleClick={onDoubleClick}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={onDragStart}
        onNodeDragStop={onDragStop}
        onSelectionDragStart={onDragStart}
        onSelectionDragStop={onDragStop}
        isValidConnection={isValidConnection}
        onlyRenderVisibleElements={nodes.length > 100}
        deleteKeyCode={null}
        multiSelectionKeyCode={multiSelectKeys}
        selectionKeyCode="Shift"
        disableKeyboardA11y
        zoomOnDoubleClick={false}
        minZoom={0.1}
        maxZoom={3}
        proOptions={proOptions}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
        {minimap && <StatusMiniMap />}
      </ReactFlow>
      <ExampleBanner />
      {nodes.length === 0 && (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center" data-testid="canvas-empty">
          <div className="rounded-lg bg-white/80 px-4 py-3 text-center text-sm text-slate-500">
            An empty design. Start with an <b>Input</b>: drag it from the palette,
            <br />
            or double-click here (or press Tab) and type a layer&apos;s name.
          </div>
        </div>
      )}
    </div>
  );
}
