// Issue 12, reproducer 5: of 15 project files overwritten with random bytes in their middle, 8 opened
// without any error — SQLite checks its page structure, not the bytes of a value. With the checksums
// (schema v3) a damaged file either fails to open naming what is damaged, or opens with exactly the
// content it had (the bytes hit free space).
import { CURRENT_GRAPH_VERSION } from '../../../engine/graph/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { randomTensor, seededRandom } from '../../../engine/tensor/tensor';
import { ProjectSettings } from '../../../api/contract';
import { APPLICATION_ID, CURRENT_SCHEMA_VERSION, ProjectFile, StoreError, readProjectDocument, tensorToStored, type StoredDocument } from './index';
import { migrations } from './schema';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-checksums-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function doc(seed: number): StoredDocument {
  const nodes = [
    { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 8, 8, 16], dataFormat: 'NXC' } },
    ...Array.from({ length: 4 }, (_, i) => ({ id: `c${i}`, type: 'Conv2D', name: `conv_${i}`, params: { filters: 16, kernel: [3, 3], dataFormat: 'NXC', padding: 'same' }, position: { x: 10 * i, y: 5 } })),
  ];
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, sourcePort: 0, target: n.id, targetPort: 0 }));
  const weights: StoredDocument['weights'] = {};
  for (let i = 0; i < 4; i++) weights[`c${i}`] = { weight: tensorToStored(randomTensor([16, 16, 3, 3], seed + i), 'OIHW'), bias: tensorToStored(randomTensor([16], seed * 3 + i), 'O') };
  return {
    graph: { version: CURRENT_GRAPH_VERSION, nodes, edges },
    weights,
    settings: ProjectSettings.parse({ weightSeed: seed, defaultPrecision: 'ap_fixed<12,4>' }),
    previewInputs: [{ kind: 'random', nodeId: 'in', seed: 3, low: -1, high: 1 }],
  };
}

type Outcome = { kind: 'error'; message: string } | { kind: 'same' } | { kind: 'different' };

function openAndCompare(file: string, original: StoredDocument): Outcome {
  let p: ProjectFile;
  try {
    p = ProjectFile.open(file);
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return { kind: 'error', message: (e as Error).message };
  }
  try {
    const got = p.load();
    return isDeepStrictEqual(got, original) ? { kind: 'same' } : { kind: 'different' };
  } finally {
    p.close();
  }
}

function patch(file: string, at: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.closeSync(fd);
}

/**
 * Overwrites `needle` with `replacement` at every place it occurs in the file (SQLite leaves stale copies
 * of moved cells in unused page space; the live one is among them). `skip` bytes into the needle.
 */
function patchEvery(file: string, needle: Buffer, replacement: Buffer, skip = 0): void {
  const bytes = fs.readFileSync(file);
  let n = 0;
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1), n++) patch(file, i + skip, replacement);
  expect(n).toBeGreaterThan(0);
}

describe('project checksums', () => {
  it('100 files with random bytes over a stretch of their middle: each fails to open naming the damage, or opens unchanged', () => {
    const original = doc(5);
    const master = path.join(dir, 'master.tessera');
    ProjectFile.create(master, { doc: original, timestamp: '2026-01-01T00:00:00.000Z' }).close();
    const size = fs.statSync(master).size;
    const rnd = seededRandom(2024);
    const tally = { error: 0, same: 0, different: 0 };
    const messages = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const file = path.join(dir, `damaged-${i}.tessera`);
      fs.copyFileSync(master, file);
      const len = 1 + Math.floor(rnd() * 64);
      const at = Math.floor(size * 0.1 + rnd() * (size * 0.8 - len));
      patch(file, at, Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256))));
      const o = openAndCompare(file, original);
      tally[o.kind]++;
      if (o.kind === 'error') {
        expect(o.message).toMatch(/^damaged-\d+\.tessera is damaged/);
        expect(o.message).toMatch(/restore it from a backup$/);
        messages.add(o.message.replace(/^damaged-\d+\.tessera/, 'F'));
      }
    }
    console.log(`random damage of 100 copies: ${JSON.stringify(tally)}; messages: ${[...messages].slice(0, 6).join(' | ')}`);
    expect(tally.different).toBe(0);
    expect(tally.error).toBeGreaterThan(10); // the rest hit unused page space: the file opens unchanged
  });

  it('names a damaged weight, the damaged graph tables, and a damaged variant', () => {
    const original = doc(9);
    const file = path.join(dir, 'p.tessera');
    const p = ProjectFile.create(file, { doc: original });
    p.putVariant({ id: 'v1', name: 'fast', config: { io: 'io_parallel', scope: null, defaults: {}, layers: {}, cxxFlags: ['-O2'] } });
    p.close();

    // One byte inside conv_2's weight data.
    const w = Buffer.from(original.weights.c2.weight.data);
    const weightFile = path.join(dir, 'w.tessera');
    fs.copyFileSync(file, weightFile);
    patchEvery(weightFile, w.subarray(100, 164), Buffer.from([w[110] ^ 0x01]), 10);
    expect(openAndCompare(weightFile, original)).toEqual({ kind: 'error', message: 'w.tessera is damaged: weight weight of layer "conv_2" does not match its checksum; restore it from a backup' });
    expect(() => readProjectDocument(weightFile)).toThrow(/weight weight of layer "conv_2" does not match its checksum/);

    // A layer's name, and a parameter value, changed in place (same length, so SQLite's structure holds).
    const nameFile = path.join(dir, 'n.tessera');
    fs.copyFileSync(file, nameFile);
    patchEvery(nameFile, Buffer.from('conv_1'), Buffer.from('conv_7'));
    expect(openAndCompare(nameFile, original)).toEqual({ kind: 'error', message: "n.tessera is damaged: the graph's layers (nodes table) does not match its checksum; restore it from a backup" });
    const settingFile = path.join(dir, 's.tessera');
    fs.copyFileSync(file, settingFile);
    patchEvery(settingFile, Buffer.from('ap_fixed<12,4>'), Buffer.from('ap_fixed<12,9>'));
    expect(openAndCompare(settingFile, original)).toMatchObject({ kind: 'error', message: expect.stringMatching(/the project settings does not match its checksum/) });

    // A variant's stored flags changed: the project opens, the variant is listed as damaged.
    const variantFile = path.join(dir, 'v.tessera');
    fs.copyFileSync(file, variantFile);
    patchEvery(variantFile, Buffer.from('"-O2"'), Buffer.from('"-O3"'));
    const pv = ProjectFile.open(variantFile);
    expect(pv.listVariants()[0]).toMatchObject({ id: 'v1', damaged: true });
    pv.close();
  });

  it('a v2 file is migrated to v3 with its checksums filled (backup kept); damage after that is found', () => {
    const file = path.join(dir, 'v2.tessera');
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('journal_mode = WAL');
    for (const m of migrations.filter((x) => x.version <= 2)) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
    db.prepare("INSERT INTO meta VALUES ('name', 'old'), ('created_at', 'c'), ('saved_at', 's'), ('graph_version', '1')").run();
    db.prepare('INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)').run('in', 0, 'Input', 'x', '{"shape":[1,4]}', null, null);
    db.prepare('INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)').run('d', 1, 'Dense', 'dense', '{"units":2}', 3, 4);
    db.prepare('INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?)').run('e', 0, 'in', 0, 'd', 0);
    const w = randomTensor([4, 2], 1);
    db.prepare('INSERT INTO tensors VALUES (?, ?, ?, ?, ?, ?)').run('d', 'weight', 'float32', '[4,2]', 'IO', Buffer.from(w.data.buffer));
    db.prepare('INSERT INTO settings VALUES (?, ?)').run('weightSeed', '7');
    db.prepare('INSERT INTO variants (id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run('v', 'old variant', '{"io":"io_parallel","scope":null,"defaults":{},"layers":{}}', 'c', 'c');
    db.close();
    const v2Bytes = fs.readFileSync(file);

    const p = ProjectFile.open(file);
    expect(p.meta().schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(CURRENT_SCHEMA_VERSION).toBeGreaterThanOrEqual(3); // on to the current schema
    const loaded = p.load();
    expect(Array.from(new Float32Array(loaded.weights.d.weight.data.buffer.slice(0)))).toEqual(Array.from(w.data));
    expect(loaded.settings.weightSeed).toBe(7);
    expect(p.listVariants()[0]).toMatchObject({ id: 'v', name: 'old variant' });
    expect(p.listVariants()[0].damaged).toBeUndefined();
    p.close();
    expect(fs.readFileSync(`${file}.v2.bak`).equals(v2Bytes)).toBe(true);

    const check = new Database(file, { readonly: true });
    expect((check.prepare('SELECT part FROM checksums ORDER BY part').all() as { part: string }[]).map((r) => r.part)).toEqual(['edges', 'nodes', 'preview_inputs', 'settings', 'tensors']);
    check.close();
    patchEvery(file, Buffer.from(w.data.buffer), Buffer.from([0x7f]), 5);
    expect(() => ProjectFile.open(file)).toThrow(/weight weight of layer "dense" does not match its checksum/);
  });
});
