// Analytical estimates of latency, interval and resources of Tessera's HLS templates (labelled 'estimate').
export * from './model';
export * from './report';
export { estimateDesign, fifoReadAhead, type EstimateOptions, type EstimateResult } from './graph';
export { fitDesign, FIT_MARGIN, type FitOptions, type FitResult } from './fit';
export { hls4mlBaselineCases, baselineStem, glorotLimit, uniformWideFraction, type BaselineCase } from './hls4ml';
