// A tiny WebAssembly binary assembler: just the instructions the conv kernels use (i32 control and
// address arithmetic, f32 / f64 stores, 128-bit SIMD f32x4, i32x4 and i64x2). It writes the binary format directly, so the
// kernels need no compiler toolchain; generate.ts drives it and scripts/build-wasm.ts embeds the result.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

function uleb(out: number[], v: number): void {
  if (v < 0 || !Number.isInteger(v)) throw new RangeError(`uleb: ${v}`);
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`sleb: ${v}`);
  v |= 0; // i32 range
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Code of one function body. Locals are numbered: parameters first, then those added with local(). */
export class Body {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  private readonly nParams: number;

  constructor(params: readonly ValType[]) {
    this.nParams = params.length;
  }

  local(t: ValType): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(op: number): this {
    this.code.push(0xfd);
    uleb(this.code, op);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    uleb(this.code, alignLog2);
    uleb(this.code, offset);
    return this;
  }

  get(i: number): this {
    this.op(0x20);
    uleb(this.code, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.code, i);
    return this;
  }
  tee(i: number): this {
    this.op(0x22);
    uleb(this.code, i);
    return this;
  }
  i32(v: number): this {
    this.op(0x41);
    sleb(this.code, v);
    return this;
  }

  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  and(): this { return this.op(0x71); }
  eqz(): this { return this.op(0x45); }
  ltS(): this { return this.op(0x48); }
  gtS(): this { return this.op(0x4a); }
  leS(): this { return this.op(0x4c); }
  geS(): this { return this.op(0x4e); }

  loadI32(offset = 0): this { return this.op(0x28).memarg(2, offset); }
  storeF32(offset = 0): this { return this.op(0x38).memarg(2, offset); }
  storeI32(offset = 0): this { return this.op(0x36).memarg(2, offset); }

  v128Load(offset = 0): this { return this.simd(0x00).memarg(4, offset); }
  v128Store(offset = 0): this { return this.simd(0x0b).memarg(4, offset); }
  load32Splat(offset = 0): this { return this.simd(0x09).memarg(2, offset); }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.code.push(0);
    return this;
  }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /** Relaxed SIMD: a·b + c, fused or not (the engine picks; both are within float tolerance). */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  f32x4ExtractLane(lane: number): this {
    this.simd(0x1f);
    this.code.push(lane);
    return this;
  }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Mul(): this { return this.simd(0xb5); }
  /** Shift each lane by an i32 operand (taken modulo 32): left, and right arithmetic (floor). */
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4ShrS(): this { return this.simd(0xac); }
  i32x4ExtractLane(lane: number): this {
    this.simd(0x1b);
    this.code.push(lane);
    return this;
  }
  /** Exact signed products of the low (lanes 0, 1) or high (2, 3) i32 lanes, as i64x2. */
  i64x2ExtmulLowI32x4S(): this { return this.simd(0xdc); }
  i64x2ExtmulHighI32x4S(): this { return this.simd(0xdd); }
  i64x2Add(): this { return this.simd(0xce); }
  i64x2ShrS(): this { return this.simd(0xcc); }
  i64x2ExtractLane(lane: number): this {
    this.simd(0x1d);
    this.code.push(lane);
    return this;
  }
  f64ConvertI64S(): this { return this.op(0xb9); }
  storeF64(offset = 0): this { return this.op(0x39).memarg(3, offset); }

  /** block … end (br 0 inside jumps past end). */
  block(inner: () => void): this {
    this.op(0x02, 0x40);
    inner();
    return this.op(0x0b);
  }
  /** loop … end (br 0 inside jumps back to the start). */
  loop(inner: () => void): this {
    this.op(0x03, 0x40);
    inner();
    return this.op(0x0b);
  }
  /** Pops an i32; runs inner when it is non-zero. */
  if(inner: () => void): this {
    this.op(0x04, 0x40);
    inner();
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c);
    uleb(this.code, depth);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(this.code, depth);
    return this;
  }

  /** Encoded body: local declarations, code, end. */
  encode(): number[] {
    const out: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) {
      uleb(out, n);
      out.push(t);
    }
    out.push(...this.code, 0x0b);
    return out;
  }
}

export interface FuncDef {
  name: string;
  params: ValType[];
  body: Body;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

function name(out: number[], s: string): void {
  const bytes = Array.from(s, (c) => c.charCodeAt(0));
  uleb(out, bytes.length);
  out.push(...bytes);
}

/** A module importing its memory as env.memory and exporting each function (i32 parameters only is fine; no results). */
export function assemble(funcs: readonly FuncDef[]): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, 0);
  }
  section(out, 1, types);
  const imports: number[] = [];
  uleb(imports, 1);
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, 0x00); // memory, limits without maximum
  uleb(imports, 1); // at least one page
  section(out, 2, imports);
  const fsec: number[] = [];
  uleb(fsec, funcs.length);
  funcs.forEach((_, i) => uleb(fsec, i));
  section(out, 3, fsec);
  const exps: number[] = [];
  uleb(exps, funcs.length);
  funcs.forEach((f, i) => {
    name(exps, f.name);
    exps.push(0x00);
    uleb(exps, i);
  });
  section(out, 7, exps);
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) {
    const b = f.body.encode();
    uleb(code, b.length);
    code.push(...b);
  }
  section(out, 10, code);
  return Uint8Array.from(out);
}
