// Serve mode: the renderer and the API over HTTP + WebSocket, on 127.0.0.1 by default.
//
// Security: a random token is required for everything under /api/ (cookie `tessera_token` set by the
// first page load of the printed URL, or the header `X-Tessera-Token`, or `?token=` on the WebSocket);
// requests carrying a foreign Origin, or a Host that is not this server (DNS rebinding), are refused;
// API calls must be JSON POSTs (no simple cross-site form posts). Binding to a non-loopback address
// needs an explicit option and prints a warning (see electron/cli/commands/serve.ts).
//
// Robustness: every request gets an answer and none stops the server. A handler's error becomes a 500
// answer; a URL path with a NUL, a bad %-encoding or an over-long segment gets 400; files come only from
// inside the renderer folder after links are resolved (static.ts); a body over maxBodyBytes (default
// 256 MiB) gets 413 with a message; JSON nested deeper than MAX_REQUEST_DEPTH gets 400.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_REQUEST_DEPTH, type AppServices } from '../api/services';
import type { ApiErrorCode } from '../../api/contract';
import { lookupRendererFile, mimeOf, rendererCsp } from './static';

export interface ServeOptions {
  services: AppServices;
  /** Address to bind; default 127.0.0.1. Anything not loopback requires allowRemote. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes, hex. */
  token?: string;
  /** Folder of the built renderer (index.html + assets); null serves a page saying how to build it. */
  rendererDir: string | null;
  /** Set to bind a non-loopback address. */
  allowRemote?: boolean;
  /** Largest API request body, bytes (default DEFAULT_MAX_BODY_BYTES, 256 MiB: projects carry weights). */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  /** The URL with the token: what users open. */
  urlWithToken: string;
  token: string;
  port: number;
  host: string;
  /** Points the server at a (newly built) renderer folder. */
  setRendererDir(dir: string | null): void;
  close(): Promise<void>;
}

export const TOKEN_COOKIE = 'tessera_token';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;

const STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  locked: 409,
  exists: 409,
  'not-a-project': 422,
  corrupt: 422,
  'newer-schema': 422,
  invalid: 422,
  unsupported: 501,
  io: 500,
  internal: 500,
};

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = safeDecode(part.slice(i + 1).trim()) ?? '';
  }
  return out;
}

/** decodeURIComponent, or null for a bad %-encoding (which must not throw inside a handler). */
function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * True when the JSON text nests arrays / objects deeper than `limit` (scanned before parsing, so a
 * deeply nested body is refused in linear time instead of overflowing a recursive validator).
 */
export function jsonTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(data);
}

function sendError(res: http.ServerResponse, code: ApiErrorCode, message: string): void {
  sendJson(res, STATUS[code], { ok: false, error: { code, message } });
}

function htmlPage(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${esc(title)}</h1><p>${esc(text)}</p></body>`;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(`refusing to bind ${host}: serve mode listens on 127.0.0.1 unless remote access is allowed explicitly (--allow-remote)`);
  }
  const token = options.token ?? crypto.randomBytes(32).toString('hex');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const services = options.services;
  let rendererDir = options.rendererDir;
  let port = 0;
  const allowedHosts = (): Set<string> => {
    const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    if (!isLoopback(host)) hosts.add(`${host}:${port}`);
    return hosts;
  };
  const originOk = (origin: string | undefined, reqHost: string | undefined): boolean => {
    if (origin === undefined) return true; // same-origin GETs and non-browser clients send none
    for (const h of allowedHosts()) if (origin === `http://${h}`) return true;
    return !isLoopback(host) && !!reqHost && origin === `http://${reqHost}`;
  };
  const hostOk = (h: string | undefined): boolean => (h ? allowedHosts().has(h) || !isLoopback(host) : false);
  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    const header = req.headers['x-tessera-token'];
    return (
      sameToken(typeof header === 'string' ? header : undefined, token) ||
      sameToken(parseCookies(req.headers.cookie)[TOKEN_COOKIE], token) ||
      (url.pathname === '/api/events' && sameToken(url.searchParams.get('token'), token))
    );
  };

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!authorized(req, url)) {
      return sendError(res, 'unauthorized', 'missing or wrong token; open the URL that "tessera serve" printed (it carries ?token=…)');
    }
    const channel = safeDecode(url.pathname.slice('/api/'.length));
    if (channel === null) return sendError(res, 'bad-request', 'the API channel in the URL is not valid %-encoding; call /api/<channel> as api/contract.ts names it');
    if (req.method !== 'POST') return sendError(res, 'bad-request', `API calls are POST requests with a JSON body; got ${req.method} /api/${channel}`);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return sendError(res, 'bad-request', `send the request as JSON (content-type: application/json), not "${type || 'none'}"`);
    const tooLarge = () => {
      // Answer first, then read and drop the rest of the upload, so the client gets the answer instead of
      // a reset connection; the connection is closed afterwards.
      sendJson(res, 413, { ok: false, error: { code: 'bad-request', message: `the request body is larger than ${maxBody} bytes, the limit of this server; send less data` } }, { connection: 'close' });
      req.resume();
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) return tooLarge();
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    const text = Buffer.concat(chunks).toString('utf8');
    if (jsonTooDeep(text, MAX_REQUEST_DEPTH)) return sendError(res, 'bad-request', `the request body nests arrays and objects deeper than ${MAX_REQUEST_DEPTH} levels; send the shape api/contract.ts lists`);
    try {
      body = text.trim() ? JSON.parse(text) : {};
    } catch (e) {
      return sendError(res, 'bad-request', `the request body is not valid JSON (${(e as Error).message})`);
    }
    const r = await services.call(channel, body);
    if (r.ok) sendJson(res, 200, r);
    else sendJson(res, STATUS[r.error.code], r);
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': rendererCsp("'self' ws: wss:"),
      'cross-origin-opener-policy': 'same-origin',
    };
    const queryToken = url.searchParams.get('token');
    if (sameToken(queryToken, token)) {
      headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    } else if (queryToken !== null) {
      res.writeHead(401, { ...headers, 'content-type': mimeOf('.html') });
      res.end(htmlPage('Wrong token', 'This link has a wrong token. Open the URL that "tessera serve" printed.'));
      return;
    }
    const dir = rendererDir;
    if (!dir) {
      res.writeHead(503, { ...headers, 'content-type': mimeOf('.html') });
      res.end(htmlPage('Renderer not built', 'The user interface is not built. Run "npx vite build -c vite.renderer.config.ts" in the Tessera folder and start "tessera serve" again.'));
      return;
    }
    const found = lookupRendererFile(dir, url.pathname);
    if (!found.ok) {
      if (found.why === 'bad-path') res.writeHead(400, { ...headers, 'content-type': mimeOf('.txt') }).end('bad path: a URL path without NUL or control characters, valid %-encoding, segments of at most 255 bytes');
      else if (found.why === 'no-file') res.writeHead(404, { ...headers, 'content-type': mimeOf('.txt') }).end('not found');
      else res.writeHead(404).end();
      return;
    }
    const { file, stat } = found;
    const ext = path.extname(file).toLowerCase();
    res.writeHead(200, {
      ...headers,
      'content-type': mimeOf(file),
      'content-length': String(stat.size),
      'cache-control': ext === '.html' ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else {
      // The file may go away between the lookup and the read: end the answer, never throw.
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    }
  }

  /** A request's URL, or null when it does not parse (answered 400). */
  const parseUrl = (raw: string | undefined): URL | null => {
    try {
      return new URL(raw ?? '/', 'http://localhost');
    } catch {
      return null;
    }
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = parseUrl(req.url);
    if (!url) return sendError(res, 'bad-request', 'the request URL does not parse; send a path such as /api/app.info');
    if (!hostOk(req.headers.host)) {
      return sendError(res, 'forbidden', `requests must be addressed to this server (Host ${req.headers.host ?? 'missing'} refused)`);
    }
    const origin = req.headers.origin;
    if (!originOk(origin, req.headers.host)) {
      return sendError(res, 'forbidden', `requests from another site are refused (Origin ${origin}); open Tessera from the URL "tessera serve" printed`);
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      handleApi(req, res, url).catch((e: unknown) => failed(res, e));
      return;
    }
    serveStatic(req, res, url);
  };
  /** An error inside a handler: a 500 answer (or the connection closed when the answer had started). */
  const failed = (res: http.ServerResponse, e: unknown): void => {
    if (!res.headersSent) sendError(res, 'internal', `internal error: ${e instanceof Error ? e.message : String(e)}`);
    else res.destroy();
  };

  const server = http.createServer((req, res) => {
    // An answer given before the body was read (405, 401, 413…): read and drop the rest, so the
    // connection stays usable for the client's next request.
    res.on('finish', () => {
      if (!req.complete) req.resume();
    });
    try {
      handle(req, res);
    } catch (e) {
      failed(res, e);
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== '/api/events') return refuse(404, 'Not Found');
    if (!hostOk(req.headers.host) || !originOk(req.headers.origin, req.headers.host)) return refuse(403, 'Forbidden');
    if (!authorized(req, url)) return refuse(401, 'Unauthorized');
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('error', () => ws.terminate());
        ws.on('close', () => sockets.delete(ws));
        ws.on('message', () => {
          /* clients only listen */
        });
      });
    } catch {
      refuse(400, 'Bad Request');
    }
  });
  const unsubscribe = services.onEvent((event) => {
    const data = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new Error(`port ${options.port} on ${host} is in use; pick another with --port, or leave --port out for a free one`));
      else if (e.code === 'EACCES') reject(new Error(`not allowed to listen on port ${options.port}; use a port above 1023`));
      else reject(e);
    });
    server.listen(options.port ?? 0, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}/`;
  return {
    url,
    urlWithToken: `${url}?token=${token}`,
    token,
    port,
    host,
    setRendererDir: (dir) => {
      rendererDir = dir;
    },
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
