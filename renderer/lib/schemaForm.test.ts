import { describe, expect, it } from 'vitest';
import { opRegistry } from '../../engine/ops/registry';
import { convTranspose2dParams } from '../../engine/ops/conv/params';
import { fieldsOf, formatFieldValue, parseFieldText } from './schemaForm';

describe('inspector fields from zod schemas', () => {
  it('describes every ConvTranspose2D parameter with its kind and default', () => {
    const f = Object.fromEntries(fieldsOf(convTranspose2dParams).map((x) => [x.key, x]));
    expect(Object.keys(f).sort()).toEqual(['autoPad', 'bias', 'dataFormat', 'dilation', 'filters', 'groups', 'kernel', 'outputPadding', 'padsBegin', 'padsEnd', 'stride'].sort());
    expect(f.filters.kind).toBe('int');
    expect(f.filters.defaultValue).toBe(8);
    expect(f.stride.kind).toBe('intArray');
    expect(f.stride.defaultValue).toEqual([1, 1]);
    expect(f.bias.kind).toBe('boolean');
    expect(f.dataFormat.kind).toBe('enum');
    expect(f.autoPad.options).toEqual(['explicit', 'valid', 'same_upper', 'same_lower']);
  });

  it('gives a field to every parameter of every registered op (none hidden)', () => {
    for (const op of opRegistry.values()) {
      const defaults = op.params.parse({}) as Record<string, unknown>;
      const keys = fieldsOf(op.params).map((x) => x.key);
      for (const k of Object.keys(defaults)) expect(keys, `${op.type}.${k}`).toContain(k);
    }
  });

  it('parses what users type and keeps what is not a number for the validator', () => {
    expect(parseFieldText('intArray', '2, 3')).toEqual([2, 3]);
    expect(parseFieldText('intArray', '2×3')).toEqual([2, 3]);
    expect(parseFieldText('intArray', '2, x')).toEqual([2, 'x']);
    expect(parseFieldText('int', '7')).toBe(7);
    expect(parseFieldText('int', 'seven')).toBe('seven');
    expect(formatFieldValue('intArray', [4, 5])).toBe('4, 5');
  });
});
