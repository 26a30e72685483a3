// HLS descriptors of ZeroPadding and Cropping (hls-templates/nnet/nnet_padding.h, nnet_cropping.h; their
// fixed kernels are movementKernel in the op files), and the call of the one-input spatial templates
// (pooling and upsampling too). 1D is 2D with height 1.
import type { CppField, HlsCall, HlsCallNames, HlsLayerContext, HlsLayerDef } from '../hls-layer';
import { hw, type DataFormat } from '../spatial';
import { movementLoop, opsFromReads } from '../schedule';
import { hlsCall, checkInputLayout, cnst, hwc } from './common';

export const cfgName = (ctx: { name: string }) => `config_${ctx.name}`;

/** The call of a one-input spatial template: `nnet::fn[_stream]<in, out, config>(in, out, extra…);`. */
export function spatialCall(fn: string, ctx: HlsLayerContext<unknown>, names: HlsCallNames, extra: string[] = []): HlsCall {
  const stream = ctx.config.io === 'io_stream';
  const cfg = names.configs[0];
  const types = stream ? [names.inputPixelTypes[0], names.outputPixelType, cfg] : [names.inputTypes[0], names.outputType, cfg];
  return hlsCall(stream ? `${fn}_stream` : fn, types, [names.inputs[0], names.output, ...extra]);
}

/** UpSampling and Resize: an integer scale per spatial axis, as [height, width] with the firmware shapes. */
export function scaleGeometry(ctx: HlsLayerContext<{ scale: number[] }>): { i: { h: number; w: number; c: number }; o: { h: number; w: number; c: number }; sh: number; sw: number } {
  const [sh, sw] = hw(ctx.params.scale, ctx.inputShapes[0].length - 2, 1);
  return { i: hwc(ctx.inputDims[0]), o: hwc(ctx.outputDims), sh, sw };
}

/** The config fields UpSampling's and Resize's templates share. */
export function scaleFields(ctx: HlsLayerContext<{ scale: number[] }>): CppField[] {
  const { i, o, sh, sw } = scaleGeometry(ctx);
  return [
    cnst('in_height', i.h), cnst('in_width', i.w), cnst('n_chan', i.c), cnst('scale_height', sh), cnst('scale_width', sw),
    cnst('out_height', o.h), cnst('out_width', o.w),
  ];
}

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
  const geometry = (ctx: HlsLayerContext<P>) => {
    const rank = ctx.inputShapes[0].length - 2;
    const [top, left] = hw(o.begin(ctx.params), rank, 0);
    const [bottom, right] = hw(o.end(ctx.params), rank, 0);
    return { i: hwc(ctx.inputDims[0]), out: hwc(ctx.outputDims), top, left, bottom, right };
  };
  return {
    headers: [o.header],
    usesAccumulator: false,
    productBlocks: () => [],
    check: checkInputLayout,
    configStructs(ctx) {
      const { i, out, top, left, bottom, right } = geometry(ctx);
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
    stream(ctx) {
      const { i, out, top, left } = geometry(ctx);
      const rbw: number[] = [];
      let read = 0;
      if (o.field === 'pad') {
        // zeropad_stream: per output pixel, a read when it is inside the input, then the write.
        for (let h = 0; h < out.h; h++)
          for (let w = 0; w < out.w; w++) {
            if (h >= top && h < top + i.h && w >= left && w < left + i.w) read++;
            rbw.push(read);
          }
      } else {
        // cropping_stream: per input pixel a read, then a write when it is kept.
        for (let h = 0; h < i.h; h++)
          for (let w = 0; w < i.w; w++) {
            read++;
            if (h >= top && h < top + out.h && w >= left && w < left + out.w) rbw.push(read);
          }
      }
      return { ops: opsFromReads(rbw, i.h * i.w), overlapped: true };
    },
    cost: (ctx) => ({ kind: 'reorder', loop: movementLoop(ctx as HlsLayerContext<unknown>) }),
  };
}

export const zeroPaddingHls = borderHls<{ padsBegin: number[]; padsEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_padding.h', base: 'nnet::padding_config', field: 'pad', fn: 'zeropad', begin: (p) => p.padsBegin, end: (p) => p.padsEnd,
});

export const croppingHls = borderHls<{ cropBegin: number[]; cropEnd: number[]; dataFormat: DataFormat }>({
  header: 'nnet_cropping.h', base: 'nnet::cropping_config', field: 'crop', fn: 'cropping', begin: (p) => p.cropBegin, end: (p) => p.cropEnd,
});
