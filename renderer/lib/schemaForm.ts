// Inspector fields generated from an op's zod schema: numbers, integer arrays (one entry per axis),
// enums, booleans and strings. Reads zod 4's public `_zod.def` descriptors; anything unrecognised
// becomes a JSON field so no parameter is ever hidden.
import type { z } from 'zod';

export type FieldKind = 'number' | 'int' | 'intArray' | 'numberArray' | 'enum' | 'boolean' | 'string' | 'json';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  optional: boolean;
  defaultValue: unknown;
  options?: string[];
  min?: number;
  max?: number;
}

function def(s: any): any {
  return s?._zod?.def ?? {};
}

function numberInfo(s: any): { int: boolean; min?: number; max?: number } {
  // zod 4 number schemas expose isInt / format / minValue / maxValue.
  const fmt = s?.format ?? s?._zod?.bag?.format;
  const int = s?.isInt === true || (typeof fmt === 'string' && /int/.test(fmt));
  const min = Number.isFinite(s?.minValue) && Math.abs(s.minValue) < Number.MAX_SAFE_INTEGER ? s.minValue : undefined;
  const max = Number.isFinite(s?.maxValue) && Math.abs(s.maxValue) < Number.MAX_SAFE_INTEGER ? s.maxValue : undefined;
  return { int, min, max };
}

function describe(key: string, schema: any): FieldSpec {
  let s = schema;
  let optional = false;
  let defaultValue: unknown = undefined;
  for (let guard = 0; guard < 8; guard++) {
    const d = def(s);
    if (d.type === 'default' || d.type === 'prefault') {
      if (defaultValue === undefined) {
        const v = d.defaultValue;
        defaultValue = typeof v === 'function' ? v() : v;
      }
      s = d.innerType;
    } else if (d.type === 'optional' || d.type === 'nullable') {
      optional = true;
      s = d.innerType;
    } else if (d.type === 'pipe') {
      s = d.in;
    } else break;
  }
  const d = def(s);
  switch (d.type) {
    case 'number': {
      const { int, min, max } = numberInfo(s);
      return { key, kind: int ? 'int' : 'number', optional, defaultValue, min, max };
    }
    case 'boolean':
      return { key, kind: 'boolean', optional, defaultValue };
    case 'string':
      return { key, kind: 'string', optional, defaultValue };
    case 'enum':
      return { key, kind: 'enum', optional, defaultValue, options: Object.values(d.entries ?? {}).map(String) };
    case 'literal':
      return { key, kind: 'enum', optional, defaultValue, options: (d.values ?? []).map(String) };
    case 'array': {
      const el = def(d.element);
      if (el.type === 'number') {
        const { int, min, max } = numberInfo(d.element);
        return { key, kind: int ? 'intArray' : 'numberArray', optional, defaultValue, min, max };
      }
      return { key, kind: 'json', optional, defaultValue };
    }
    default:
      return { key, kind: 'json', optional, defaultValue };
  }
}

/** One field per key of an object schema, in declaration order. */
export function fieldsOf(schema: z.ZodType): FieldSpec[] {
  const d = def(schema);
  let shape = d.shape;
  if (!shape && d.type === 'pipe') shape = def(d.in).shape;
  if (!shape) return [];
  return Object.entries(shape).map(([k, v]) => describe(k, v));
}

/** Parses what the user typed into a field; returns undefined for "not a value" (kept as typed). */
export function parseFieldText(kind: FieldKind, text: string): unknown {
  const t = text.trim();
  switch (kind) {
    case 'int':
    case 'number':
      return t === '' || !Number.isFinite(Number(t)) ? t : Number(t);
    case 'intArray':
    case 'numberArray': {
      const parts = t.split(/[\s,×]+|(?<=\d)x(?=\d)/).filter(Boolean);
      return parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p));
    }
    case 'json':
      try {
        return JSON.parse(t);
      } catch {
        return t;
      }
    default:
      return text;
  }
}

export function formatFieldValue(kind: FieldKind, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (kind === 'json') return JSON.stringify(v);
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}
