import { describe, expect, it } from 'vitest';
import { contract, channels, methodName, type AppApi, type RequestOf, type ResponseOf, ProjectSettings } from './contract';

describe('API contract', () => {
  it('has one method name per channel, all distinct', () => {
    const names = channels.map(methodName);
    expect(new Set(names).size).toBe(channels.length);
    expect(methodName('project.saveAs')).toBe('projectSaveAs');
    expect(methodName('preview.getInputs')).toBe('previewGetInputs');
  });

  it('names every channel group.method (one dot): the renderer finds the channel of a method name by its first capital', () => {
    for (const c of channels) expect(c).toMatch(/^[a-z0-9]+\.[a-z][A-Za-z0-9]*$/);
  });

  it('rejects extra fields and wrong types in every request that has fields', () => {
    for (const c of channels) {
      const extra = contract[c].request.safeParse({ unexpectedField: 1 });
      expect(extra.success, c).toBe(false);
    }
    const wrong = contract['project.open'].request.safeParse({ path: 42 });
    expect(wrong.success).toBe(false);
    if (!wrong.success) expect(wrong.error.issues[0].path).toEqual(['path']);
  });

  it('fills settings defaults but a patch keeps only what was given', () => {
    expect(ProjectSettings.parse({}).tensorLayout).toBe('NHWC');
    expect(contract['settings.set'].request.parse({ projectId: 'p', patch: { weightSeed: 7 } }).patch).toEqual({ weightSeed: 7 });
  });

  it('types AppApi from the contract', () => {
    // compile-time checks: these assignments fail `tsc` if the derived types drift
    const req: RequestOf<'project.new'> = { name: 'a' };
    const fn: AppApi['projectNew'] = async (_r) => ({}) as ResponseOf<'project.new'>;
    expect(typeof fn).toBe('function');
    expect(req.name).toBe('a');
  });
});
