// Local HLS toolchain: detection, command lines per flow, and the process runner.
export * from './detect';
export * from './runner';
export * from './commands';
export { capture, killGroup, pidAlive, type CaptureResult } from './exec';
export * from './prepare';
export * from './find-reports';
