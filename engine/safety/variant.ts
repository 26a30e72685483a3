// The strings of a build variant (electron/services/builds/variants.ts VariantConfig) that reach g++,
// the Tcl / cfg scripts and the build folder: checked when a request creates or changes a variant, when
// a project's variants are listed (a shared project may carry anything) and again before a build runs.
import { checkCxxFlags, parseCxxFlags } from './cxx-flags';
import { checkText, DISPLAY_NAME, FPGA_PART, refusal, type Refusal } from './rules';

/** The fields of a variant this checks (structural: any object is accepted and its fields looked at). */
export interface VariantStrings {
  scope?: unknown;
  part?: unknown;
  clockPeriodNs?: unknown;
  layers?: unknown;
  cxxFlags?: unknown;
}

export function checkVariantStrings(v: VariantStrings, prefix = ''): Refusal[] {
  const out: Refusal[] = [];
  if (v.part !== undefined) out.push(...checkText(FPGA_PART, `${prefix}part`, v.part));
  if (v.clockPeriodNs !== undefined && !(typeof v.clockPeriodNs === 'number' && Number.isFinite(v.clockPeriodNs) && v.clockPeriodNs > 0 && v.clockPeriodNs <= 1000)) {
    out.push(refusal('clock-period', `${prefix}clockPeriodNs`, v.clockPeriodNs, 'a clock period in ns, > 0 and ≤ 1000', 'set the period in ns, e.g. 5 for 200 MHz'));
  }
  if (v.scope !== undefined && v.scope !== null) out.push(...checkText(DISPLAY_NAME, `${prefix}scope`, v.scope));
  if (v.layers && typeof v.layers === 'object') {
    for (const name of Object.keys(v.layers)) out.push(...checkText(DISPLAY_NAME, `${prefix}layers key`, name));
  }
  if (v.cxxFlags !== undefined) {
    if (!Array.isArray(v.cxxFlags)) out.push(refusal('cxx-flag', `${prefix}cxxFlags`, v.cxxFlags, 'a list of flags', 'give the flags as a list of strings'));
    else {
      if (v.cxxFlags.length > 20) out.push(refusal('cxx-flag', `${prefix}cxxFlags`, `${v.cxxFlags.length} flags`, 'at most 20 flags', 'drop some flags'));
      out.push(...checkCxxFlags(v.cxxFlags, `${prefix}cxxFlags`));
    }
  }
  return out;
}

/**
 * The variant without the values the allow-lists refuse (the renderer's one-click fix): refused flags,
 * part, clock and scope are dropped, layers under refused names removed. Other fields are kept as they are.
 */
export function withoutRefused<T extends VariantStrings>(v: T): T {
  const out: T = { ...v };
  if (v.part !== undefined && checkText(FPGA_PART, 'part', v.part).length) delete out.part;
  if (v.clockPeriodNs !== undefined && checkVariantStrings({ clockPeriodNs: v.clockPeriodNs }).length) delete out.clockPeriodNs;
  if (v.scope !== undefined && v.scope !== null && checkText(DISPLAY_NAME, 'scope', v.scope).length) out.scope = null;
  if (v.layers && typeof v.layers === 'object') {
    out.layers = Object.fromEntries(Object.entries(v.layers).filter(([name]) => !checkText(DISPLAY_NAME, 'layers key', name).length));
  }
  if (v.cxxFlags !== undefined) {
    const flags = Array.isArray(v.cxxFlags) ? v.cxxFlags.slice(0, 20) : [];
    out.cxxFlags = parseCxxFlags(flags).flags;
  }
  return out;
}
