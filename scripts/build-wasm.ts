// Regenerates engine/ops/conv/wasm/module.generated.ts from engine/ops/conv/wasm/generate.ts.
// Run with `npm run build:wasm` (node bin/run-ts.mjs scripts/build-wasm.ts). No toolchain needed:
// generate.ts writes the WebAssembly binary directly.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateModule } from '../engine/ops/conv/wasm/generate';
import { moduleSource } from '../engine/ops/conv/wasm/embed';

const bytes = generateModule(false);
const fma = generateModule(true);
if (!WebAssembly.validate(bytes)) {
  console.error('build-wasm: the generated module does not validate');
  process.exit(1);
}
const file = path.resolve('engine/ops/conv/wasm/module.generated.ts');
writeFileSync(file, moduleSource(bytes, fma));
console.log(`build-wasm: wrote ${file} (${bytes.length} + ${fma.length} bytes of wasm)`);
