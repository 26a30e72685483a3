// The app's own origin, tessera://app/, serving the built renderer with a strict CSP header. Pure
// helpers (tested without Electron).
import { lookupRendererFile, mimeOf, rendererCsp } from '../serve/static';

export const APP_SCHEME = 'tessera';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export function contentSecurityPolicy(): string {
  return rendererCsp("'self'");
}

export { mimeOf };

/**
 * The file under `rendererDir` a tessera://app/… URL names, or null (other hosts, escapes — also through
 * links —, bad encodings, NUL, over-long segments, missing files): serve mode's lookup (serve/static.ts).
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== 'app') return null;
  const found = lookupRendererFile(rendererDir, u.pathname);
  return found.ok ? found.file : null;
}
