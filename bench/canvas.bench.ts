// Canvas responsiveness, measured in the real renderer: Debian's Chromium (playwright) against
// `tessera serve` started here with a fresh temporary data folder (as e2e/serve.mjs does).
//  (a) edit → shapes updated on the canvas, 200-node graph: the Input's shape is typed into the
//      inspector and every edge label must show the new shape; time from the input event to the DOM
//      being updated, and to the end of the next frame's main-thread rendering (style, layout, paint:
//      a message posted from that frame's requestAnimationFrame callback) — the shapes are on screen
//      then; the start of that frame (the rAF callback) is shown too (target: one frame, 16 ms).
//  (b) frames/s while dragging a node in a 500-node graph (all nodes on screen), from
//      requestAnimationFrame timestamps inside the page (target ≥ 50).
//  (c) float preview of the DCGAN example after an edit (a rename: every layer runs again): the run's time
//      as the status line shows it (from the run's start to every result back from the workers), wall time
//      from the edit to the result in the DOM and to the end of the next frame's rendering, when the
//      result (status and heatmaps) is on screen (target < 50 ms).
// `npm run bench -- canvas`; TESSERA_BENCH_SKIP_BUILD=1 reuses the last renderer build,
// TESSERA_BENCH_CASES=ab runs some cases only, TESSERA_BENCH_PROFILE=1 prints CPU profiles of (a) and (b).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { BenchSuite } from './harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface GraphNodeJson {
  id: string;
  type: string;
  name: string;
  params: Record<string, unknown>;
  position: { x: number; y: number };
}

/** Input → (Conv2D 3×3 same → ReLU)… as a chain of `count` nodes laid out in a grid. */
export function chainGraph(count: number): {
  version: 1;
  nodes: GraphNodeJson[];
  edges: {
    id: string;
    source: string;
    sourcePort: number;
    target: string;
    targetPort: number;
  }[];
} {
  const cols = Math.ceil(Math.sqrt(count * 1.6));
  const nodes: GraphNodeJson[] = [];
  for (let i = 0; i < count; i++) {
    const position = { x: (i % cols) * 230, y: Math.floor(i / cols) * 150 };
    if (i === 0)
      nodes.push({
        id: 'in',
        type: 'Input',
        name: 'in',
        params: { shape: [1, 8, 8, 4], dataFormat: 'NXC' },
        position,
      });
    else if (i % 2 === 1)
      nodes.push({
        id: `c${i}`,
        type: 'Conv2D',
        name: `conv${i}`,
        params: {
          filters: 4,
          kernel: [3, 3],
          autoPad: 'same_upper',
          dataFormat: 'NXC',
          bias: true,
        },
        position,
      });
    else
      nodes.push({
        id: `r${i}`,
        type: 'ReLU',
        name: `relu${i}`,
        params: {},
        position,
      });
  }
  const edges = nodes.slice(1).map((n, i) => ({
    id: `e${i}`,
    source: nodes[i].id,
    sourcePort: 0,
    target: n.id,
    targetPort: 0,
  }));
  return { version: 1, nodes, edges };
}

const settings = {
  tensorLayout: 'NHWC',
  paddingConvention: 'keras',
  defaultPrecision: 'ap_fixed<16,6>',
  weightSeed: 1,
  previewAutoRun: false,
  autosaveSeconds: 0,
  ui: {},
};

export async function startServe(port: number): Promise<{ child: ChildProcess; url: string; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  const env = {
    ...process.env,
    TESSERA_USER_DATA: path.join(dataDir, 'user'),
    TESSERA_PROJECTS_DIR: path.join(dataDir, 'projects'),
  };
  const child = spawn(process.execPath, [path.join(root, 'bin/tessera.mjs'), 'serve', '--port', String(port), '--no-open'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('tessera serve did not print its URL within 60 s')), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /https?:\/\/[^\s"']+token=[^\s"']+/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`tessera serve exited (${code}) before printing its URL`)));
  });
  return { child, url, dataDir };
}

/**
 * What a browser bench needs: the renderer built (unless TESSERA_BENCH_SKIP_BUILD=1), serve mode on a free
 * port and Debian's Chromium; close() stops both and removes the server's data folder.
 */
export async function startBrowserBench(): Promise<{ url: string; browser: Browser; close(): Promise<void> }> {
  if (process.env.TESSERA_BENCH_SKIP_BUILD !== '1') {
    const b = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('building the renderer failed (vite build -c vite.renderer.config.ts)');
  }
  const { child, url, dataDir } = await startServe(41900 + Math.floor(Math.random() * 80));
  const browser = await chromium.launch({
    executablePath: process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A plain-text table: a title line, the header, a rule, the rows (columns padded to their widest cell). */
export function printTextTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export async function api(url: string, channel: string, body: unknown): Promise<any> {
  const u = new URL(url);
  const res = await fetch(`${u.origin}/api/${channel}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tessera-token': u.searchParams.get('token') ?? '',
    },
    body: JSON.stringify(body),
  });
  const j = (await res.json()) as any;
  if (!j.ok) throw new Error(`${channel}: ${j.error?.message}`);
  return j.result;
}

/** A project file holding `graph`, closed again so the page can open it from `?project=`. */
async function projectFile(url: string, name: string, graph: unknown): Promise<string> {
  const info = await api(url, 'project.new', {
    name,
    doc: { graph, weights: {}, settings, previewInputs: [] },
  });
  await api(url, 'project.close', { projectId: info.projectId });
  return info.path as string;
}

async function openInPage(page: Page, url: string, file: string, nodes: number): Promise<void> {
  await page.goto(`${url}&project=${encodeURIComponent(file)}`);
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length >= n, nodes, { timeout: 120_000 });
  await page.waitForTimeout(800); // fitView and first measurements settle
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** (a): type a new Input shape; time until every edge label shows it (sync DOM) and the next frame. */
async function editToShapes(page: Page, reps: number): Promise<{ dom: number; frame: number; painted: number; edges: number }> {
  // Select the Input while the whole graph is in view, then zoom in (around the centre) until labels
  // are drawn (below DETAIL_ZOOM the canvas shows compact nodes without labels). Nodes and labels
  // off screen are not rendered (React Flow's onlyRenderVisibleElements, above 100 nodes): the edit
  // must update every label that is in the page.
  await page.locator('[data-testid="node-in"]').dispatchEvent('click');
  await page.locator('[data-testid="field-shape"]').waitFor();
  for (let i = 0; i < 12; i++) {
    const zoom = await page.evaluate(() => {
      const m = /scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? '');
      return m ? Number(m[1]) : 1;
    });
    if (zoom >= 0.5) break;
    await page.locator('.react-flow__controls-zoomin').click();
    await page.waitForTimeout(250);
  }
  const dom: number[] = [];
  const frame: number[] = [];
  const painted: number[] = [];
  const cdp = process.env.TESSERA_BENCH_PROFILE === '1' ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const tracing = await startTrace(page, 'edit');
  let edges = 0;
  for (let i = 0; i < reps; i++) {
    const h = 9 + (i % 2);
    const r = await page.evaluate(async (height) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="field-shape"]')!;
      input.focus();
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const want = `1×${height}×8×4`;
      const labels = () => [...document.querySelectorAll('[data-testid="edge-shape"]')];
      const done = () => labels().every((l) => (l.textContent ?? '').startsWith(want));
      return await new Promise<{ dom: number; frame: number; painted: number; edges: number }>((resolve) => {
        const t0 = performance.now();
        performance.mark('edit');
        setter.call(input, `1, ${height}, 8, 4`);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const check = () => {
          if (done()) {
            const t1 = performance.now();
            // The next frame starts (rAF), then renders (style, layout, paint); a message posted from
            // the rAF callback is handled after that frame's main-thread rendering is done.
            requestAnimationFrame(() => {
              const frame = performance.now() - t0;
              const ch = new MessageChannel();
              ch.port1.onmessage = () =>
                resolve({
                  dom: t1 - t0,
                  frame,
                  painted: performance.now() - t0,
                  edges: labels().length,
                });
              ch.port2.postMessage(0);
            });
          } else requestAnimationFrame(check);
        };
        check();
      });
    }, h);
    dom.push(r.dom);
    frame.push(r.frame);
    painted.push(r.painted);
    edges = r.edges;
    await page.waitForTimeout(100);
  }
  await tracing?.stopTracing();
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 'edit');
  return { dom: median(dom), frame: median(frame), painted: median(painted), edges };
}

/** TESSERA_BENCH_TRACE=DIR: a Chrome trace (DIR/<what>-trace.json, for DevTools' Performance panel); edits are marked 'edit'. */
async function startTrace(page: Page, what: string): Promise<{ stopTracing(): Promise<unknown> } | null> {
  const dir = process.env.TESSERA_BENCH_TRACE;
  const browser = page.context().browser();
  if (!dir || !browser) return null;
  fs.mkdirSync(dir, { recursive: true });
  await browser.startTracing(page, {
    path: path.join(dir, `${what}-trace.json`),
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute'],
  });
  return browser;
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
}

/** TESSERA_BENCH_PROFILE=1: the functions with the most self time during the edits / the drag. */
function printProfile(p: CpuProfile, what: string): void {
  // TESSERA_BENCH_PROFILE_DIR=DIR also keeps the raw profile (DIR/<what>.cpuprofile, for DevTools).
  const dir = process.env.TESSERA_BENCH_PROFILE_DIR;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${what}.cpuprofile`), JSON.stringify(p));
  }
  const count = new Map<number, number>();
  for (const s of p.samples) count.set(s, (count.get(s) ?? 0) + 1);
  const self = new Map<string, number>();
  for (const n of p.nodes) {
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (count.get(n.id) ?? 0));
  }
  const total = p.samples.length;
  console.log(`${what} profile (${total} samples, self time):`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

/** (b): drag one node for ~2 s in small steps; frames/s from rAF timestamps in the page. */
async function dragFps(page: Page): Promise<{ fps: number; p95: number; moves: number }> {
  await page.keyboard.press('Escape');
  const box = await page.locator('.react-flow__node').nth(250).boundingBox();
  if (!box) throw new Error('node 250 is not on screen');
  const x0 = box.x + box.width / 2;
  const y0 = box.y + box.height / 2;
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const cdp = process.env.TESSERA_BENCH_PROFILE === '1' ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  const start = Date.now();
  let moves = 0;
  while (Date.now() - start < 2000) {
    moves++;
    await page.mouse.move(x0 + 120 * Math.sin(moves / 10), y0 + 60 * Math.cos(moves / 13));
  }
  await page.mouse.up();
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 'drag');
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  const gaps = frames
    .slice(1)
    .map((t, i) => t - frames[i])
    .sort((a, b) => a - b);
  const fps = (frames.length - 1) / ((frames[frames.length - 1] - frames[0]) / 1000);
  return { fps, p95: gaps[Math.floor(gaps.length * 0.95)] ?? NaN, moves };
}

/** (c): DCGAN example; edit the first layer's name (a structural edit) and time the preview. */
async function dcganPreview(page: Page, reps: number): Promise<{ engine: number; wall: number; painted: number }> {
  await page.getByTestId('preview-status').filter({ hasText: 'ms' }).waitFor({ timeout: 60_000 });
  const nodes = page.locator('.react-flow__node');
  await nodes.nth(1).click();
  const engine: number[] = [];
  const wall: number[] = [];
  const painted: number[] = [];
  const tracing = await startTrace(page, 'preview');
  for (let i = 0; i < reps; i++) {
    const r = await page.evaluate(async (k) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="field-name"]')!;
      input.focus();
      const status = document.querySelector('[data-testid="preview-status"]')!;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const base = input.value.replace(/_b\d+$/, '');
      return await new Promise<{ engine: number; wall: number; painted: number }>((resolve) => {
        let sawRunning = false;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          const text = status.textContent ?? '';
          if (text.startsWith('running')) sawRunning = true;
          else if (sawRunning && /ms$/.test(text)) {
            obs.disconnect();
            const t1 = performance.now();
            requestAnimationFrame(() => {
              const ch = new MessageChannel();
              ch.port1.onmessage = () => resolve({ engine: Number.parseFloat(text), wall: t1 - t0, painted: performance.now() - t0 });
              ch.port2.postMessage(0);
            });
          }
        });
        obs.observe(status, {
          childList: true,
          characterData: true,
          subtree: true,
        });
        performance.mark('edit');
        setter.call(input, `${base}_b${k}`);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    }, i);
    engine.push(r.engine);
    wall.push(r.wall);
    painted.push(r.painted);
    await page.waitForTimeout(150);
  }
  await tracing?.stopTracing();
  return { engine: median(engine), wall: median(wall), painted: median(painted) };
}

export const canvasBench: BenchSuite = {
  name: 'canvas',
  async run() {
    const { url, browser, close } = await startBrowserBench();
    try {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 850 },
      });
      // tsx names functions with an __name helper that the page does not have.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      const rows: string[][] = [];

      const only = process.env.TESSERA_BENCH_CASES ?? 'abc';
      if (only.includes('a')) {
        const f200 = await projectFile(url, 'bench-200', chainGraph(200));
        await openInPage(page, url, f200, 200);
        const a = await editToShapes(page, 11);
        rows.push(['(a) edit → shapes, 200 nodes', `${a.dom.toFixed(1)} ms DOM updated · ${a.painted.toFixed(1)} ms next frame painted (starts at ${a.frame.toFixed(1)} ms; ${a.edges} edge labels)`, '≤ 16 ms']);
      }
      if (only.includes('b')) {
        const f500 = await projectFile(url, 'bench-500', chainGraph(500));
        await openInPage(page, url, f500, 500);
        const b = await dragFps(page);
        rows.push(['(b) drag, 500 nodes on screen', `${b.fps.toFixed(1)} frames/s (p95 frame ${b.p95.toFixed(1)} ms, ${b.moves} mouse moves)`, '≥ 50 fps']);
        // The same without the minimap (Ctrl+Shift+M), to show what it costs.
        await page.keyboard.press('Control+Shift+M');
        await page.locator('.react-flow__minimap').waitFor({ state: 'detached' });
        const b2 = await dragFps(page);
        rows.push(['(b) same, minimap hidden', `${b2.fps.toFixed(1)} frames/s (p95 frame ${b2.p95.toFixed(1)} ms, ${b2.moves} mouse moves)`, '≥ 50 fps']);
      }
      if (only.includes('c')) {
        const ex = await api(url, 'examples.open', {
          id: 'dcgan-generator',
        }).catch(async () => {
          const list = await api(url, 'examples.list', {});
          return api(url, 'examples.open', {
            id: list.items.find((e: { id: string }) => /dcgan/i.test(e.id)).id,
          });
        });
        await api(url, 'project.close', { projectId: ex.projectId });
        await openInPage(page, url, ex.path, 5);
        const c = await dcganPreview(page, 7);
        rows.push(['(c) DCGAN float preview after an edit', `${c.engine.toFixed(1)} ms run · edit → result ${c.wall.toFixed(1)} ms in the DOM, ${c.painted.toFixed(1)} ms painted`, '< 50 ms']);
      }

      printTextTable(`Canvas (Chromium ${browser.version()}, serve mode; shared machine, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`, ['case', 'measured', 'target'], rows);
    } finally {
      await close();
    }
  },
};
