// Issue 12, reproducer 2: one unauthenticated request stopped `tessera serve` (GET /%00, a 300-character
// path segment), links inside the renderer folder were followed out of it, JSON nested 10 000 deep gave a
// 500 and a body over the limit reset the connection. Each is a request here, followed by one that must
// still be answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from '../api/services';
import { resolveAppDirs } from '../services/store';
import { resolveAppFile, APP_ORIGIN } from '../main/app-protocol';
import { startServer, jsonTooDeep, type RunningServer } from './server';
import { lookupRendererFile } from './static';

let dir: string;
let rendererDir: string;
let services: AppServices;
let server: RunningServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-serve-hard-'));
  rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Tessera test page</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.mkdirSync(path.join(dir, 'outside'));
  fs.writeFileSync(path.join(dir, 'outside', 'secret.txt'), 'do not serve me');
  fs.symlinkSync(path.join(dir, 'outside', 'secret.txt'), path.join(rendererDir, 'assets', 'leak.txt'));
  fs.symlinkSync(path.join(dir, 'outside'), path.join(rendererDir, 'assets', 'outdir'));
  fs.symlinkSync(path.join(rendererDir, 'assets', 'app.js'), path.join(rendererDir, 'alias.js'));
  services = new AppServices({ mode: 'serve', dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }), examplesDir: path.join(dir, 'none'), version: '0.0.0' });
  server = await startServer({ services, rendererDir, maxBodyBytes: 1024 * 1024 });
});

afterAll(async () => {
  await server?.close();
  services?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw request (no client-side URL normalisation): status and body. */
function raw(method: string, target: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const api = (channel: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  raw('POST', `/api/${channel}`, { 'content-type': 'application/json', 'x-tessera-token': server.token, ...headers }, body);

async function stillAnswers(): Promise<void> {
  const r = await api('app.info', '{}');
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body).result.mode).toBe('serve');
}

describe('serve mode survives hostile requests', () => {
  it('NUL, bad %-encodings, over-long segments and control characters get 400, and the server goes on', async () => {
    for (const p of ['/%00', '/index.html%00.js', `/${'a'.repeat(300)}`, `/assets/${'b'.repeat(300)}.js`, '/%E0%A4%A', '/%zz', '/a%0ab', '/..%5c..%5csecret.txt', `/${'c/'.repeat(1100)}`]) {
      const r = await raw('GET', p);
      expect(r.status, p).toBe(400);
      await stillAnswers();
    }
    expect((await api('%zz', '{}')).status).toBe(400);
    await stillAnswers();
  });

  it('links inside the renderer folder do not lead out of it; a link inside it is served', async () => {
    for (const p of ['/assets/leak.txt', '/assets/outdir/secret.txt']) {
      const r = await raw('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('do not serve me');
    }
    // A folder without index.html is a client-side route: the app's page, never the linked folder's files.
    expect((await raw('GET', '/assets/outdir/')).body).toContain('Tessera test page');
    expect((await raw('GET', '/alias.js')).body).toBe('console.log(1)');
    expect((await raw('GET', '/assets/app.js')).body).toBe('console.log(1)');
    // The same lookup serves the Electron app's tessera:// protocol.
    expect(resolveAppFile(rendererDir, `${APP_ORIGIN}/assets/leak.txt`)).toBeNull();
    expect(resolveAppFile(rendererDir, `${APP_ORIGIN}/assets/outdir/secret.txt`)).toBeNull();
    expect(resolveAppFile(rendererDir, `${APP_ORIGIN}/%00`)).toBeNull();
    expect(resolveAppFile(rendererDir, `${APP_ORIGIN}/${'a'.repeat(300)}`)).toBeNull();
    expect(resolveAppFile(rendererDir, `${APP_ORIGIN}/alias.js`)).toBe(fs.realpathSync(path.join(rendererDir, 'assets', 'app.js')));
    expect(lookupRendererFile(path.join(dir, 'no-such-folder'), '/')).toEqual({ ok: false, why: 'no-index' });
  });

  it('JSON nested 10 000 deep gets 400 with a message, over HTTP and in process', async () => {
    const deep = `{"projectId":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const r = await api('project.load', deep);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.message).toMatch(/nests arrays and objects deeper than 64 levels/);
    let v: unknown = 1;
    for (let i = 0; i < 10_000; i++) v = { a: v };
    const inProcess = await services.call('settings.set', { projectId: 'p', patch: { ui: v } });
    expect(inProcess).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(jsonTooDeep('{"a":"[[[[[[[[\\"[[["}', 3)).toBe(false);
    expect(jsonTooDeep('[[[[]]]]', 3)).toBe(true);
    await stillAnswers();
  });

  it('a body over the limit gets 413 with a message, declared or chunked', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const declared = await api('app.info', big);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.message).toMatch(/request body is larger than 1048576 bytes/);
    await stillAnswers();
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/app.info', headers: { 'content-type': 'application/json', 'x-tessera-token': server.token, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 6; i++) req.write(Buffer.alloc(512 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    await stillAnswers();
  });

  it('bad cookies, malformed request lines and a throwing handler are answered, never fatal', async () => {
    expect((await api('app.info', '{}', { 'x-tessera-token': '', cookie: 'tessera_token=%E0%A4%A' })).status).toBe(401);
    await stillAnswers();
    const garbage = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.end('GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'));
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('close', () => resolve(text));
      s.on('error', () => resolve(text));
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    const ws = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () =>
        s.write(`GET /api/events?token=%zz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nCookie: tessera_token=%zz\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
      );
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('close', () => resolve(text));
    });
    expect(ws).toMatch(/^HTTP\/1\.1 401/);
    await stillAnswers();

    const throwing = { call: () => Promise.reject(new Error('boom')), onEvent: () => () => undefined } as unknown as AppServices;
    const other = await startServer({ services: throwing, rendererDir });
    try {
      const res = await fetch(`${other.url}api/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tessera-token': other.token }, body: '{}' });
      expect(res.status).toBe(500);
      expect((await res.json()).error.message).toBe('internal error: boom');
      expect((await fetch(other.url)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
