import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_GRAPH_VERSION } from '../../../engine/graph/schema';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { opRegistry } from '../../../engine/ops/registry';
import { randomTensor, seededRandom } from '../../../engine/tensor/tensor';
import type { Graph } from '../../../engine/graph/model';
import { ProjectSettings, type PreviewInput } from '../../../api/contract';
import {
  APPLICATION_ID,
  Autosaver,
  CURRENT_SCHEMA_VERSION,
  ProjectFile,
  RecentProjects,
  SCHEMA_V1,
  StoreError,
  emptyDocument,
  readProjectDocument,
  storedToTensor,
  tensorToStored,
  uniqueProjectPath,
  type StoredDocument,
  type StoredWeights,
} from './index';
import { writePartDigests } from './checksums';
import * as runs from './runs';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function randomDoc(seed: number, types: string[]): StoredDocument {
  const rnd = seededRandom(seed);
  const nodes = types.map((type, i) => {
    const op = opRegistry.get(type);
    const defaults = op ? (op.params.parse({}) as Record<string, unknown>) : {};
    return {
      id: `node-${i}-${Math.floor(rnd() * 1e6)}`,
      type,
      name: `${type.toLowerCase()}_${i}`,
      params: { ...defaults, note: `ü ${rnd()}`, nested: { list: [rnd(), -rnd(), 3] } },
      ...(i % 2 ? { position: { x: rnd() * 500 - 250, y: rnd() * 300 } } : {}),
    };
  });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i].id, sourcePort: 0, target: n.id, targetPort: i % 3 }));
  const weights: StoredWeights = {};
  nodes.forEach((n, i) => {
    const shape = [1 + (i % 4), 2 + (i % 3), 3, 1 + Math.floor(rnd() * 4)];
    weights[n.id] = { weight: tensorToStored(randomTensor(shape, seed + i), 'OIHW'), bias: tensorToStored(randomTensor([shape[0]], seed * 7 + i), 'O') };
  });
  const inputs: PreviewInput[] = [
    { kind: 'random', nodeId: nodes[0]?.id ?? 'x', seed: 42, low: -0.5, high: 2 },
    { kind: 'impulse', nodeId: nodes[0]?.id ?? 'x', index: [0, 1, 2], value: 3 },
  ];
  return {
    graph: { version: CURRENT_GRAPH_VERSION, nodes, edges },
    weights,
    settings: ProjectSettings.parse({ tensorLayout: 'NCHW', weightSeed: seed, ui: { zoom: 1.25 } }),
    previewInputs: inputs,
  };
}

function fileState(file: string): { bytes: Buffer; side: string[] } {
  return { bytes: fs.readFileSync(file), side: fs.readdirSync(path.dirname(file)).filter((f) => f !== path.basename(file)).sort() };
}

function expectOpenFails(file: string, code: string, pattern: RegExp): void {
  const before = fileState(file);
  let err: unknown;
  try {
    ProjectFile.open(file).close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  expect((err as StoreError).message).toMatch(pattern);
  const after = fileState(file);
  expect(after.bytes.equals(before.bytes)).toBe(true);
  expect(after.side).toEqual(before.side);
}

describe('project store', () => {
  it('round-trips a graph with every registered op, weights, settings and preview inputs', () => {
    const types = [...opRegistry.keys(), 'Conv2D', 'ConvTranspose2D', 'SomeFutureOp'];
    const doc = randomDoc(1234, types);
    const file = path.join(dir, 'a.tessera');
    const p = ProjectFile.create(file, { name: 'My net' });
    p.save(doc);
    p.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);

    const q = ProjectFile.open(file);
    const back = q.load();
    expect(back).toEqual(doc);
    expect(back.graph.nodes.map((n) => n.type)).toEqual(types);
    const t = storedToTensor(back.weights[doc.graph.nodes[2].id].weight);
    expect(Array.from(t.data)).toEqual(Array.from(storedToTensor(doc.weights[doc.graph.nodes[2].id].weight).data));
    expect(q.meta().name).toBe('My net');
    expect(q.meta().schemaVersion).toBe(CURRENT_SCHEMA_VERSION);

    // A second save with fewer nodes drops the others' weights; unchanged tensors stay equal.
    const smaller = { ...back, graph: { ...back.graph, nodes: back.graph.nodes.slice(0, 2), edges: back.graph.edges.slice(0, 1) } };
    smaller.weights = { [smaller.graph.nodes[0].id]: back.weights[smaller.graph.nodes[0].id] };
    q.save(smaller);
    q.close();
    const r = ProjectFile.open(file);
    expect(r.load()).toEqual(smaller);
    r.close();
  });

  it('rewrites a changed tensor and keeps unchanged ones across saves and reopen', () => {
    const file = path.join(dir, 'w.tessera');
    const doc = randomDoc(21, ['Conv2D', 'Conv2D', 'Dense']);
    const p = ProjectFile.create(file, { doc });
    const ids = doc.graph.nodes.map((n) => n.id);
    const changed = structuredClone(doc);
    const f = new Float32Array(changed.weights[ids[1]].weight.data.buffer.slice(0));
    f[3] = 123.5;
    changed.weights[ids[1]].weight = { ...changed.weights[ids[1]].weight, data: new Uint8Array(f.buffer), layout: 'OIHW-changed' };
    p.save(changed);
    p.close();
    const q = ProjectFile.open(file);
    const back = q.load();
    expect(storedToTensor(back.weights[ids[1]].weight).data[3]).toBe(123.5);
    expect(back.weights[ids[1]].weight.layout).toBe('OIHW-changed');
    expect(back.weights[ids[0]]).toEqual(doc.weights[ids[0]]);
    // Reopened (digests recomputed lazily): change again (a copy: a loaded document is frozen).
    f[0] = -7.25;
    const again = { ...back, weights: { ...back.weights, [ids[1]]: { ...back.weights[ids[1]], weight: { ...back.weights[ids[1]].weight, data: new Uint8Array(f.buffer.slice(0)) } } } };
    q.save(again);
    expect(storedToTensor(q.load().weights[ids[1]].weight).data[0]).toBe(-7.25);
    q.close();
  });

  it('a bad stored setting (one another Tessera version wrote, checksummed) falls back to its default and keeps the others', () => {
    const file = path.join(dir, 's.tessera');
    const doc = randomDoc(2, ['Conv2D']);
    ProjectFile.create(file, { doc }).close();
    const db = new Database(file);
    db.prepare("UPDATE settings SET value = '\"sideways\"' WHERE key = 'tensorLayout'").run();
    writePartDigests(db, ['settings']);
    db.close();
    const p = ProjectFile.open(file);
    expect(p.loadSettings()).toEqual({ ...doc.settings, tensorLayout: 'NHWC' });
    expect(p.loadPreviewInputs()).toEqual(doc.previewInputs);
    p.close();
  });

  it('reads a document without locking or changing the file, also an old schema and one open elsewhere', () => {
    const file = path.join(dir, 'r.tessera');
    const doc = randomDoc(17, ['Conv2D', 'Tanh']);
    const p = ProjectFile.create(file, { doc });
    expect(readProjectDocument(file)).toEqual(doc); // open in this process: still readable
    const changed = { ...doc, settings: ProjectSettings.parse({ weightSeed: 4242 }) };
    p.save(changed);
    expect(readProjectDocument(file).settings.weightSeed).toBe(4242); // sees the committed save (in the WAL)
    p.close();
    const before = fileState(file);
    expect(readProjectDocument(file)).toEqual(changed);
    const after = fileState(file);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(after.side).toEqual(before.side);

    const old = path.join(dir, 'old-r.tessera');
    const db = new Database(old);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec(SCHEMA_V1);
    db.pragma('user_version = 1');
    db.prepare('INSERT INTO graph (id, json) VALUES (1, ?)').run(JSON.stringify({ version: 1, nodes: [{ id: 'a', type: 'ReLU', name: 'a', params: {} }], edges: [] }));
    db.close();
    const oldBytes = fs.readFileSync(old);
    expect(readProjectDocument(old).graph.nodes.map((n) => n.id)).toEqual(['a']);
    expect(fs.readFileSync(old).equals(oldBytes)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('old-r'))).toEqual(['old-r.tessera']);
  });

  it('keeps variants and build runs; a restart marks running builds interrupted and leaves queued ones', () => {
    const file = path.join(dir, 'v.tessera');
    const p = ProjectFile.create(file, { doc: randomDoc(6, ['ConvTranspose2D']) });
    const cfg = { layers: { up: { io: 'io_stream', rf: 4, precision: 'ap_fixed<16,6>' } } };
    p.putVariant({ id: 'v1', name: 'stream RF4', config: cfg });
    p.putVariant({ id: 'v2', name: 'parallel', config: { layers: { up: { io: 'io_parallel', rf: 1 } } } });
    p.putVariant({ id: 'v2', name: 'parallel RF1', config: { layers: { up: { io: 'io_parallel', rf: 1 } } } });
    const base = { config: cfg, step: null, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, report: null, artifacts: null };
    p.putBuildRun({ ...base, id: 'r1', variantId: 'v1', status: 'running', step: 'csim', startedAt: '2026-01-01T00:00:01.000Z' });
    p.putBuildRun({ ...base, id: 'r2', variantId: 'v2', status: 'queued', createdAt: '2026-01-01T00:00:02.000Z' });
    p.putBuildRun({ ...base, id: 'r0', variantId: 'v1', status: 'succeeded', report: { latency: 1234, dsp: 7 }, artifacts: ['/x/csim.log'], createdAt: '2025-12-31T00:00:00.000Z' });
    p.appendBuildLog('r1', 'line 1\n');
    p.appendBuildLog('r1', 'line 2\n');
    p.putBuildRun({ ...base, id: 'r1', variantId: 'v1', status: 'running', step: 'synth', startedAt: '2026-01-01T00:00:01.000Z' }); // log kept
    p.close();

    const q = ProjectFile.open(file);
    expect(q.listVariants().map((v) => [v.id, v.name])).toEqual([['v1', 'stream RF4'], ['v2', 'parallel RF1']]);
    expect(q.listVariants()[0].config).toEqual(cfg);
    expect(q.markInterruptedRuns()).toEqual(['r1']);
    const all = q.listBuildRuns();
    expect(all.map((r) => [r.id, r.status])).toEqual([['r0', 'succeeded'], ['r1', 'interrupted'], ['r2', 'queued']]);
    expect(all[1]).toMatchObject({ log: 'line 1\nline 2\n', step: 'synth' });
    expect(all[1].finishedAt).not.toBeNull();
    expect(all[0].report).toEqual({ latency: 1234, dsp: 7 });
    expect(q.deleteVariant('v1')).toBe(true);
    expect(q.listBuildRuns().filter((r) => r.variantId === null).map((r) => r.id)).toEqual(['r0', 'r1']); // history kept
    expect(q.listBuildRuns('v2').map((r) => r.id)).toEqual(['r2']);
    expect(q.getBuildRun('r1')).toEqual({ ...all[1], variantId: null });
    expect(q.getBuildRun('nope')).toBeNull();
    q.close();
  });

  it('lists variants and runs written in the same millisecond in the order they were written (a sweep writes several at once)', () => {
    const file = path.join(dir, 'same-ms.tessera');
    ProjectFile.create(file).close();
    const db = new Database(file);
    const now = '2026-01-01T00:00:00.000Z';
    // ids sorted against the writing order: the tie must not be broken by id
    const ids = ['v_f', 'v_c', 'v_e', 'v_a', 'v_d', 'v_b'];
    for (const id of ids) runs.putVariant(db, { id, name: `name ${id}`, config: {} }, now);
    runs.putVariant(db, { id: 'v_c', name: 'renamed', config: {} }, now); // an update keeps its place
    const base = { variantId: null, config: {}, status: 'queued' as const, step: null, createdAt: now, startedAt: null, finishedAt: null, report: null, artifacts: null };
    for (const id of ids) runs.putBuildRun(db, { ...base, id: `r${id}` });
    runs.putBuildRun(db, { ...base, id: 'rv_c', status: 'running' });
    runs.putBuildRun(db, { ...base, id: 'rv_c', status: 'queued' });
    db.close();
    const p = ProjectFile.open(file);
    expect(p.listVariants().map((v) => v.id)).toEqual(ids);
    expect(p.listBuildRuns().map((r) => r.id)).toEqual(ids.map((id) => `r${id}`));
    p.close();
    const db2 = new Database(file, { readonly: true });
    expect(runs.queuedLocalRunIds(db2)).toEqual(ids.map((id) => `r${id}`));
    db2.close();
  });

  it('sets the application id, WAL mode and schema version', () => {
    const file = path.join(dir, 'b.tessera');
    ProjectFile.create(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(CURRENT_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a failed save (bad tensor) changes nothing', () => {
    const file = path.join(dir, 'c.tessera');
    const doc = randomDoc(5, ['Conv2D', 'ReLU']);
    const p = ProjectFile.create(file, { doc });
    const bad = structuredClone(doc);
    bad.graph.nodes[0].name = 'changed';
    bad.weights[doc.graph.nodes[1].id].weight = { dtype: 'float32', shape: [3, 3], layout: 'OI', data: new Uint8Array(35) };
    expect(() => p.save(bad)).toThrow(/35 bytes of data, shape \[3, 3\] of float32 needs 36/);
    expect(p.load()).toEqual(doc);
    p.close();
  });

  it('migrates a v1 file forward (graph JSON → nodes/edges) and keeps a backup', () => {
    const file = path.join(dir, 'old.tessera');
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_V1);
    db.pragma('user_version = 1');
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 3, 8, 8] }, position: { x: 10, y: -20.5 } },
        { id: 'ct', type: 'ConvTranspose2D', name: 'up', params: { filters: 4, kernelSize: [2, 2], strides: [2, 2] } },
      ],
      edges: [{ id: 'e1', source: 'in', sourcePort: 0, target: 'ct', targetPort: 0 }],
    };
    db.prepare('INSERT INTO graph (id, json) VALUES (1, ?)').run(JSON.stringify(graph));
    db.prepare("INSERT INTO meta VALUES ('name', 'legacy'), ('created_at', '2025-01-02T03:04:05.000Z'), ('saved_at', '2025-01-02T03:04:05.000Z')").run();
    const w = randomTensor([3, 4, 2, 2], 99);
    db.prepare('INSERT INTO tensors VALUES (?, ?, ?, ?, ?, ?)').run('ct', 'weight', 'float32', '[3,4,2,2]', 'IOHW', Buffer.from(w.data.buffer));
    db.prepare('INSERT INTO settings VALUES (?, ?)').run('tensorLayout', '"NCHW"');
    db.close();
    const v1Bytes = fs.readFileSync(file);

    const p = ProjectFile.open(file);
    const doc = p.load();
    expect(doc.graph).toEqual({ ...graph, version: CURRENT_GRAPH_VERSION }); // graph document v1 is read as the current one
    expect(Array.from(storedToTensor(doc.weights.ct.weight).data)).toEqual(Array.from(w.data));
    expect(doc.weights.ct.weight.layout).toBe('IOHW');
    expect(doc.settings.tensorLayout).toBe('NCHW');
    expect(p.meta()).toMatchObject({ name: 'legacy', schemaVersion: CURRENT_SCHEMA_VERSION, createdAt: '2025-01-02T03:04:05.000Z' });
    p.close();
    expect(fs.readFileSync(`${file}.v1.bak`).equals(v1Bytes)).toBe(true);
    const check = new Database(file, { readonly: true });
    const log = check.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(log.map((r) => r.version)).toEqual([1, 2, 3, 4]);
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'graph'").get()).toEqual({ n: 0 });
    check.close();
  });

  it('refuses foreign, non-SQLite, empty, newer and corrupt files with their messages, leaving them byte-identical', () => {
    const text = path.join(dir, 'notes.tessera');
    fs.writeFileSync(text, 'hello, this is not a database at all\n'.repeat(10));
    expectOpenFails(text, 'not-a-project', /not a Tessera project \(not an SQLite database\)/);

    const empty = path.join(dir, 'empty.tessera');
    fs.writeFileSync(empty, '');
    expectOpenFails(empty, 'not-a-project', /an empty file/);

    const foreign = path.join(dir, 'foreign.tessera');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (a); INSERT INTO t VALUES (1)');
    f.close();
    expectOpenFails(foreign, 'not-a-project', /SQLite database of some other program/);

    const other = path.join(dir, 'other.tessera');
    const o = new Database(other);
    o.pragma('application_id = 1234567');
    o.exec('CREATE TABLE meta (key, value)');
    o.close();
    expectOpenFails(other, 'not-a-project', /another application \(application_id 0x0012d687\)/);

    const newer = path.join(dir, 'newer.tessera');
    ProjectFile.create(newer, { doc: randomDoc(3, ['Conv2D']) }).close();
    const n = new Database(newer);
    n.pragma(`user_version = ${CURRENT_SCHEMA_VERSION + 7}`);
    n.close();
    expectOpenFails(newer, 'newer-schema', new RegExp(`newer Tessera \\(project schema v${CURRENT_SCHEMA_VERSION + 7}; this version reads up to v${CURRENT_SCHEMA_VERSION}\\)`));

    // Damage the pages holding data (not the header): random bytes over most of the file.
    const corrupt = path.join(dir, 'corrupt.tessera');
    ProjectFile.create(corrupt, { doc: randomDoc(4, ['Conv2D', 'ReLU', 'Tanh', 'Conv2D']) }).close();
    const bytes = fs.readFileSync(corrupt);
    const rnd = seededRandom(77);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
    fs.writeFileSync(corrupt, bytes);
    expectOpenFails(corrupt, 'corrupt', /is damaged/);

    const cut = path.join(dir, 'cut.tessera');
    fs.writeFileSync(cut, bytes.subarray(0, 60));
    expectOpenFails(cut, 'corrupt', /header is cut short/);

    expect(() => ProjectFile.open(path.join(dir, 'missing.tessera'))).toThrow(/does not exist/);
  });

  it('detects the same project opened twice, and reopens after close', () => {
    const file = path.join(dir, 'twice.tessera');
    const p = ProjectFile.create(file);
    expect(() => ProjectFile.open(file)).toThrow(/already open in this Tessera/);
    expect(() => ProjectFile.create(file, { overwrite: true })).toThrow(/already open/);
    p.close();
    const again = ProjectFile.open(file);
    again.close();
  });

  it('save as writes a new file and moves the lock; create refuses to overwrite', () => {
    const a = path.join(dir, 'a.tessera');
    const b = path.join(dir, 'b.tessera');
    const doc = randomDoc(8, ['Conv2D', 'Tanh']);
    const p = ProjectFile.create(a, { doc, variants: [{ id: 'v1', name: 'fit xc7z020-clg400-1 stream', config: { io: 'io_stream', scope: null, defaults: {}, layers: { c: { reuseFactor: 4 } } } }] });
    const aBytes = fs.readFileSync(a);
    const changed = { ...doc, settings: ProjectSettings.parse({ weightSeed: 999 }) };
    p.saveAs(b, changed);
    // The variants go with the project (an example's fitted variant survives its first save).
    expect(p.listVariants().map((v) => [v.id, v.name, v.config])).toEqual([['v1', 'fit xc7z020-clg400-1 stream', { io: 'io_stream', scope: null, defaults: {}, layers: { c: { reuseFactor: 4 } } }]]);
    expect(p.path).toBe(b);
    expect(fs.readFileSync(a).equals(aBytes)).toBe(true);
    expect(() => ProjectFile.create(a)).toThrow(/already exists/);
    const old = ProjectFile.open(a); // a is no longer locked
    expect(old.load()).toEqual(doc);
    old.close();
    expect(() => ProjectFile.open(b)).toThrow(/already open/);
    expect(p.load()).toEqual(changed);
    p.close();
    expect(uniqueProjectPath(dir, 'a')).toBe(path.join(dir, 'a 2.tessera'));
    expect(path.basename(uniqueProjectPath(dir, '../../etc/pass:wd'))).toBe('etc-pass-wd.tessera');
  });

  it(
    'children killed with SIGKILL at random moments of a save loop leave the last committed state, and their stale locks are recovered',
    async () => {
      const file = path.join(dir, 'crash.tessera');
      ProjectFile.create(file, { doc: emptyDocument() }).close();
      for (let round = 0; round < 3; round++) {
        const child = spawn(process.execPath, ['bin/run-ts.mjs', path.join(__dirname, 'testdata', 'save-loop.ts'), file], {
          cwd: path.resolve(__dirname, '../../..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let errText = '';
        child.stderr.on('data', (d) => (errText += d));
        const target = 5 + Math.floor(Math.random() * 25);
        let lastPrinted = 0;
        let sawLiveLock = false;
        let killing = false;
        await new Promise<void>((resolve, reject) => {
          child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${errText}`)));
          child.stdout.on('data', (d) => {
            out += d;
            const m = [...out.matchAll(/saved (\d+)/g)];
            if (m.length) lastPrinted = Number(m[m.length - 1][1]);
            if (!sawLiveLock && out.includes('ready')) {
              sawLiveLock = true;
              try {
                ProjectFile.open(file).close();
                reject(new Error('opened a project locked by a live process'));
              } catch (e) {
                expect((e as Error).message).toMatch(new RegExp(`another Tessera \\(process ${child.pid}\\)`));
              }
            }
            if (lastPrinted >= target && !killing) {
              killing = true;
              // A random instant inside the following saves.
              setTimeout(() => {
                child.removeAllListeners('exit');
                child.on('exit', () => resolve());
                child.kill('SIGKILL');
              }, Math.random() * 15);
            }
          });
        });
        expect(fs.existsSync(`${file}.lock`)).toBe(true); // left behind by the killed child
        const p = ProjectFile.open(file);
        const doc = p.load();
        const counter = doc.settings.weightSeed;
        expect(counter).toBeGreaterThanOrEqual(lastPrinted);
        expect(doc.graph.nodes.length).toBe(3 + (counter % 5));
        for (const n of doc.graph.nodes) {
          expect(n.params.counter).toBe(counter);
          const t = storedToTensor(doc.weights[n.id].weight);
          expect(t.data.length).toBe(4096 + 17 * counter);
          expect(t.data.every((v) => v === counter)).toBe(true);
        }
        expect(Object.keys(doc.weights).length).toBe(doc.graph.nodes.length);
        p.close();
      }
    },
    90_000,
  );
});

describe('the loaded document kept between loads', () => {
  it('is read once while nothing changes (build runs and variants written meanwhile), and is frozen', () => {
    const doc = randomDoc(31, ['Conv2D', 'ReLU', 'Dense']);
    const p = ProjectFile.create(path.join(dir, 'k.tessera'), { doc });
    const first = p.load();
    expect(first).toEqual(doc);
    p.putVariant({ id: 'v1', name: 'RF 2', config: { io: 'io_parallel', scope: null, defaults: {}, layers: {} } });
    p.putBuildRun({ id: 'r1', variantId: 'v1', status: 'queued', createdAt: 'now', startedAt: null, finishedAt: null, step: null, config: {}, report: null, artifacts: null });
    p.appendBuildLog('r1', 'line\n');
    expect(p.load()).toBe(first);
    expect(Object.isFrozen(first.graph.nodes[0].params)).toBe(true);
    expect(() => {
      (first.graph.nodes as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (first.settings as { weightSeed: number }).weightSeed = 1;
    }).toThrow(TypeError);
    p.close();
  });

  it('is read again after every write of this project to the graph, weights, settings, preview inputs or meta', () => {
    const doc = randomDoc(32, ['Conv2D', 'ReLU']);
    const p = ProjectFile.create(path.join(dir, 'w.tessera'), { doc });
    const ids = doc.graph.nodes.map((n) => n.id);
    let last = p.load();
    const changed = (want: (d: StoredDocument) => unknown, value: unknown) => {
      const d = p.load();
      expect(d).not.toBe(last);
      expect(want(d)).toEqual(value);
      last = d;
    };
    const renamed = { ...doc.graph, nodes: doc.graph.nodes.map((n, i) => (i === 0 ? { ...n, name: 'renamed' } : n)) };
    p.saveGraph(renamed, doc.weights);
    changed((d) => d.graph.nodes[0].name, 'renamed');
    const bias = tensorToStored(randomTensor([2], 5), 'O');
    p.saveGraph(renamed, { ...doc.weights, [ids[1]]: { ...doc.weights[ids[1]], bias } });
    changed((d) => d.weights[ids[1]].bias, bias);
    p.save({ ...doc, graph: renamed, previewInputs: [] });
    changed((d) => [d.previewInputs, d.weights[ids[1]].bias], [[], doc.weights[ids[1]].bias]);
    p.setSettings({ ...doc.settings, weightSeed: 77 });
    changed((d) => d.settings.weightSeed, 77);
    p.setPreviewInputs(doc.previewInputs);
    changed((d) => d.previewInputs, doc.previewInputs);
    p.putVariantAndSettings({ id: 'v1', name: 'fit', config: {} }, { ...doc.settings, part: 'xcvu13p-flga2577-2-e' });
    changed((d) => d.settings.part, 'xcvu13p-flga2577-2-e');
    p.setMeta('title', 'T');
    expect(p.load()).not.toBe(last);
    p.close();
  });

  it('is read again when another connection changed the file', () => {
    const doc = randomDoc(33, ['Conv2D', 'ReLU']);
    const file = path.join(dir, 'o.tessera');
    const p = ProjectFile.create(file, { doc });
    const first = p.load();
    const other = new Database(file);
    other.prepare('UPDATE nodes SET name = ? WHERE id = ?').run('from-elsewhere', doc.graph.nodes[1].id);
    writePartDigests(other, ['nodes']);
    other.close();
    const second = p.load();
    expect(second).not.toBe(first);
    expect(second.graph.nodes[1].name).toBe('from-elsewhere');
    expect(p.load()).toBe(second);
    // Damage written elsewhere is seen too, not hidden behind the kept document.
    const vandal = new Database(file);
    vandal.prepare('UPDATE nodes SET name = ? WHERE id = ?').run('no checksum', doc.graph.nodes[0].id);
    vandal.close();
    expect(() => p.load()).toThrow(/damaged/);
    p.close();
  });
});

describe('recent projects and autosave', () => {
  it('keeps recent projects newest first, deduplicated, with existence', () => {
    const r = new RecentProjects(path.join(dir, 'user'), 3);
    const files = ['p1', 'p2', 'p3', 'p4'].map((n) => path.join(dir, `${n}.tessera`));
    fs.writeFileSync(files[1], '');
    files.forEach((f, i) => r.add(f, `P${i + 1}`, new Date(Date.UTC(2026, 0, 1 + i))));
    r.add(files[1], 'P2', new Date(Date.UTC(2026, 1, 1)));
    const list = r.list();
    expect(list.map((e) => e.name)).toEqual(['P2', 'P4', 'P3']);
    expect(list.map((e) => e.exists)).toEqual([true, false, false]);
    fs.writeFileSync(r.file, '{ not json');
    expect(r.list()).toEqual([]);
  });

  it('autosaves once after a pause, retries after a failure, flushes on demand', async () => {
    let saves = 0;
    let fail = false;
    const errors: string[] = [];
    const a = new Autosaver(
      () => {
        if (fail) throw new Error('disk full');
        saves++;
      },
      30,
      (e) => errors.push(e.message),
    );
    a.touch();
    a.touch();
    a.touch();
    expect(saves).toBe(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(saves).toBe(1);
    fail = true;
    a.touch();
    a.flush();
    expect(errors).toEqual(['disk full']);
    expect(a.isPending).toBe(true);
    fail = false;
    a.flush();
    expect(saves).toBe(2);
    a.setDelay(0);
    a.touch();
    await new Promise((r) => setTimeout(r, 50));
    expect(saves).toBe(2);
    a.dispose();
  });
});
