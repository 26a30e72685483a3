import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_GRAPH_VERSION } from '../../engine/graph/schema';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { AppServices } from '../api/services';
import { channels } from '../../api/contract';
import { resolveAppDirs } from '../services/store';
import { randomTensor } from '../../engine/tensor/tensor';
import { startServer, type RunningServer } from './server';

let dir: string;
let services: AppServices;
let server: RunningServer;
let rendererDir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-serve-'));
  rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Tessera test page</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'do not serve me');
  const dirs = resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') });
  services = new AppServices({ mode: 'serve', dirs, examplesDir: path.join(dir, 'no-examples'), version: '9.9.9' });
  server = await startServer({ services, rendererDir });
});

afterAll(async () => {
  await server?.close();
  services?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api(channel: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tessera-token': server.token, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('serve mode', () => {
  it('binds 127.0.0.1 with a long random token, and refuses other hosts without the explicit flag', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.urlWithToken).toBe(`${server.url}?token=${server.token}`);
    await expect(startServer({ services, rendererDir, host: '0.0.0.0' })).rejects.toThrow(/--allow-remote/);
    await expect(startServer({ services, rendererDir, port: server.port })).rejects.toThrow(new RegExp(`port ${server.port} on 127.0.0.1 is in use; pick another with --port`));
  });

  it('answers 401 on every /api/ route without the token or with a wrong one', async () => {
    const routes = [...channels.map((c) => `api/${c}`), 'api/', 'api/no-such-thing', 'api/events'];
    for (const r of routes) {
      for (const headers of [{}, { 'x-tessera-token': 'f'.repeat(64) }, { cookie: 'tessera_token=nope' }] as Record<string, string>[]) {
        const post = await fetch(`${server.url}${r}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
        expect(post.status, `${r} ${JSON.stringify(headers)}`).toBe(401);
        expect((await post.json()).error.code).toBe('unauthorized');
      }
      const get = await fetch(`${server.url}${r}`);
      expect(get.status, r).toBe(401);
    }
    // The cookie set by the page load of the printed URL works.
    const ok = await fetch(`${server.url}api/app.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tessera_token=${server.token}` },
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });

  it('sets the token cookie on the first page load and serves the renderer with a CSP, nothing outside it', async () => {
    const page = await fetch(server.urlWithToken);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tessera test page');
    expect(page.headers.get('set-cookie')).toBe(`tessera_token=${server.token}; HttpOnly; SameSite=Strict; Path=/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${server.url}?token=wrong`)).status).toBe(401);
    expect((await fetch(`${server.url}assets/app.js`)).headers.get('content-type')).toContain('javascript');
    for (const p of ['..%2fsecret.txt', '%2e%2e/secret.txt', 'assets/..%2f..%2fsecret.txt']) {
      const r = await fetch(`${server.url}${p}`);
      expect(await r.text()).not.toContain('do not serve me');
    }
  });

  it('refuses a foreign Origin and a foreign Host', async () => {
    const foreign = await api('app.info', {}, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toMatch(/Origin http:\/\/evil\.example/);
    const sameOrigin = await api('app.info', {}, { origin: server.url.replace(/\/$/, '') });
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.json.result).toMatchObject({ mode: 'serve', version: '9.9.9', nativeDialogs: false });
    // DNS rebinding: a page on attacker.example resolving to 127.0.0.1 sends Host: attacker.example
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, path: '/api/app.info', method: 'POST', headers: { host: 'attacker.example', 'content-type': 'application/json', 'x-tessera-token': server.token } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('rejects wrong types, extra fields, non-JSON and unknown channels with clear errors', async () => {
    const wrong = await api('project.open', { path: 42 });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 'bad-request' });
    expect(wrong.json.error.message).toMatch(/invalid request for project\.open: path: .*expected string/);
    const extra = await api('project.new', { name: 'x', sneaky: true });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/Unrecognized key: "sneaky"/);
    const nested = await api('settings.set', { projectId: 'p', patch: { tensorLayout: 'HWCN' } });
    expect(nested.json.error.message).toMatch(/patch\.tensorLayout/);
    const notJson = await api('app.info', '{oops');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/not valid JSON/);
    const form = await fetch(`${server.url}api/app.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tessera-token': server.token },
      body: 'a=1',
    });
    expect(form.status).toBe(400);
    const unknown = await api('project.delete', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/unknown API channel "project\.delete"/);
  });

  it('round trip over HTTP: new project → save → close → open → load, with an event pushed over WebSocket', async () => {
    const wsUrl = `${server.url.replace('http', 'ws')}api/events`;
    // WebSocket without token or with a foreign Origin is refused.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('error'));
    });
    expect(refused).toBe('401');
    const foreign = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${wsUrl}?token=${server.token}`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
    });
    expect(foreign).toBe('403');
    const ws = new WebSocket(`${wsUrl}?token=${server.token}`);
    await new Promise((r) => ws.on('open', r));
    const events: any[] = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m))));

    const created = await api('project.new', { name: 'Round trip' });
    expect(created.status).toBe(200);
    const info = created.json.result;
    expect(info.path).toBe(path.join(dir, 'projects', 'Round trip.tessera'));
    const w = randomTensor([4, 3, 2, 2], 31);
    const doc = {
      graph: {
        version: CURRENT_GRAPH_VERSION,
        nodes: [
          { id: 'in', type: 'Input', name: 'x', params: { shape: [1, 3, 8, 8] }, position: { x: 1, y: 2 } },
          { id: 'up', type: 'ConvTranspose2D', name: 'up', params: { filters: 2, kernel: [2, 2], stride: [2, 2] } },
        ],
        edges: [{ id: 'e', source: 'in', sourcePort: 0, target: 'up', targetPort: 0 }],
      },
      weights: { up: { weight: { dtype: 'float32', shape: [4, 3, 2, 2], layout: 'IOHW', dataBase64: Buffer.from(w.data.buffer).toString('base64') } } },
      settings: { tensorLayout: 'NCHW', paddingConvention: 'pytorch', defaultPrecision: 'ap_fixed<8,3>', weightSeed: 5, previewAutoRun: false, autosaveSeconds: 0, ui: { zoom: 2 } },
      previewInputs: [{ kind: 'constant', nodeId: 'in', value: 0.25 }],
    };
    const saved = await api('project.save', { projectId: info.projectId, doc });
    expect(saved.status).toBe(200);
    expect((await api('project.close', { projectId: info.projectId })).json.result).toEqual({ ok: true });
    expect((await api('project.load', { projectId: info.projectId })).json.error.code).toBe('not-found');

    const opened = await api('project.open', { path: info.path });
    expect(opened.status).toBe(200);
    const again = await api('project.open', { path: info.path });
    expect(again.json.result.projectId).toBe(opened.json.result.projectId);
    expect(again.json.result.alreadyOpen).toBe(true);
    expect(opened.json.result.alreadyOpen).toBeUndefined();
    const loaded = await api('project.load', { projectId: opened.json.result.projectId });
    expect(loaded.json.result).toEqual(doc);
    const bytes = Buffer.from(loaded.json.result.weights.up.weight.dataBase64, 'base64');
    const back = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(Array.from(back)).toEqual(Array.from(w.data));
    const recent = await api('project.recent', {});
    expect(recent.json.result.items[0]).toMatchObject({ path: info.path, name: 'Round trip', exists: true });
    const list = await api('project.list', {});
    expect(list.json.result.items.map((i: any) => i.name)).toContain('Round trip');

    const patched = await api('settings.set', { projectId: opened.json.result.projectId, patch: { weightSeed: 77 } });
    expect(patched.json.result).toMatchObject({ weightSeed: 77, tensorLayout: 'NCHW' });

    const foreignFile = path.join(dir, 'projects', 'foreign.tessera');
    fs.writeFileSync(foreignFile, 'just text');
    const notProject = await api('project.open', { path: foreignFile });
    expect(notProject.status).toBe(422);
    expect(notProject.json.error).toMatchObject({ code: 'not-a-project' });
    expect(fs.readFileSync(foreignFile, 'utf8')).toBe('just text');

    await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.type === 'project.saved' && e.projectId === info.projectId)).toBe(true);
    expect(events.some((e) => e.type === 'project.closed' && e.projectId === info.projectId)).toBe(true);
    ws.close();
  });
});

describe('tessera serve command', () => {
  it('prints its URL with the token in its first lines and stops on SIGTERM', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(
      process.execPath,
      ['bin/tessera.mjs', 'serve', '--no-open', '--port', '0', '--user-data', path.join(dir, 'u2'), '--projects-dir', path.join(dir, 'p2')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(out.split('\n').slice(0, 3).join('\n'));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    const token = new URL(url).searchParams.get('token')!;
    const base = url.split('?')[0];
    const res = await fetch(`${base}api/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tessera-token': token }, body: '{}' });
    expect((await res.json()).result.projectsDir).toBe(path.join(dir, 'p2'));
    expect((await fetch(`${base}api/app.info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    child.removeAllListeners('exit');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 60_000);

  it('tessera start without Electron falls back to serve mode with an example open', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(
      process.execPath,
      ['bin/tessera.mjs', 'start', '--no-open', '--user-data', path.join(dir, 'u3'), '--projects-dir', path.join(dir, 'p3')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: '' } },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no project URL printed: ${out}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (/&example=/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/Electron is not installed.*serve mode/);
    expect(lines[1]).toMatch(/^Tessera serve mode: http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    // The page opens the example read-only; nothing is copied into the projects folder.
    expect(/&example=([^\s&]+)/.exec(out)![1]).toBe('dcgan-generator');
    expect(fs.existsSync(path.join(dir, 'p3')) ? fs.readdirSync(path.join(dir, 'p3')) : []).toEqual([]);
  }, 60_000);

  it('serve --project with a file that is not a project says so in one line', async () => {
    const { main } = await import('../cli/main');
    const bad = path.join(dir, 'bad.tessera');
    fs.writeFileSync(bad, 'not sqlite');
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await main(['serve', '--no-open', '--project', bad])).toBe(1);
    } finally {
      console.error = orig;
    }
    expect(errors).toEqual([expect.stringMatching(/^tessera serve: bad\.tessera is not a Tessera project \(not an SQLite database\)/)]);
  });

  it('refuses a non-loopback host without --allow-remote', async () => {
    const { main } = await import('../cli/main');
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await main(['serve', '--host', '0.0.0.0', '--no-open'])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors.join('\n')).toMatch(/--allow-remote/);
  });
});
