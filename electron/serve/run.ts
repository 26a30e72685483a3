// `tessera serve` and the serve-mode fallback of `tessera start`: services + HTTP server + (maybe) a
// browser window, until SIGINT/SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { AppServices } from '../api/services';
import { resolveAppDirs, inspectProject, StoreError } from '../services/store';
import { startServer, isLoopback, type RunningServer } from './server';
import { ensureRenderer } from './renderer';
import { appRoot } from '../app-root';
import { openUrl } from './open-browser';

export interface ServeModeOptions {
  port?: number;
  host?: string;
  allowRemote?: boolean;
  /** false: do not open; 'browser': default browser; 'app': Chromium app mode when present. */
  open: false | 'browser' | 'app';
  /** A project file the page opens at start. */
  project?: string;
  userDataDir?: string;
  projectsDir?: string;
  log?: (line: string) => void;
}

export function appVersion(root = appRoot()): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function runServeMode(o: ServeModeOptions): Promise<{ server: RunningServer; services: AppServices; pageUrl: string }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const root = appRoot();
  const host = o.host ?? '127.0.0.1';
  let project: string | undefined;
  if (o.project) {
    project = path.resolve(o.project);
    try {
      inspectProject(project); // a clear message now rather than in the page
    } catch (e) {
      if (e instanceof StoreError) throw new Error(e.message);
      throw e;
    }
  }
  const dirs = resolveAppDirs({ userDataDir: o.userDataDir, projectsDir: o.projectsDir });
  const services = new AppServices({ mode: 'serve', dirs, examplesDir: path.join(root, 'projects'), version: appVersion(root) });
  // Start listening first so the URL is among the first lines; the renderer may still be building.
  let rendererDir: string | null = path.join(root, 'out', 'renderer');
  const haveBuild = fs.existsSync(path.join(rendererDir, 'index.html'));
  const server = await startServer({ services, host, port: o.port ?? 0, allowRemote: o.allowRemote, rendererDir: haveBuild ? rendererDir : null });
  const pageUrl = project ? `${server.urlWithToken}&project=${encodeURIComponent(project)}` : server.urlWithToken;
  log(`Tessera serve mode: ${pageUrl}`);
  log(`(listening on ${server.host}:${server.port}; the token in the URL is required; Ctrl+C stops)`);
  if (!isLoopback(host)) log(`WARNING: listening on ${host}: anyone who can reach this machine and has the URL can read and write your projects.`);
  if (!haveBuild) {
    const r = await ensureRenderer(root, log);
    rendererDir = r.dir;
    if (r.note) log(r.note);
    server.setRendererDir(rendererDir);
  }
  if (o.open) log(openUrl(pageUrl, { appMode: o.open === 'app' }));
  return { server, services, pageUrl };
}

/** Resolves when SIGINT or SIGTERM arrives; then closes everything. */
export async function serveUntilSignal(server: RunningServer, services: AppServices): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  services.dispose();
}
