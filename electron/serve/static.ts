// What the Electron app's tessera://app/ protocol and serve mode's HTTP server share when they serve
// the built renderer: the Content-Security-Policy, the MIME types and the safe lookup of the file a URL
// path names. Host-neutral (node:fs and node:path only; no http, no electron) and it never throws: a
// URL path from anyone gives a file inside the renderer folder — after resolving links — or a reason.
import fs from 'node:fs';
import path from 'node:path';

/** The renderer's CSP; `connectSrc` is what the page may connect to (serve mode adds its WebSocket). */
export function rendererCsp(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a renderer file, by its extension. */
export function mimeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Longest URL path looked up, and longest path segment (file systems refuse names over 255 bytes). */
export const MAX_URL_PATH = 2048;
export const MAX_SEGMENT_BYTES = 255;

export type RendererFile =
  | { ok: true; file: string; stat: fs.Stats }
  /**
   * bad-path: not URL-decodable, a NUL or other control character, a backslash, too long (answer 400);
   * outside: leaves the folder, also through a link; no-file: a missing file with an extension;
   * no-index: the folder has no index.html (answer 404 for these).
   */
  | { ok: false; why: 'bad-path' | 'outside' | 'no-file' | 'no-index' };

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // ENAMETOOLONG, ELOOP, EACCES…: as if missing
  }
}

function realOrNull(file: string): string | null {
  try {
    return fs.realpathSync(file);
  } catch {
    return null;
  }
}

const inside = (root: string, file: string) => file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** The decoded URL path, or null when it is not one a file can have. */
function decodedPath(pathname: string): string | null {
  if (typeof pathname !== 'string' || pathname.length > MAX_URL_PATH) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (/[\u0000-\u001f\u007f\\]/.test(rel)) return null;
  if (rel.split('/').some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) return null;
  return rel;
}

/**
 * The file under `root` (the renderer folder) that the URL path `pathname` names: a folder gives its
 * index.html, a missing path without an extension (a client-side route) root's index.html. The file and
 * root are compared after resolving links, so a link inside the folder cannot lead out of it.
 */
export function lookupRendererFile(root: string, pathname: string): RendererFile {
  const rel = decodedPath(pathname);
  if (rel === null) return { ok: false, why: 'bad-path' };
  const realRoot = realOrNull(path.resolve(root));
  if (realRoot === null) return { ok: false, why: 'no-index' };
  let file = path.resolve(realRoot, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (!inside(realRoot, file)) return { ok: false, why: 'outside' };
  let stat = statOrNull(file);
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = statOrNull(file);
  }
  if (!stat?.isFile()) {
    if (path.extname(rel)) return { ok: false, why: 'no-file' };
    file = path.join(realRoot, 'index.html');
    stat = statOrNull(file);
    if (!stat?.isFile()) return { ok: false, why: 'no-index' };
  }
  const real = realOrNull(file);
  if (real === null) return { ok: false, why: 'no-file' };
  if (!inside(realRoot, real)) return { ok: false, why: 'outside' };
  return { ok: true, file: real, stat };
}
