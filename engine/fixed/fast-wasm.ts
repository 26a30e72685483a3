// WebAssembly SIMD (i32x4) inner loop of the int32 MAC path (fast.ts): four output channels at once,
//   out[j] += Σ_i (x[i] · w_j[i]) >> rs   (i32 wrap-around, the same arithmetic as the JS loop).
// Built with the project's own assembler (engine/ops/conv/wasm/asm.ts); null where WebAssembly SIMD is missing.
import { assemble, Body, I32, V128 } from '../ops/conv/wasm/asm';

// SIMD opcodes (0xfd prefix, LEB128) the assembler has no helpers for.
const I32X4_EXTRACT_LANE = [0x1b];
const I32X4_SHR_S = [0xac, 0x01];
const I32X4_ADD = [0xae, 0x01];
const I32X4_MUL = [0xb5, 0x01];

function simd(b: Body, op: number[], imm?: number): void {
  b.code.push(0xfd, ...op);
  if (imm !== undefined) b.code.push(imm);
}

/** dot4(xp, wp, wstride, n4, rs, outp): byte addresses; n4 blocks of 4 int32; lanes j read wp + j·wstride. */
function dot4Body(): Body {
  const b = new Body([I32, I32, I32, I32, I32, I32]);
  const [xp, wp, ws, n4, rs, outp] = [0, 1, 2, 3, 4, 5];
  const w1 = b.local(I32), w2 = b.local(I32), w3 = b.local(I32);
  const xv = b.local(V128);
  const acc = [b.local(V128), b.local(V128), b.local(V128), b.local(V128)];
  const wl = [wp, w1, w2, w3];
  b.get(wp).get(ws).add().set(w1);
  b.get(w1).get(ws).add().set(w2);
  b.get(w2).get(ws).add().set(w3);
  b.block(() => {
    b.get(n4).eqz().brIf(0);
    b.loop(() => {
      b.get(xp).v128Load().set(xv);
      for (let j = 0; j < 4; j++) {
        b.get(acc[j]).get(xv).get(wl[j]).v128Load();
        simd(b, I32X4_MUL);
        b.get(rs);
        simd(b, I32X4_SHR_S);
        simd(b, I32X4_ADD);
        b.set(acc[j]);
      }
      b.get(xp).i32(16).add().set(xp);
      for (const p of wl) b.get(p).i32(16).add().set(p);
      b.get(n4).i32(1).sub().tee(n4).brIf(0);
    });
  });
  for (let j = 0; j < 4; j++) {
    b.get(outp).get(outp).loadI32(4 * j);
    for (let lane = 0; lane < 4; lane++) {
      b.get(acc[j]);
      simd(b, I32X4_EXTRACT_LANE, lane);
      b.add();
    }
    b.storeI32(4 * j);
  }
  return b;
}

export interface WasmDot {
  memory: WebAssembly.Memory;
  dot4: (xp: number, wp: number, wstride: number, n4: number, rs: number, outp: number) => void;
  /** Grows the memory to at least `bytes`; false when that is refused. */
  ensure: (bytes: number) => boolean;
}

let cached: WasmDot | null | undefined;

/** The instantiated kernel, or null without WebAssembly SIMD. */
export function wasmDot(): WasmDot | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = assemble([{ name: 'dot4', params: [I32, I32, I32, I32, I32, I32], body: dot4Body() }]);
    if (!WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 16 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const dot4 = inst.exports.dot4 as WasmDot['dot4'];
    const ensure = (n: number): boolean => {
      const have = memory.buffer.byteLength;
      if (n <= have) return true;
      try {
        memory.grow(Math.ceil((n - have) / 65536));
        return true;
      } catch {
        return false;
      }
    };
    cached = { memory, dot4, ensure };
  } catch {
    cached = null;
  }
  return cached;
}
