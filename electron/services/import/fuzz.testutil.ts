// The per-format fuzz of the importers (import-fuzz.test.ts), run in a worker thread so that the test can
// stop a reader that does not return. For one format: builds a valid file, then for each try mutates it
// (seeded) and reads it the way Tessera does, and posts the outcome of each try before the next starts:
//   valid — read without error; error — one line from the reader's own error class (TesseraError,
//   NpyError, StoreError); crash — anything else (another exception, a multi-line message).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { TesseraError } from '../../../engine/diagnostics/diagnostics';
import { loadModelBytes } from '../../../engine/interop/load';
import { NpyError, readNpy, writeNpy } from '../../../engine/interop/npy';
import { exportOnnx } from '../../../engine/interop/onnx/export';
import { buildOnnxModel } from '../../../engine/interop/onnx/proto';
import { exportHls4mlConfig, hls4mlConfigToYaml, importHls4mlConfig, parseHls4mlYaml } from '../../../engine/interop/hls4ml/config';
import { conv, dense, keras2H5, keras2Json, keras2WeightsH5, keras3File, plain, type ModelSpec } from '../../../engine/interop/keras/writer.testutil';
import { defaultHlsConfig } from '../../../engine/hls/config';
import { convCaseModel } from '../../../engine/hls/conv-cases';
import { randomTensor } from '../../../engine/tensor/tensor';
import { ProjectFile, StoreError, emptyDocument, weightsFromEngine } from '../store';
import { tinyModel } from '../builds/testing';
import { seededRandom } from '../../../engine/tensor/tensor';

export const FORMATS = ['onnx', 'qonnx', 'keras', 'h5-model', 'h5-weights', 'model-json', 'npy', 'hls4ml-yaml', 'tessera'] as const;
export type Format = (typeof FORMATS)[number];

export interface TryResult {
  i: number;
  outcome: 'valid' | 'error' | 'crash';
  message?: string;
  ms: number;
  /** Process memory (resident) after the try, bytes. */
  rss: number;
}

/** The engine's seeded generator (mulberry32), so a failure replays exactly. */
export const rng = seededRandom;

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** One seeded mutation of `base`: flipped bytes, an overwritten stretch, a cut, a repeated chunk, or an interesting 32-bit value. */
export function mutate(source: Uint8Array, seed: number): Uint8Array {
  const base = new Uint8Array(source); // a copy: a Node Buffer's slice() is a view of the same bytes
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const kind = int(5);
  if (kind === 2) return base.slice(0, int(base.length));
  if (kind === 3) {
    const at = int(base.length);
    const len = 1 + int(Math.min(512, base.length - at));
    const chunk = base.slice(at, at + len);
    const to = int(base.length);
    const out = new Uint8Array(base.length + chunk.length);
    out.set(base.subarray(0, to));
    out.set(chunk, to);
    out.set(base.subarray(to), to + chunk.length);
    return out;
  }
  const b = base;
  if (kind === 0) for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] = int(256);
  else if (kind === 1) {
    const at = int(b.length);
    for (let k = 0, n = 1 + int(64); k < n && at + k < b.length; k++) b[at + k] = int(256);
  } else {
    const at = int(Math.max(1, b.length - 4));
    new DataView(b.buffer).setUint32(at, INTERESTING[int(INTERESTING.length)], r() < 0.5);
  }
  return b;
}

const kerasSpec: ModelSpec = {
  kind: 'Sequential',
  inputs: [{ name: 'in', shape: [null, 8, 8, 3] }],
  layers: [
    conv('Conv2D', 'c1', 2, { filters: 4, kernel_size: [3, 3] }, [randomTensor([3, 3, 3, 4], 1), randomTensor([4], 2)]),
    conv('Conv2DTranspose', 'up', 2, { filters: 2, kernel_size: [2, 2], strides: [2, 2] }, [randomTensor([2, 2, 2, 4], 3), randomTensor([2], 4)]),
    plain('Flatten', 'f'),
    dense('d', { units: 5 }, [randomTensor([288, 5], 5), randomTensor([5], 6)]),
  ],
};

function qonnxBase(): Uint8Array {
  const Q = 'qonnx.custom_op.general';
  const q = (x: string, y: string, k: number, bits: number) => ({
    node: { op: 'Quant', domain: Q, name: `quant_${y}`, inputs: [x, `s${k}`, `z${k}`, `b${k}`], outputs: [y], attrs: { signed: 1, narrow: 0, rounding_mode: 'ROUND' } },
    inits: [{ name: `s${k}`, dims: [], data: [2 ** -4] }, { name: `z${k}`, dims: [], data: [0] }, { name: `b${k}`, dims: [], data: [bits] }],
  });
  const a = q('x', 'xq', 1, 8);
  const w = q('W', 'Wq', 2, 6);
  return buildOnnxModel({
    inputs: [{ name: 'x', shape: [1, 3, 6, 5] }],
    outputs: [{ name: 'r', shape: [1, 4, 4, 3] }],
    nodes: [a.node, w.node, { op: 'Conv', name: 'conv', inputs: ['xq', 'Wq'], outputs: ['c'], attrs: { kernel_shape: [3, 3] } }, { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] }],
    initializers: [{ name: 'W', dims: [4, 3, 3, 3], data: Array.from(randomTensor([108], 9).data) }, ...a.inits, ...w.inits],
  });
}

interface Subject {
  base: Uint8Array;
  read(bytes: Uint8Array): Promise<unknown> | unknown;
}

/** The valid file of a format and how Tessera reads it. */
async function subject(format: Format, dir: string): Promise<Subject> {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  switch (format) {
    case 'onnx':
      return { base: exportOnnx(convCaseModel({ name: 'f', op: 'ConvTranspose2D', size: [6, 6], cin: 8, cout: 6, kernel: [3, 3], stride: [2, 2], io: 'io_parallel' }, 4)), read: (b) => loadModelBytes('m.onnx', b) };
    case 'qonnx':
      return { base: qonnxBase(), read: (b) => loadModelBytes('m.onnx', b) };
    case 'keras':
      return { base: await keras3File(kerasSpec), read: (b) => loadModelBytes('m.keras', b) };
    case 'h5-model':
      return { base: await keras2H5(kerasSpec), read: (b) => loadModelBytes('m.h5', b) };
    case 'h5-weights': {
      const json = enc(keras2Json(kerasSpec));
      return { base: await keras2WeightsH5(kerasSpec), read: (b) => loadModelBytes('m.json', json, { weights: b, weightsName: 'm_weights.h5' }) };
    }
    case 'model-json': {
      const weights = await keras2WeightsH5(kerasSpec);
      return { base: enc(keras2Json(kerasSpec)), read: (b) => loadModelBytes('m.json', b, { weights, weightsName: 'm_weights.h5' }) };
    }
    case 'npy':
      return { base: writeNpy(randomTensor([2, 3, 4, 5], 7)), read: (b) => readNpy(b, { dtype: 'convert' }) };
    case 'hls4ml-yaml': {
      const model = tinyModel(2);
      const cfg = defaultHlsConfig({ io: 'io_stream', layers: { upconv: { reuseFactor: 2, strategy: 'resource', precision: { weight_t: 'ap_fixed<8,3>', accum_t: 'auto' } } }, testImages: 2 });
      return { base: enc(hls4mlConfigToYaml(exportHls4mlConfig(cfg, { model }))), read: (b) => importHls4mlConfig(parseHls4mlYaml(new TextDecoder().decode(b), 'c.yml'), { model }) };
    }
    case 'tessera': {
      const m = tinyModel(5);
      const doc = { ...emptyDocument(), graph: m.graph, weights: weightsFromEngine(m.weights, (_n, s) => (s === 'weight' ? 'IOHW' : 'O')) };
      const file = path.join(dir, 'base.tessera');
      const p = ProjectFile.create(file, { doc, timestamp: '2026-01-01T00:00:00.000Z' });
      p.putVariant({ id: 'v', name: 'v', config: { io: 'io_parallel', scope: null, defaults: {}, layers: {} } });
      p.close();
      let n = 0;
      return {
        base: new Uint8Array(fs.readFileSync(file)),
        read: (b) => {
          const f = path.join(dir, `try-${n++}.tessera`);
          fs.writeFileSync(f, b);
          try {
            const project = ProjectFile.open(f);
            try {
              return { doc: project.load(), variants: project.listVariants() };
            } finally {
              project.close();
            }
          } finally {
            for (const x of fs.readdirSync(dir)) if (x.startsWith(path.basename(f))) fs.rmSync(path.join(dir, x), { force: true });
          }
        },
      };
    }
  }
}

const EXPECTED = [TesseraError, NpyError, StoreError];

/** Worker side: { format, seed, from, to } → one TryResult message per try, then { done: true }. */
async function serve(msg: { format: Format; seed: number; from: number; to: number }): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-fuzz-${msg.format}-`));
  try {
    const s = await subject(msg.format, dir);
    await s.read(s.base); // the base file itself must read
    for (let i = msg.from; i < msg.to; i++) {
      const bytes = mutate(s.base, msg.seed * 100_003 + i);
      parentPort!.postMessage({ started: i });
      const t0 = performance.now();
      let outcome: TryResult['outcome'] = 'valid';
      let message: string | undefined;
      try {
        await s.read(bytes);
      } catch (e) {
        const expected = EXPECTED.some((c) => e instanceof c);
        message = e instanceof Error ? e.message : String(e);
        outcome = expected && !message.includes('\n') ? 'error' : 'crash';
        if (outcome === 'crash') message = `${(e as Error)?.name}: ${e instanceof Error ? e.stack?.split('\n').slice(0, 4).join(' | ') : message}`;
      }
      parentPort!.postMessage({ i, outcome, message, ms: performance.now() - t0, rss: process.memoryUsage().rss } satisfies TryResult);
    }
    parentPort!.postMessage({ done: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

parentPort?.on('message', (m) => void serve(m).catch((e: Error) => parentPort!.postMessage({ fatal: `${e.name}: ${e.stack ?? e.message}` })));
