// The app's own origin, tessera://app/, serving the built renderer with a strict CSP header. Pure
// helpers (tested without Electron).
import path from 'node:path';
import { lookupRendererFile, rendererCsp } from '../serve/static';

export const APP_SCHEME = 'tessera';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export function contentSecurityPolicy(): string {
  return rendererCsp("'self'");
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export function mimeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under `rendererDir` a tessera://app/… URL names, or null (other hosts, escapes, missing files). */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== 'app') return null;
  const found = lookupRendererFile(path.resolve(rendererDir), u.pathname);
  return found.ok ? found.file : null;
}
