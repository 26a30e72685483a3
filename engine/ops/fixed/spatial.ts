// HLS descriptors of UpSampling, ZeroPadding and Cropping (hls-templates/nnet/nnet_upsampling.h,
// nnet_padding.h, nnet_cropping.h; their fixed kernels are movementKernel in the op files), and the call of
// the spatial templates (pooling too). 1D is 2D with height 1.
import type { HlsCallNames, HlsLayerContext, HlsLayerDef } from '../hls-layer';
import type { DataFormat } from '../spatial';
import { callStmt, checkInputLayout, cnst, hwc } from './common';

export const cfgName = (ctx: { name: string }) => `config_${ctx.name}`;

/** The call of a one-input spatial template: `nnet::fn[_stream]<in, out, config>(in, out, extra…);`. */
export function spatialCall(fn: string, ctx: HlsLayerContext<unknown>, names: HlsCallNames, extra: string[] = []): string {
  const stream = ctx.config.io === 'io_stream';
  const cfg = names.configs[0];
  const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
  return callStmt(stream ? `${fn}_stream` : fn, types, [names.inputs[0], names.output, ...extra]);
}

// ---------------------------------------------------------------------------------------------
// UpSampling (nearest) and ZeroPadding: data movement (the fixed kernels are movementKernel in the op files)

function perAxis(v: number[], rank: number, d: number): [number, number] {
  const one = v.length === 1 ? new Array<number>(rank).fill(v[0]) : v;
  return rank === 2 ? [one[0], one[1]] : [d, one[0]];
}

export const upSamplingHls: HlsLayerDef<{ scale: number[]; dataFormat: DataFormat }> = {
  headers: ['nnet_upsampling.h'],
  usesAccumulator: false,
  productBlocks: () => [],
  check: checkInputLayout,
  configStructs(ctx) {
    const i = hwc(ctx.inputDims[0]);
    const o = hwc(ctx.outputDims);
    const [sh, sw] = perAxis(ctx.params.scale, ctx.inputShapes[0].length - 2, 1);
    return [{
      name: cfgName(ctx),
      base: 'nnet::upsampling_config',
      fields: [
        cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst('scale_height', sh), cnst('scale_width', sw),
        cnst('out_height', o.h), cnst('out_width', o.w),
      ],
    }];
  },
  weightArrays: () => [],
  call: (ctx, names) => spatialCall('upsampling', ctx as HlsLayerContext<unknown>, names),
};

/** ZeroPadding and Cropping share their geometry (a border per spatial axis, added or removed). */
function borderHls<P extends { dataFormat: DataFormat }>(o: {
  header: string;
  base: string;
  /** Config field prefix: pad_top … / crop_top … */
  field: 'pad' | 'crop';
  fn: string;
  begin: (p: P) => number[];
  end: (p: P) => number[];
}): HlsLayerDef<P> {
  return {
    headers: [o.header],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx) {
      const i = hwc(ctx.inputDims[0]);
      const out = hwc(ctx.outputDims);
      const rank = ctx.inputShapes[0].length - 2;
      const [top, left] = perAxis(o.begin(ctx.params), rank, 0);
      const [bottom, right] = perAxis(o.end(ctx.params), rank, 0);
      return [{
        name: cfgName(ctx),
        base: o.base,
        fields: [
          cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst(`${o.field}_top`, top), cnst(`${o.field}_bottom`, bottom),
          cnst(`${o.field}_left`, left), cnst(`${o.field}_right`, right), cnst('out_height', out.h), cnst('out_width', out.w),
        ],
      }];
    },
    weightArrays: () => [],
    call: (ctx, names) => spatialCall(o.fn, ctx as HlsLayerContext<unknown>, names),
  };
}

export const zeroPaddingHls = borderHls<{ padsBegin: number[]; padsEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_padding.h', base: 'nnet::padding_config', field: 'pad', fn: 'zeropad', begin: (p) => p.padsBegin, end: (p) => p.padsEnd,
});

export const croppingHls = borderHls<{ cropBegin: number[]; cropEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_cropping.h', base: 'nnet::cropping_config', field: 'crop', fn: 'cropping', begin: (p) => p.cropBegin, end: (p) => p.cropEnd,
});
