// Tcl / cfg scripts that drive the vendor HLS tools. Text out; the hosts write and run them.
export { buildTcl, STEP_MARKER } from './build-tcl';
export { hlsConfig } from './hls-config';
export { vivadoSynthTcl, type VivadoSynthInput } from './vivado-synth';
export { tclWord, tclCommand, joinFlags, formatNumber } from './tcl';
export { validateScriptInput, orderedSteps, HLS_STEPS, type HlsScriptInput, type HlsStep, type TclDialect, type ScriptResult } from './input';
