// User mistakes are values, not exceptions: every diagnostic names the node, the field, the value,
// the rule it breaks and how to fix it.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable id of the rule, e.g. 'stride-min'. */
  code: string;
  /** Node id; absent for graph-level diagnostics. */
  nodeId?: string;
  /** Node's display name, for messages. */
  nodeName?: string;
  /** Parameter or port, e.g. 'stride[1]', 'input 0'. */
  field?: string;
  value?: unknown;
  /** The rule, e.g. 'stride ≥ 1'. */
  rule: string;
  /** What to do, e.g. 'set stride to 1 or more'. */
  fix: string;
  /** One sentence built from the above. */
  message: string;
}

export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  return String(v);
}

export function makeDiagnostic(d: Omit<Diagnostic, 'message' | 'severity'> & { severity?: Severity }): Diagnostic {
  const who = d.nodeName ?? d.nodeId;
  const where = who ? `${who}: ` : '';
  const message = d.field
    ? `${where}${d.field} = ${formatValue(d.value)} breaks the rule ${d.rule}; ${d.fix}.`
    : `${where}the rule ${d.rule} does not hold; ${d.fix}.`;
  return { severity: d.severity ?? 'error', ...d, message };
}

/** Collects diagnostics for one node; ops report through it so every message names the node. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly nodeId?: string, readonly nodeName?: string) {}

  error(code: string, field: string | undefined, value: unknown, rule: string, fix: string): void {
    this.items.push(makeDiagnostic({ code, nodeId: this.nodeId, nodeName: this.nodeName, field, value, rule, fix }));
  }

  warning(code: string, field: string | undefined, value: unknown, rule: string, fix: string): void {
    this.items.push(makeDiagnostic({ severity: 'warning', code, nodeId: this.nodeId, nodeName: this.nodeName, field, value, rule, fix }));
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Thrown only for programming errors or for running a graph that has error diagnostics. */
export class TesseraError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'TesseraError';
  }
}
