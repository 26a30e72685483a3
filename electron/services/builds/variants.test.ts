import { describe, it, expect } from 'vitest';
import { tinyModel } from './testing';
import { checkVariant, defaultVariantConfig, describeChoices, expandSweep, hlsConfigOf, layerChoices, sanitizeFolderName, splitList, uniqueName } from './variants';

describe('variants', () => {
  const model = tinyModel(5);

  it('valid choices of a layer come from its product blocks', () => {
    expect(layerChoices(model, 'upconv', 'io_parallel')).toEqual({ reuseFactors: [1, 2, 3, 4, 6, 12], parallelizationFactors: [1, 2, 4, 8, 16, 32, 64] });
    expect(layerChoices(model, 'upconv', 'io_stream')!.parallelizationFactors).toEqual([1]);
    expect(layerChoices(model, 'nope', 'io_stream')).toBeNull();
  });

  it('a sweep expands io × strategy × RF × precision and reports every invalid combination with its reason', () => {
    const r = expandSweep(model, { layer: 'upconv', reuseFactors: [1, 5, 6], io: ['io_stream', 'io_parallel'], strategies: ['latency', 'resource'], precisions: ['ap_fixed<12,4>', 'ap_fixed<8,3>'] });
    expect(r.problems).toEqual([]);
    expect(r.variants.length + r.rejected.length).toBe(3 * 2 * 2 * 2);
    expect(r.rejected).toHaveLength(8); // RF 5 in every other combination
    for (const x of r.rejected) {
      expect(x.config.layers.upconv.reuseFactor).toBe(5);
      expect(x.diagnostics[0].message).toMatch(/reuseFactor = 5.*use 4 or 6/);
    }
    expect(new Set(r.variants.map((v) => v.name)).size).toBe(16);
    const one = r.variants.find((v) => v.config.io === 'io_stream' && v.config.layers.upconv.reuseFactor === 6 && v.config.layers.upconv.strategy === 'resource' && v.config.layers.upconv.precision?.result_t === 'ap_fixed<8,3>')!;
    expect(one.name).toBe('upconv stream RF6 resource ap_fixed<8,3>');
    expect(one.config.scope).toBe('upconv');
    expect(hlsConfigOf(one.config).layers.upconv.precision).toEqual({ weight_t: 'ap_fixed<8,3>', bias_t: 'ap_fixed<8,3>', accum_t: 'ap_fixed<8,3>', result_t: 'ap_fixed<8,3>' });
  });

  it("'valid' takes the layer's valid set; bad precision and unknown layers are reported", () => {
    const r = expandSweep(model, { layer: 'upconv', reuseFactors: 'valid', io: ['io_parallel'] });
    expect(r.variants.map((v) => v.config.layers.upconv.reuseFactor)).toEqual([1, 2, 3, 4, 6, 12]);
    expect(r.rejected).toEqual([]);
    const bad = expandSweep(model, { layer: 'upconv', precisions: ['ap_fixed<8,3>', 'ap_fixed<3,9,BAD>'] });
    expect(bad.variants).toHaveLength(1);
    expect(bad.rejected).toHaveLength(1);
    expect(bad.rejected[0].diagnostics[0].field).toMatch(/precision/);
    expect(expandSweep(model, { layer: 'nope' }).problems[0]).toBe('no layer named "nope" in the design; the layers are upconv, relu');
  });

  it('whole-design variants set the defaults', () => {
    const r = expandSweep(model, { reuseFactors: [2, 4], io: ['io_parallel'] });
    expect(r.variants.map((v) => [v.name, v.config.scope, v.config.defaults.reuseFactor])).toEqual([['design parallel RF2', null, 2], ['design parallel RF4', null, 4]]);
    // The design-wide RF goes to the layer with multipliers only (ReLU takes none); a layer's own choice wins.
    const h = hlsConfigOf(r.variants[0].config, 2, model);
    expect(h.defaults.reuseFactor).toBeUndefined();
    expect(h.layers).toEqual({ upconv: { reuseFactor: 2 }, relu: {} });
    expect(hlsConfigOf(defaultVariantConfig({ defaults: { reuseFactor: 2 }, layers: { upconv: { reuseFactor: 6 } } }), 2, model).layers.upconv.reuseFactor).toBe(6);
    expect(checkVariant(model, defaultVariantConfig({ defaults: { reuseFactor: 7 } }))[0].message).toMatch(/reuseFactor = 7/);
    expect(describeChoices(defaultVariantConfig({ io: 'io_stream', scope: 'upconv', layers: { upconv: { reuseFactor: 3, parallelizationFactor: 2 } } }))).toBe('upconv stream RF3 PF2');
  });

  it('helpers: lists with type strings, unique names, safe folder names', () => {
    expect(splitList('ap_fixed<16,6>, ap_fixed<8,3>,ap_ufixed<4,2,AP_RND,AP_SAT>')).toEqual(['ap_fixed<16,6>', 'ap_fixed<8,3>', 'ap_ufixed<4,2,AP_RND,AP_SAT>']);
    expect(splitList('1,2,,4')).toEqual(['1', '2', '4']);
    expect(uniqueName('a', ['a', 'a (2)'])).toBe('a (3)');
    expect(uniqueName('b', ['a'])).toBe('b');
    expect(sanitizeFolderName('../../etc/passwd')).toBe('etc_passwd');
    expect(sanitizeFolderName('upconv stream RF4 ap_fixed<8,3>')).toBe('upconv_stream_RF4_ap_fixed_8_3');
    expect(sanitizeFolderName('..')).toBe('variant');
    expect(sanitizeFolderName('ünïcodé/名前')).toBe('unicode');
  });
});
