// Measured pipeline depths from csynth reports (the hls4ml fixture reports in test-data): each layer finds its
// function report by name, the depth is the deepest loop's (else the function's latency), and fifoReadAhead
// takes it in place of the modelled depth.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCsynthXml } from './csynth-xml';
import { measuredPipelineDepths, reportDepth } from './loop-depth';
import { convCaseModel } from '../hls/conv-cases';
import { defaultHlsConfig } from '../hls/config';
import { fifoReadAhead, layerNames } from '../estimate/graph';

const V2018 = resolve(__dirname, '../../test-data/hls4ml/hls-reports/hls4ml-vivadohls-2018.2-conv1d');
const report = (f: string) => parseCsynthXml(readFileSync(join(V2018, f), 'utf8'));
const FILES = ['csynth.xml', 'myproject_csynth.xml', 'conv_1d_0_0_0_0_csynth.xml', 'relu_csynth.xml', 'softmax_csynth.xml', 'compute_layer_0_0_0_s_csynth.xml'];

describe('measured pipeline depths', () => {
  it("a function's deepest loop (iteration latency when no pipeline depth), else its latency", () => {
    expect(reportDepth(report('csynth.xml'))).toEqual({ cycles: 20, from: 'myproject_galapagos loop Loop1 iteration latency 20' });
    expect(reportDepth(report('conv_1d_0_0_0_0_csynth.xml'))).toEqual({ cycles: 3, from: 'conv_1d_0_0_0_0 latency 3' });
    expect(reportDepth(report('relu_csynth.xml'))).toEqual({ cycles: 1, from: 'relu latency 0' });
  });

  it('each layer finds its function report by name (call-site name, config struct of a template instance); none: absent', () => {
    const reports = FILES.map(report);
    const d = measuredPipelineDepths(reports, [
      { key: 'layer1_conv_1d_0', names: ['layer1_conv_1d_0', 'conv_1d_0'] },
      { key: 'layer2_softmax', names: ['layer2_softmax', 'softmax'] },
      { key: 'layer3_dense', names: ['layer3_dense', 'dense'] },
      { key: 'layer4_conv', names: ['layer4_conv', 'conv'] }, // 'conv' is not conv_1d_0's name
    ]);
    expect(d).toEqual({
      layer1_conv_1d_0: { cycles: 3, from: 'conv_1d_0_0_0_0 latency 3' },
      layer2_softmax: { cycles: 6, from: 'softmax latency 6' },
    });
    // A Vitis template instance carries the layer's config struct name.
    const inst = { ...report('softmax_csynth.xml'), top: 'conv_2d_cl_ap_fixed_16_6_5_3_0_ap_fixed_16_6_5_3_0_config_layer1_conv_s' };
    expect(measuredPipelineDepths([inst], [{ key: 'layer1_conv', names: ['layer1_conv', 'conv'] }, { key: 'layer1_conv2', names: ['layer1_conv2'] }])).toEqual({ layer1_conv: { cycles: 6, from: `${inst.top} latency 6` } });
  });

  it('fifoReadAhead deepens to a measured depth, never below the modelled one (a report may be stale; pixels in flight scale with it)', () => {
    const model = convCaseModel({ name: 'c', op: 'Conv2D', size: [8, 8], cin: 4, cout: 4, kernel: [3, 3], stride: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1], io: 'io_stream' }, 1);
    const cfg = defaultHlsConfig({ io: 'io_stream' });
    const [layer] = layerNames(model, cfg); // the Conv
    const modelled = fifoReadAhead(model, cfg)!;
    const deep = fifoReadAhead(model, cfg, { measuredDepth: { [layer.key]: 400 } })!;
    const shallow = fifoReadAhead(model, cfg, { measuredDepth: { [layer.key]: 1 } })!;
    expect(deep[layer.key]).toBeGreaterThan(modelled[layer.key]);
    expect(modelled[layer.key]).toBeGreaterThan(1);
    expect(shallow[layer.key]).toBe(modelled[layer.key]);
    for (const k of Object.keys(modelled)) if (k !== layer.key) expect(deep[k]).toBe(modelled[k]);
  });
});
