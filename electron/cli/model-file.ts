// Shared by the CLI commands that read model and array files: loading with one-line errors.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './commands/types';
import { TesseraError } from '../../engine/graph/diagnostics';
import { importOnnx, type OnnxImportResult } from '../../engine/interop/onnx/import';
import { NpyError, readNpy, writeNpy } from '../../engine/interop/npy';
import { loadModelBytes, modelFileKind, type LoadedModel } from '../../engine/interop/load';
import type { Tensor } from '../../engine/tensor/tensor';

export function readFileOrFail(file: string, what: string): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new CliError(`${what} ${file} does not exist; check the path`);
  }
  if (st.isDirectory()) throw new CliError(`${what} ${file} is a directory, not a file`);
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function loadOnnxModel(file: string): OnnxImportResult {
  const ext = path.extname(file).toLowerCase();
  const bytes = readFileOrFail(file, 'model');
  if (bytes.length === 0) throw new CliError(`model ${file} is empty; expected an ONNX (.onnx) file`);
  try {
    return importOnnx(bytes);
  } catch (e) {
    if (e instanceof TesseraError) {
      const hint = ext !== '.onnx' && /not an ONNX model/.test(e.message) ? ' (Tessera reads ONNX .onnx files)' : '';
      throw new CliError(`${file}: ${e.message.split('\n')[0]}${hint}`);
    }
    throw e;
  }
}

/**
 * Any supported model file: ONNX, Keras 3 .keras, legacy Keras .h5, or a Keras model JSON whose weights are
 * `weightsFile` or, without it, `<stem>_weights.h5` beside the JSON (hls4ml's example models).
 */
export async function loadModel(file: string, weightsFile?: string): Promise<LoadedModel> {
  const bytes = readFileOrFail(file, 'model');
  if (bytes.length === 0) throw new CliError(`model ${file} is empty; expected an ONNX (.onnx) or Keras (.keras, .h5, model .json) file`);
  const kind = modelFileKind(file, bytes);
  if (weightsFile !== undefined && kind !== 'json') throw new CliError(`--weights is for a Keras model JSON; ${file} carries its own weights: drop --weights`, 2);
  let weights: Uint8Array | undefined;
  let weightsName: string | undefined;
  if (kind === 'json') {
    weightsName = weightsFile ?? path.join(path.dirname(file), `${path.basename(file, path.extname(file))}_weights.h5`);
    if (weightsFile === undefined && !fs.existsSync(weightsName))
      throw new CliError(`${file} is a Keras model JSON and ${weightsName} does not exist; pass its weights with --weights W.h5`);
    weights = readFileOrFail(weightsName, 'weights');
  }
  try {
    return await loadModelBytes(file, bytes, { weights, weightsName });
  } catch (e) {
    if (e instanceof TesseraError) {
      const ext = path.extname(file).toLowerCase();
      const hint = kind === 'onnx' && ext !== '.onnx' && /not an ONNX model/.test(e.message) ? ' (Tessera reads ONNX .onnx files and Keras .keras, .h5 and model .json files)' : '';
      const msg = e.message.split('\n')[0];
      throw new CliError(msg.startsWith(file) ? msg : `${file}: ${msg}${hint}`);
    }
    throw e;
  }
}

export function loadNpy(file: string): Tensor {
  const bytes = readFileOrFail(file, 'input');
  try {
    return readNpy(bytes, { dtype: 'convert' });
  } catch (e) {
    if (e instanceof NpyError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

export function saveNpy(file: string, t: Tensor): void {
  try {
    fs.writeFileSync(file, writeNpy(t));
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check that the folder exists and is writable`);
  }
}

/** Parses `--name value` / `--name=value` options and positionals; rejects unknown flags. */
export function parseArgs(command: string, args: string[], valueFlags: string[], boolFlags: string[] = []): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
      if (boolFlags.includes(name)) {
        if (eq >= 0) throw new CliError(`option --${name} takes no value; run "tessera ${command} --help"`, 2);
        flags[name] = true;
        continue;
      }
      if (!valueFlags.includes(name)) {
        throw new CliError(`unknown option ${eq >= 0 ? a.slice(0, eq) : a}; run "tessera ${command} --help" for the options`, 2);
      }
      const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new CliError(`option --${name} needs a value, e.g. --${name} FILE`, 2);
      if (flags[name] !== undefined) throw new CliError(`option --${name} is given twice`, 2);
      flags[name] = value;
      continue;
    }
    positional.push(a);
  }
  return { positional, flags };
}
