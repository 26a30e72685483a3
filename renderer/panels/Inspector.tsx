// Every parameter of the selected node, generated from its op's zod schema, with live validation on
// the field and the node, the padding convention picker and output-size formula for Conv /
// ConvTranspose, and the node's weights (layout stated, seeded initialisation).
import { memo, useMemo, useState } from 'react';
import type { Diagnostic } from '../../engine/diagnostics/diagnostics';
import type { ConvParams } from '../../engine/ops/conv/params';
import { getOp } from '../../engine/ops/registry';
import type { Shape } from '../../engine/tensor/tensor';
import { explicitFrom, initialConvention, fromKeras, fromTorch, isConvType, kerasPaddingOf, outputFormulas, type Convention } from '../lib/convention';
import { axisLetters, shapeText, spatialOf } from '../lib/format';
import { fieldsOf, formatFieldValue, parseFieldText, type FieldSpec } from '../lib/schemaForm';
import { INIT_SCHEMES, weightsFit, type InitScheme } from '../lib/weightInit';
import { initializeWeights, setLayerPrecision, setSlotWeight, updateSettings } from '../state/actions';
import { expectedShape, importNpyWeight, layoutChoices, type SlotInfo } from '../lib/npyImport';
import { fieldDefault, typeRange, type PrecisionField } from '../lib/profile';
import { checkPrecisionField, precisionFieldsOf } from '../../engine/hls/project-precision';
import { isPrecisionDiagnostic } from '../../engine/graph/precision';
import { useEditor } from '../state/store';
import { useUi } from '../state/ui';

function fieldDiagnostics(diags: readonly Diagnostic[], key: string): Diagnostic[] {
  return diags.filter((d) => d.field === key || d.field?.startsWith(`${key}[`) || d.field?.startsWith(`${key}.`));
}

/** A text field that keeps what the user types while focused and commits every change. */
function TextField({ value, onCommit, testId, invalid, label }: { value: string; onCommit(text: string): void; testId: string; invalid?: boolean; label: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <input
      aria-label={label}
      data-testid={testId}
      className={`w-full rounded border px-2 py-0.5 text-sm ${invalid ? 'border-red-500 bg-red-50' : 'border-slate-300'}`}
      value={draft ?? value}
      onFocus={() => setDraft(value)}
      onBlur={() => setDraft(null)}
      onChange={(e) => {
        setDraft(e.target.value);
        onCommit(e.target.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}

function ParamField({ spec, value, diags, help, onChange }: { spec: FieldSpec; value: unknown; diags: Diagnostic[]; help?: string; onChange(v: unknown): void }) {
  const errors = diags.filter((d) => d.severity === 'error');
  const invalid = errors.length > 0;
  let control;
  if (spec.kind === 'boolean') {
    control = <input type="checkbox" data-testid={`field-${spec.key}`} checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-label={spec.key} />;
  } else if (spec.kind === 'enum') {
    control = (
      <select data-testid={`field-${spec.key}`} aria-label={spec.key} className={`w-full rounded border px-1 py-0.5 text-sm ${invalid ? 'border-red-500' : 'border-slate-300'}`} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
        {spec.options!.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    );
  } else {
    control = <TextField label={spec.key} testId={`field-${spec.key}`} invalid={invalid} value={formatFieldValue(spec.kind, value)} onCommit={(t) => onChange(parseFieldText(spec.kind, t))} />;
  }
  const unit = spec.kind === 'intArray' ? 'per axis' : spec.kind === 'int' ? 'integer' : '';
  return (
    <div className="mb-2">
      <label className="flex items-baseline justify-between text-xs text-slate-600" title={help}>
        <span className="font-medium text-slate-800">{spec.key}</span>
        <span className="text-[10px] text-slate-400">{unit}{spec.defaultValue !== undefined ? ` · default ${formatFieldValue(spec.kind, spec.defaultValue)}` : ''}</span>
      </label>
      {control}
      {diags.map((d, i) => (
        <div key={i} data-testid={`field-error-${spec.key}`} className={`mt-0.5 text-xs ${d.severity === 'error' ? 'text-red-600' : 'text-amber-600'}`}>
          {d.message}
        </div>
      ))}
    </div>
  );
}

function ConventionPicker({ nodeId, params, inSizes, onChange }: { nodeId: string; params: ConvParams; inSizes: number[] | null; onChange(p: ConvParams): void }) {
  const preferred = useUi((s) => s.settings.paddingConvention);
  // The user's choice is kept per node: the picker is unmounted while the parameters are invalid (a stride
  // of 0) and used to come back on the detected convention, not the one chosen.
  const chosen = useUi((s) => s.conventionByNode[nodeId]);
  const [initial] = useState<Convention>(() => initialConvention(params, preferred));
  const mode = chosen ?? initial;
  const setMode = (m: Convention) => useUi.getState().set({ conventionByNode: { ...useUi.getState().conventionByNode, [nodeId]: m } });
  const transpose = params.outputPadding !== undefined;
  const rank = params.kernel.length;
  const keras = kerasPaddingOf(params);
  // Explicit mode edits the pads the engine uses: auto pads are resolved into explicit ones first.
  const explicit = explicitFrom(params, inSizes);
  const choose = (m: Convention) => {
    setMode(m);
    if (m === 'explicit' && explicit && explicit !== params) onChange(explicit);
  };
  return (
    <div className="mb-3 rounded border border-violet-200 bg-violet-50 p-2" data-testid="convention-picker">
      <div className="mb-1 flex items-center gap-2 text-xs font-semibold text-violet-900">
        Padding convention
        <select data-testid="convention" aria-label="padding convention" className="rounded border border-violet-300 px-1 text-xs" value={mode} onChange={(e) => choose(e.target.value as Convention)}>
          <option value="keras">Keras / TF</option>
          <option value="pytorch">PyTorch</option>
          <option value="explicit">Explicit pads</option>
        </select>
      </div>
      {mode === 'keras' && (
        <div className="flex gap-3 text-sm">
          {(['same', 'valid'] as const).map((pad) => (
            <label key={pad} className="flex items-center gap-1">
              <input
                type="radio"
                name="keras-padding"
                data-testid={`keras-${pad}`}
                checked={keras === pad}
                onChange={() => onChange(fromKeras(params, { padding: pad }))}
              />
              padding=&apos;{pad}&apos;
            </label>
          ))}
        </div>
      )}
      {mode === 'pytorch' && (
        <div className="grid grid-cols-2 gap-2 text-xs">
          <label>
            padding
            <TextField
              label="pytorch padding"
              testId="torch-padding"
              value={params.padsBegin.join(', ')}
              onCommit={(t) => {
                const v = parseFieldText('intArray', t) as number[];
                onChange(fromTorch(params, { padding: v, outputPadding: params.outputPadding ?? [] }));
              }}
            />
          </label>
          {transpose && (
            <label>
              output_padding
              <TextField
                label="pytorch output_padding"
                testId="torch-output-padding"
                value={(params.outputPadding ?? []).join(', ')}
                onCommit={(t) => {
                  const v = parseFieldText('intArray', t) as number[];
                  onChange(fromTorch(params, { padding: params.padsBegin.slice(0, rank), outputPadding: v }));
                }}
              />
            </label>
          )}
        </div>
      )}
      {mode === 'explicit' &&
        (params.autoPad === 'explicit' ? (
          <div className="text-xs text-violet-800">Edit padsBegin / padsEnd{transpose ? ' / outputPadding' : ''} below (autoPad = explicit).</div>
        ) : (
          <div className="text-xs text-amber-700" data-testid="convention-auto-pads">
            autoPad = {params.autoPad}: the pads follow the input size and padsBegin / padsEnd are ignored.{' '}
            {explicit ? (
              <button type="button" className="underline" data-testid="convention-make-explicit" onClick={() => onChange(explicit)}>
                Use explicit pads [{explicit.padsBegin.join(', ')}] / [{explicit.padsEnd.join(', ')}]
              </button>
            ) : (
              'Connect an input to resolve them into explicit pads.'
            )}
          </div>
        ))}
      <div className="mt-1 text-[10px] text-violet-700">
        Stored canonically: autoPad={params.autoPad}, padsBegin=[{params.padsBegin.join(', ')}], padsEnd=[{params.padsEnd.join(', ')}]
        {transpose ? `, outputPadding=[${params.outputPadding!.join(', ')}]` : ''}
      </div>
    </div>
  );
}

function Formula({ params, input, format }: { params: ConvParams; input: Shape; format: 'NCX' | 'NXC' }) {
  const sizes = spatialOf(input, format);
  if (sizes.length !== params.kernel.length) return null;
  let lines;
  try {
    lines = outputFormulas(params, sizes, sizes.length === 2 ? ['H', 'W'] : ['L']);
  } catch {
    return null;
  }
  return (
    <div className="mb-3 rounded bg-slate-100 p-2 font-mono text-[11px] text-slate-700" data-testid="formula">
      {lines.map((l) => (
        <div key={l.axis}>
          {l.axis}_out = {l.text}
        </div>
      ))}
    </div>
  );
}

/** Import one slot from a .npy file saved in a stated layout (converted to the slot's canonical layout). */
function NpyImport({ nodeId, opType, slot, groups }: { nodeId: string; opType: string; slot: SlotInfo; groups: number }) {
  const choices = layoutChoices(opType, slot.name);
  const [layout, setLayout] = useState(choices[0].id);
  const [error, setError] = useState<string | null>(null);
  const pick = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.npy';
    input.style.display = 'none';
    input.setAttribute('data-testid', 'npy-file-input');
    input.onchange = async () => {
      const f = input.files?.[0];
      input.remove();
      if (!f) return;
      const name = useEditor.getState().nodes.find((n) => n.id === nodeId)?.data.name ?? nodeId;
      const r = importNpyWeight(new Uint8Array(await f.arrayBuffer()), f.name, opType, name, slot, layout, groups);
      if (!r.ok) {
        setError(r.message);
        useUi.getState().notify('error', `Import ${f.name}: ${r.message}`);
        return;
      }
      setError(null);
      setSlotWeight(nodeId, slot.name, r.tensor);
      useUi.getState().notify('info', `Imported ${f.name} into ${slot.name} of ${name} (${choices.find((c) => c.id === layout)?.label}).`);
    };
    document.body.appendChild(input);
    input.click();
  };
  return (
    <div className="mb-1 flex flex-wrap items-center gap-1 pl-2 text-[11px]">
      {choices.length > 1 && (
        <select aria-label={`${slot.name} file layout`} data-testid={`npy-layout-${slot.name}`} className="max-w-[11rem] rounded border border-slate-300 px-1" value={layout} onChange={(e) => setLayout(e.target.value)}>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>{c.label}</option>
          ))}
        </select>
      )}
      <button className="btn" data-testid={`npy-import-${slot.name}`} onClick={pick} title={`file shape needed: ${shapeText(expectedShape(opType, slot, layout, groups))}`}>
        Import .npy
      </button>
      {error && <div className="w-full text-red-600" data-testid="npy-error">{error}</div>}
    </div>
  );
}

function WeightsBlock({ nodeId }: { nodeId: string }) {
  // The node's data only: it keeps its identity while the node is dragged (no re-render per frame).
  const data = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const info = useEditor((s) => s.analysis.nodes[nodeId]);
  const stored = useEditor((s) => s.weights[nodeId]);
  const seed = useUi((s) => s.settings.weightSeed);
  const [scheme, setScheme] = useState<InitScheme>('pytorch');
  const op = data ? getOp(data.type) : undefined;
  const slots = useMemo(() => {
    if (!op || !info?.params || info.inputShapes.some((s) => !s)) return [];
    try {
      return op.weights(info.params, info.inputShapes as Shape[]);
    } catch {
      return [];
    }
  }, [op, info]);
  if (!slots.length) return null;
  const fit = weightsFit(slots, stored);
  return (
    <section className="mb-3" data-testid="weights">
      <h4 className="mb-1 text-xs font-semibold uppercase text-slate-500">Weights</h4>
      {slots.map((s) => (
        <div key={s.name} className="text-xs text-slate-700">
          <span className="font-medium">{s.name}</span> {shapeText(s.shape)} <span className="text-slate-500">layout {s.layout}</span>
          <NpyImport nodeId={nodeId} opType={data!.type} slot={s} groups={Number(info?.params?.groups ?? 1) || 1} />
        </div>
      ))}
      <div className="mt-1 text-[11px] text-slate-500" data-testid="weights-state">
        {fit ? 'Stored in the project.' : `Not stored: the preview uses PyTorch's default init with seed ${seed} (saved with the project).`}
      </div>
      <div className="mt-1 flex flex-wrap items-center gap-1 text-xs">
        <select aria-label="init scheme" data-testid="init-scheme" className="rounded border border-slate-300 px-1" value={scheme} onChange={(e) => setScheme(e.target.value as InitScheme)}>
          {INIT_SCHEMES.map((s) => (
            <option key={s.id} value={s.id} title={s.rule}>{s.label}</option>
          ))}
        </select>
        <label className="flex items-center gap-1">
          seed
          <input aria-label="seed" data-testid="init-seed" className="w-14 rounded border border-slate-300 px-1" type="number" value={seed} onChange={(e) => Number.isInteger(Number(e.target.value)) && void updateSettings({ weightSeed: Number(e.target.value) })} />
        </label>
        <button className="btn" data-testid="init-weights" onClick={() => initializeWeights([nodeId], scheme, seed)}>Initialize</button>
      </div>
      <div className="mt-0.5 text-[10px] text-slate-400">{INIT_SCHEMES.find((s) => s.id === scheme)?.rule}</div>
    </section>
  );
}

function PrecisionInput({ nodeId, nodeName, type, field, value, fallback }: { nodeId: string; nodeName: string; type: string; field: PrecisionField; value: string; fallback: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? value;
  // The engine's own checks (engine/fixed via engine/hls/project-precision), as builds and the preview apply them.
  const problems = checkPrecisionField(field, text, { id: nodeId, name: nodeName, type });
  const effective = text.trim() || fallback;
  const auto = effective.toLowerCase() === 'auto';
  const r = problems.length || auto ? null : typeRange(effective);
  const bad = problems.length > 0 || (r !== null && !r.ok);
  const commit = (t: string) => {
    setDraft(null);
    // Kept as typed, even when wrong: the node then shows the error (status bar, badge) until it is fixed.
    if (t.trim() !== value) setLayerPrecision(nodeId, field, t);
  };
  let info: string;
  if (problems.length) info = problems.map((d) => d.message).join(' ');
  else if (auto) info = field === 'accum_t' ? 'auto: wide enough that the sum cannot overflow (inputs × weights + log2 of the terms, with the bias)' : 'auto: the accumulator type';
  else if (r && r.ok) info = `range ${r.min} … ${r.max}, LSB ${r.lsb >= 1 ? r.lsb : `2^${Math.log2(r.lsb)}`}`;
  else info = r && !r.ok ? r.message : '';
  return (
    <div className="mb-1">
      <label className="flex items-center gap-2 text-xs">
        <span className="w-14 font-mono text-slate-700">{field}</span>
        <input
          aria-label={`precision ${field}`}
          aria-invalid={bad}
          data-testid={`precision-${field}`}
          className={`min-w-0 flex-1 rounded border px-1 py-0.5 font-mono text-[11px] ${bad ? 'border-red-500 bg-red-50' : 'border-slate-300'}`}
          placeholder={`${fallback} (default)`}
          value={text}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={(e) => commit(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </label>
      <div className={`pl-16 text-[10px] ${bad ? 'text-red-600' : 'text-slate-400'}`} data-testid={`precision-${field}-info`}>
        {info}
      </div>
    </div>
  );
}

/**
 * The layer's fixed-point types, those its op uses (hls4ml's weight_t, bias_t, accum_t, result_t, table_t);
 * empty = the project default (ap_fixed<18,8> for tables). They are the node's own (GraphNode.precision):
 * undoable, copied and pasted with it. Builds and the preview use the same choices.
 */
function PrecisionBlock({ nodeId, nodeName, type }: { nodeId: string; nodeName: string; type: string }) {
  const projectDefault = useUi((s) => s.settings.defaultPrecision);
  const mine = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.precision) ?? {};
  const fields = useMemo(() => precisionFieldsOf(type), [type]);
  return (
    <section className="mb-3" data-testid="precision">
      <h4 className="mb-1 text-xs font-semibold uppercase text-slate-500">Precision (HLS)</h4>
      {fields.map((f) => (
        <PrecisionInput key={f} nodeId={nodeId} nodeName={nodeName} type={type} field={f} value={mine[f] ?? ''} fallback={fieldDefault(f, projectDefault)} />
      ))}
    </section>
  );
}

function NodeInspector({ nodeId }: { nodeId: string }) {
  const data = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const node = data ? { data } : undefined;
  const info = useEditor((s) => s.analysis.nodes[nodeId]);
  const op = node ? getOp(node.data.type) : undefined;
  const fields = useMemo(() => (op ? fieldsOf(op.params) : []), [op]);
  if (!node) return null;
  const params = node.data.params;
  const diags = info?.diagnostics ?? [];
  const fieldKeys = new Set(fields.map((f) => f.key));
  // Precision problems are shown at their fields in the precision block.
  const nodeLevel = diags.filter((d) => !isPrecisionDiagnostic(d) && (!d.field || !fields.some((f) => fieldDiagnostics([d], f.key).length)));
  const setParams = (p: Record<string, unknown>, key: string) => useEditor.getState().setParams(nodeId, p, `${nodeId}:${key}`);
  const conv = isConvType(node.data.type) && info?.params;
  const inShape = info?.inputShapes[0] ?? null;
  const fmt = (info?.params?.dataFormat as 'NCX' | 'NXC' | undefined) ?? 'NCX';
  return (
    <div data-testid="inspector-node">
      <div className="mb-2">
        <div className="text-[11px] uppercase text-slate-500">{op?.label ?? node.data.type} · {op?.category}</div>
        <TextField label="name" testId="field-name" value={node.data.name} onCommit={(t) => useEditor.getState().rename(nodeId, t)} />
      </div>
      <div className="mb-2 text-xs text-slate-600" data-testid="inspector-shape">
        {info?.inputShapes.map((s, i) => (
          <div key={i}>in {i}: {shapeText(s)}</div>
        ))}
        <div>
          out: <span className="font-medium">{shapeText(info?.shape)}</span>{' '}
          <span className="text-slate-400">{info?.shape ? axisLetters(info.shape.length, info.format) : ''}</span>
        </div>
      </div>
      {nodeLevel.length > 0 && (
        <div className="mb-2" data-testid="node-diagnostics">
          {nodeLevel.map((d, i) => (
            <div key={i} className={`mb-1 rounded px-2 py-1 text-xs ${d.severity === 'error' ? 'bg-red-50 text-red-700' : 'bg-amber-50 text-amber-700'}`}>
              {d.message}
            </div>
          ))}
        </div>
      )}
      {/* The picker works on the parsed parameters (defaults filled): stored ones may omit pads. */}
      {conv && (
        <ConventionPicker
          key={nodeId}
          nodeId={nodeId}
          params={{ ...info!.params!, ...params } as unknown as ConvParams}
          inSizes={inShape ? spatialOf(inShape, fmt) : null}
          onChange={(p) => setParams(p as unknown as Record<string, unknown>, 'convention')}
        />
      )}
      {conv && inShape && info?.shape && info?.params && <Formula params={info.params as unknown as ConvParams} input={inShape} format={fmt} />}
      {fields.map((f) => (
        <ParamField
          key={f.key}
          spec={f}
          value={params[f.key] ?? f.defaultValue}
          diags={fieldDiagnostics(diags, f.key)}
          help={op?.paramHelp?.[f.key]}
          onChange={(v) => setParams({ ...params, [f.key]: v }, f.key)}
        />
      ))}
      {Object.keys(params).filter((k) => !fieldKeys.has(k)).length > 0 && (
        <div className="mb-2 text-xs text-amber-700">Unknown parameters kept as given: {Object.keys(params).filter((k) => !fieldKeys.has(k)).join(', ')}</div>
      )}
      <PrecisionBlock nodeId={nodeId} nodeName={node.data.name} type={node.data.type} />
      <WeightsBlock nodeId={nodeId} />
    </div>
  );
}

function ProjectInspector() {
  const settings = useUi((s) => s.settings);
  const count = useEditor((s) => s.nodes.length);
  const diagnostics = useEditor((s) => s.analysis.diagnostics);
  return (
    <div data-testid="inspector-project">
      <div className="mb-2 text-xs text-slate-600">{count} nodes. Select a node to edit its parameters.</div>
      <label className="mb-2 block text-xs">
        Tensor layout of new nodes
        <select className="ml-1 rounded border border-slate-300 px-1" value={settings.tensorLayout} onChange={(e) => void updateSettings({ tensorLayout: e.target.value as 'NCHW' | 'NHWC' })}>
          <option value="NCHW">NCHW (channels first)</option>
          <option value="NHWC">NHWC (channels last)</option>
        </select>
      </label>
      <label className="mb-2 block text-xs">
        Padding convention offered first
        <select className="ml-1 rounded border border-slate-300 px-1" data-testid="setting-padding-convention" value={settings.paddingConvention} onChange={(e) => void updateSettings({ paddingConvention: e.target.value as 'keras' | 'pytorch' | 'explicit' })}>
          <option value="keras">Keras</option>
          <option value="pytorch">PyTorch</option>
          <option value="explicit">Explicit</option>
        </select>
      </label>
      {diagnostics.length > 0 && (
        <div>
          <h4 className="mb-1 text-xs font-semibold uppercase text-slate-500">Problems</h4>
          {diagnostics.slice(0, 50).map((d, i) => (
            <button
              key={i}
              className={`mb-1 block w-full rounded px-2 py-1 text-left text-xs ${d.severity === 'error' ? 'bg-red-50 text-red-700' : 'bg-amber-50 text-amber-700'}`}
              onClick={() => d.nodeId && useEditor.getState().select([d.nodeId])}
            >
              {d.message}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function InspectorView() {
  const selected = useEditor((s) => s.selected);
  return (
    <div className="px-3 pb-3" data-testid="inspector">
      <h3 className="sticky top-0 z-10 -mx-3 mb-2 bg-white px-3 pb-1 pt-3 text-xs font-semibold uppercase tracking-wide text-slate-500">Inspector</h3>
      {selected.length === 1 ? <NodeInspector key={selected[0]} nodeId={selected[0]} /> : selected.length > 1 ? <div className="text-sm text-slate-600">{selected.length} nodes selected.</div> : <ProjectInspector />}
    </div>
  );
}

export const Inspector = memo(InspectorView);
