// A seeded, bounded fuzz of serve mode (issue 12): random methods, paths, headers and bodies — some over
// the raw socket, so the request line itself can be malformed — and after each one the server must answer
// an ordinary API call. Every answer is a status line (never a dropped connection without one, except
// where the request itself was not HTTP), and never a 5xx for a request the client got wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppServices } from '../api/services';
import { channels } from '../../api/contract';
import { resolveAppDirs } from '../services/store';
import { startServer, type RunningServer } from './server';
import { seededRandom } from '../../engine/tensor/tensor';

const SEED = 20_240_512;
const REQUESTS = 600;

/** The engine's seeded generator (mulberry32), so a failure replays exactly. */
const rng = seededRandom;

let dir: string;
let services: AppServices;
let server: RunningServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-serve-fuzz-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>fuzz</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'do not serve me');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));
  services = new AppServices({ mode: 'serve', dirs: resolveAppDirs({ userDataDir: path.join(dir, 'user'), projectsDir: path.join(dir, 'projects') }), examplesDir: path.join(dir, 'none'), version: '0.0.0' });
  server = await startServer({ services, rendererDir, maxBodyBytes: 256 * 1024 });
});

afterAll(async () => {
  await server?.close();
  services?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
}

describe('serve mode fuzz', () => {
  it(`${REQUESTS} seeded random requests, each followed by a normal call that must be answered`, async () => {
    const r = rng(SEED);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const int = (n: number) => Math.floor(r() * n);
    const randText = (n: number, alphabet?: string) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet ? alphabet[int(alphabet.length)] : String.fromCharCode(int(r() < 0.9 ? 128 : 0x3000));
      return s;
    };
    const segments = ['', '.', '..', '%2e%2e', '..%2f', '%00', '%zz', '%E0%A4%A', '%ff', 'assets', 'app.js', 'link.txt', 'index.html', 'api', 'events', '~', '%5c', '\\', '%0a',
      () => 'x'.repeat(200 + int(400)), () => randText(1 + int(12), 'abc%/.~-_0123456789ABCDEFxyz'), () => encodeURIComponent(randText(1 + int(6)))] as const;
    const segment = () => {
      const s = pick(segments);
      return typeof s === 'function' ? s() : s;
    };
    const paths = () => {
      const kind = int(4);
      if (kind === 0) return `/api/${pick(channels)}`;
      if (kind === 1) return `/api/${segment()}`;
      return `/${Array.from({ length: 1 + int(4) }, segment).join('/')}${r() < 0.2 ? `?token=${pick(['', server.token, 'x', '%zz'])}` : ''}`;
    };
    const bodies = () => {
      const kind = int(9);
      if (kind === 0) return '';
      if (kind === 1) return '{}';
      if (kind === 2) return randText(int(200));
      if (kind === 3) return `${'['.repeat(50 + int(5000))}${']'.repeat(int(3) === 0 ? 0 : 5050)}`;
      if (kind === 4) return 'x'.repeat(200_000 + int(200_000));
      if (kind === 5) return JSON.stringify({ projectId: randText(int(20)), path: path.join(dir, 'projects', `${randText(1 + int(8), 'abc')}.tessera`) });
      if (kind === 6) return JSON.stringify({ name: randText(1 + int(30)), config: { io: pick(['io_parallel', 'io_stream', 3]), cxxFlags: [pick(['-O2', '-wrapper', '@/etc/passwd', randText(5)])] } });
      if (kind === 7) {
        let v: unknown = 1;
        for (let d = int(100); d > 0; d--) v = r() < 0.5 ? [v] : { projectId: v };
        return JSON.stringify(v);
      }
      return Buffer.from(Array.from({ length: int(500) }, () => int(256))).toString('latin1');
    };
    const headerSets = () => {
      const h: Record<string, string> = {};
      if (r() < 0.85) h['x-tessera-token'] = pick([server.token, server.token, '', 'f'.repeat(64), randText(10, 'abc')]);
      if (r() < 0.85) h['content-type'] = pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'APPLICATION/JSON', '', 'multipart/form-data']);
      if (r() < 0.2) h.cookie = pick([`tessera_token=${server.token}`, 'tessera_token=%zz', '=;;=', randText(20, 'a=;% ')]);
      if (r() < 0.15) h.origin = pick(['http://evil.example', server.url.replace(/\/$/, ''), 'null', '']);
      if (r() < 0.1) h.host = pick(['evil.example', `127.0.0.1:${server.port}`, 'localhost']);
      if (r() < 0.05) h['content-length'] = pick(['-1', '99999999999', 'abc']);
      return h;
    };

    const httpRequest = (method: string, target: string, headers: Record<string, string>, body: string): Promise<Answer | string> =>
      new Promise((resolve) => {
        let req: http.ClientRequest;
        try {
          req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { host: `127.0.0.1:${server.port}`, ...headers }, timeout: 10_000, agent: false }, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', (e) => resolve(`response error ${e.message}`));
          });
        } catch (e) {
          resolve(`client refused: ${(e as Error).message}`); // node's client refuses some invalid headers itself
          return;
        }
        req.on('error', (e) => resolve(`request error ${e.message}`));
        req.on('timeout', () => resolve('timeout'));
        req.end(method === 'GET' || method === 'HEAD' ? undefined : body);
      });

    const rawRequest = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.end(text));
        let out = '';
        s.setTimeout(10_000, () => s.destroy());
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });

    const stats = { requests: 0, raw: 0, byStatus: {} as Record<string, number>, clientRefused: 0 };
    for (let i = 0; i < REQUESTS; i++) {
      const useRaw = r() < 0.15;
      let what: string;
      if (useRaw) {
        const line = pick([
          `${pick(['GET', 'POST', 'FOO', '', 'G ET'])} ${paths()} HTTP/1.1`,
          `GET ${paths()} HTTP/9.9`,
          randText(int(80)),
          `GET /${'a'.repeat(70_000)} HTTP/1.1`,
          `POST /api/app.info HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked`,
        ]);
        const text = `${line}\r\nHost: 127.0.0.1:${server.port}\r\n${r() < 0.5 ? `X-Tessera-Token: ${server.token}\r\n` : ''}\r\n${bodies().slice(0, 2000)}`;
        what = JSON.stringify(text.slice(0, 120));
        const out = await rawRequest(text);
        stats.raw++;
        if (out) {
          const status = /^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 'no status line';
          stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
          expect(status, what).toMatch(/^[1-5]\d\d$/);
        }
      } else {
        const method = pick(['GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
        const target = paths();
        const body = bodies();
        what = `${method} ${target.slice(0, 100)} (${body.length} bytes)`;
        const a = await httpRequest(method, target, headerSets(), body);
        if (typeof a === 'string') {
          if (a.startsWith('client refused')) stats.clientRefused++;
          else expect.fail(`${what}: ${a}`);
        } else {
          stats.requests++;
          stats.byStatus[a.status] = (stats.byStatus[a.status] ?? 0) + 1;
          expect(a.status, what).toBeGreaterThanOrEqual(200);
          expect(a.body, what).not.toContain('do not serve me');
          if (a.status >= 500) expect([500, 501, 503], `${what}: ${a.body}`).toContain(a.status);
          if (a.status === 500) expect.fail(`${what} answered 500: ${a.body}`);
        }
      }
      const ok = await httpRequest('POST', '/api/app.info', { 'content-type': 'application/json', 'x-tessera-token': server.token }, '{}');
      expect(typeof ok === 'string' ? ok : ok.status, `after ${what}`).toBe(200);
    }
    console.log(`serve fuzz (seed ${SEED}): ${stats.requests} HTTP + ${stats.raw} raw requests, ${stats.clientRefused} refused by the client; answers by status ${JSON.stringify(stats.byStatus)}`);
    expect(stats.requests + stats.raw + stats.clientRefused).toBe(REQUESTS);
  }, 60_000);
});
