import { describe, expect, it } from 'vitest';
import { opRegistry } from '../../engine/ops/registry';
import { searchOps } from './opSearch';

const types = (q: string) => searchOps(q).map((o) => o.type);

describe('op search (palette filter, quick add)', () => {
  it('lists every op for an empty text', () => {
    expect(types('')).toEqual([...opRegistry.keys()]);
  });

  it('puts a type or label that starts with the text first', () => {
    expect(types('relu')[0]).toBe('ReLU');
    expect(types('relu')).toContain('LeakyReLU');
    expect(types('convt').slice(0, 2).sort()).toEqual(['ConvTranspose1D', 'ConvTranspose2D']);
    expect(types('dense')[0]).toBe('Dense');
  });

  it('matches every word anywhere: label words, the type, the category', () => {
    expect(types('transposed 2d')).toEqual(['ConvTranspose2D']);
    expect(types('pool').slice(0, 2).sort()).toEqual(['AveragePool', 'MaxPool']);
    expect(types('activation')).toEqual(expect.arrayContaining(['ReLU', 'Sigmoid', 'Tanh']));
    expect(types('no such op')).toEqual([]);
  });
});
