// Allow-lists for every string from a project, the API or the command line that reaches a process, a
// path, a Tcl / cfg script or generated C++. One place for the rules, used at every boundary: the API
// schema (zod, through `zodCheck`), the project loader (variants.list reports the refusals), the build
// step (refuses before anything runs) and the CLI. A refusal names the field, the value, the rule and
// the fix, in the same sentence form as the graph's diagnostics.
//
// Adding a rule: write a `TextRule` (what is allowed, as a test plus words for the rule and the fix) and
// check fields with `checkText(rule, field, value)`; a list of values (flags, script lines) is checked by
// a function returning Refusal[] for all of them, like checkCxxFlags.
import { formatValue } from '../diagnostics/diagnostics';

export interface Refusal {
  /** Stable id of the rule, e.g. 'cxx-flag'. */
  code: string;
  /** The field, e.g. 'cxxFlags[2]', 'part'. */
  field: string;
  value: unknown;
  rule: string;
  fix: string;
  /** `field = value breaks the rule …; fix.` */
  message: string;
}

/** The value shown in messages: long values are cut, control characters written as escapes. */
function shown(value: unknown): string {
  const text = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return formatValue(text);
}

export function refusal(code: string, field: string, value: unknown, rule: string, fix: string): Refusal {
  return { code, field, value, rule, fix, message: `${field} = ${shown(value)} breaks the rule ${rule}; ${fix}.` };
}

/** What a string field may hold. */
export interface TextRule {
  code: string;
  /** The rule in words, e.g. 'a C identifier (letters, digits, _; not starting with a digit)'. */
  rule: string;
  fix: string;
  maxLength: number;
  test(s: string): boolean;
}

export function checkText(rule: TextRule, field: string, value: unknown): Refusal[] {
  if (typeof value !== 'string' || value.length > rule.maxLength || !rule.test(value)) {
    const r = value !== undefined && typeof value === 'string' && value.length > rule.maxLength ? `${rule.rule}, at most ${rule.maxLength} characters` : rule.rule;
    return [refusal(rule.code, field, value, r, rule.fix)];
  }
  return [];
}

const matches = (re: RegExp) => (s: string) => re.test(s);

/** A C / C++ identifier: the top function, HLS solution names, macro names. */
export const C_IDENTIFIER: TextRule = {
  code: 'c-identifier',
  rule: 'a C identifier (letters, digits and _, not starting with a digit)',
  fix: 'use letters, digits and _ only, e.g. myproject',
  maxLength: 64,
  test: matches(/^[A-Za-z_][A-Za-z0-9_]*$/),
};

/** An AMD FPGA part name, e.g. xcvu13p-flga2577-2-e (goes into Tcl and cfg scripts). */
export const FPGA_PART: TextRule = {
  code: 'fpga-part',
  rule: 'an AMD part name of letters, digits, -, _ and . (e.g. xcvu13p-flga2577-2-e)',
  fix: "set the part of your board as AMD's tools name it",
  maxLength: 64,
  test: matches(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
};

/** One folder or file name (no separators): build folders, HLS project folders. */
export const FOLDER_NAME: TextRule = {
  code: 'folder-name',
  rule: 'one folder name of letters, digits, -, _ and . (no / or \\, not . or .., not starting with - or .)',
  fix: 'use letters, digits, - and _ only',
  maxLength: 100,
  test: matches(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/),
};

/**
 * A name people read (variant, layer, project names): one line of printable characters. Line breaks,
 * other control characters and invisible format characters (bidirectional overrides, which make text
 * show differently from what it is) are refused; every place that writes a name into a file or script
 * escapes it besides (cComment).
 */
export const DISPLAY_NAME: TextRule = {
  code: 'display-name',
  rule: 'one line of printable characters (no line breaks, control or invisible format characters)',
  fix: 'remove the line breaks and control characters from the name',
  maxLength: 200,
  test: matches(/^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]*$/u),
};

/**
 * A name from a model file made a DISPLAY_NAME: characters outside the rule become '_', at most 200 code
 * points (importers name nodes with it, so an imported graph never carries a refused name).
 */
export function displayNameOf(raw: string, fallback = 'node'): string {
  const s = Array.from(raw.replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/gu, '_').trim()).slice(0, DISPLAY_NAME.maxLength - 8).join('');
  return s || fallback;
}

/**
 * `text` as the inside of a C++ `//` comment: one line of printable ASCII (other characters become '?'),
 * so a name from a file can never end the comment and start code.
 */
export function cComment(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/\\$/, '\\ ').slice(0, 200);
}
