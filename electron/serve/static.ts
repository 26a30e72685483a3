// What the Electron app's tessera://app/ protocol and serve mode's HTTP server share when they serve
// the built renderer: the Content-Security-Policy and the lookup of the file a URL path names.
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

export type RendererFile =
  | { ok: true; file: string; stat: fs.Stats }
  /** bad-path: not URL-decodable; outside: escapes root; no-file: a missing file with an extension; no-index: root has no index.html. */
  | { ok: false; why: 'bad-path' | 'outside' | 'no-file' | 'no-index' };

/**
 * The file under `root` (an absolute folder, as given) that the URL path `pathname` names: a folder
 * gives its index.html, a missing path without an extension (a client-side route) root's index.html.
 */
export function lookupRendererFile(root: string, pathname: string): RendererFile {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return { ok: false, why: 'bad-path' };
  }
  let file = path.resolve(root, `.${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) return { ok: false, why: 'outside' };
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat?.isFile()) {
    if (path.extname(rel)) return { ok: false, why: 'no-file' };
    file = path.join(root, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return { ok: false, why: 'no-index' };
  }
  return { ok: true, file, stat };
}
