// The engine's two reference runs of a build (the fixed-point run that makes the test vectors, the float run
// the error is measured against) kept by content for the builds that follow in this process: the variants of a
// reuse-factor sweep change no value, so their runs are the first one's. The engine says what a run depends on
// (engine/graph/run-key.ts); here it is hashed with sha256, and the results are kept least recently used first
// out, bounded in bytes, stored and handed out as copies (what a caller does with its values cannot change
// what a later build gets).
import crypto from 'node:crypto';
import type { KeyPart, RunMemo } from '../../../../engine/graph/run-key';
import type { FixedTensor } from '../../../../engine/fixed/tensor';
import type { Tensor } from '../../../../engine/tensor/tensor';

/** sha256 of the parts, each tagged with its kind and length (no two part lists hash the same text). */
export function keyDigest(parts: readonly KeyPart[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) {
    if (typeof p === 'string') {
      h.update(`s${Buffer.byteLength(p)}:`);
      h.update(p);
    } else {
      h.update(`${p instanceof Float64Array ? 'd' : 'f'}${p.byteLength}:`);
      h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    }
  }
  return h.digest('hex');
}

export interface ContentMemoOptions<V> {
  /** Total size of the kept values. */
  maxBytes: number;
  maxEntries: number;
  bytesOf(v: V): number;
  copy(v: V): V;
}

/** A RunMemo: values by the sha256 of their key, least recently used dropped first. */
export class ContentMemo<V> implements RunMemo<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  /** Lookups answered and not (for tests and profiles). */
  hits = 0;
  misses = 0;

  constructor(private readonly opts: ContentMemoOptions<V>) {}

  get(key: readonly KeyPart[]): V | undefined {
    const k = keyDigest(key);
    const e = this.entries.get(k);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(k); // most recently used last
    this.entries.set(k, e);
    return this.opts.copy(e.value);
  }

  set(key: readonly KeyPart[], value: V): void {
    const k = keyDigest(key);
    const bytes = this.opts.bytesOf(value);
    this.drop(k);
    if (bytes > this.opts.maxBytes) return;
    this.entries.set(k, { value: this.opts.copy(value), bytes });
    this.bytes += bytes;
    for (const old of this.entries.keys()) {
      if (this.bytes <= this.opts.maxBytes && this.entries.size <= this.opts.maxEntries) break;
      this.drop(old);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private drop(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    this.entries.delete(k);
    this.bytes -= e.bytes;
  }
}

const copyFixed = (t: FixedTensor): FixedTensor => ({ shape: [...t.shape], type: t.type, m: t.m.slice() });
const copyFloat = (t: Tensor): Tensor => ({ shape: [...t.shape], data: t.data.slice() });
const mapValues = <A, B>(r: Record<string, A>, f: (a: A) => B): Record<string, B> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

/** Every node's values of recent fixed-point runs (bigint mantissas, for types wider than 53 bits, counted at 16 bytes). */
export const fixedRuns = new ContentMemo<Record<string, FixedTensor>>({
  maxBytes: 256e6,
  maxEntries: 8,
  bytesOf: (v) => Object.values(v).reduce((a, t) => a + (t.m instanceof Float64Array ? t.m.byteLength : t.m.length * 16), 0),
  copy: (v) => mapValues(v, copyFixed),
});

/** The outputs of recent float runs. */
export const floatRuns = new ContentMemo<Record<string, Tensor>>({
  maxBytes: 64e6,
  maxEntries: 8,
  bytesOf: (v) => Object.values(v).reduce((a, t) => a + t.data.byteLength, 0),
  copy: (v) => mapValues(v, copyFloat),
});
