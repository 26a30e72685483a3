// The app's own origin, tessera://app/, serving the built renderer. Every answer, a file or an
// error, carries the strict CSP header and nosniff.
import fs from 'node:fs';
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

/** The protocol handler's answer to one request. */
export async function appResponse(rendererDir: string, request: { url: string; method: string }): Promise<Response> {
  const headers = { 'content-security-policy': contentSecurityPolicy(), 'x-content-type-options': 'nosniff' };
  const plain = (status: number, text: string) => new Response(text, { status, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return plain(404, 'not found');
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    return plain(404, 'not found'); // removed or unreadable since it was looked up
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { headers: { ...headers, 'content-type': mimeOf(file) } });
}
