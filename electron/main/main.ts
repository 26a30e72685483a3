// Electron main process: windows on the renderer, the services bound to IPC. Thin by design.
// Security (Electron's checklist): contextIsolation, sandbox, no nodeIntegration, a strict CSP on every
// response of our own protocol, navigation / new windows / webviews blocked, permissions denied,
// IPC checked for sender and validated by the contract (electron/main/ipc.ts).
// One instance: a second start hands its project (argv) to the first and quits.
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, type WebContents } from 'electron';
import { AppServices } from '../api/services';
import { resolveAppDirs, setSqliteNativeBinding } from '../services/store';
import { setTemplatesRoot } from '../services/csim/csim';
import { bindIpc, forwardEvents } from './ipc';
import { electronSqliteBuild } from './native-sqlite';
import { APP_ORIGIN, APP_SCHEME, appResponse } from './app-protocol';

/** A window whose renderer stops again this soon after a reload is left alone (no crash loop). */
export const RECRASH_MS = 10_000;

/**
 * Where the files the app reads at run time live: in a package, the resources folder (forge.config.ts
 * puts them there); from a checkout, the checkout (and the Electron build of better-sqlite3).
 */
export function locations() {
  if (app.isPackaged) {
    const res = process.resourcesPath;
    return { renderer: path.join(res, 'renderer'), examples: path.join(res, 'projects'), templates: path.join(res, 'hls-templates'), nativeSqlite: null as string | null };
  }
  const root = app.getAppPath();
  const native = electronSqliteBuild(root, process.versions.electron);
  return {
    renderer: path.join(root, 'out', 'renderer'),
    examples: path.join(root, 'projects'),
    templates: path.join(root, 'hls-templates'),
    nativeSqlite: fs.existsSync(native) ? native : null,
  };
}

/**
 * The project a command line names: `--project FILE`, `--project=FILE`, or a `.tessera` file (what the
 * OS passes when a project is opened with the app), resolved against the launching process's folder.
 */
export function projectArg(argv: readonly string[], cwd: string): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--project' && argv[i + 1]) return path.resolve(cwd, argv[i + 1]);
    if (a.startsWith('--project=') && a.length > '--project='.length) return path.resolve(cwd, a.slice('--project='.length));
  }
  const file = [...argv].reverse().find((a) => !a.startsWith('-') && /\.tessera$/i.test(a));
  return file ? path.resolve(cwd, file) : null;
}

const isAppUrl = (url: string): boolean => url.startsWith(`${APP_ORIGIN}/`);

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // macOS hands over files (also before ready) through open-file, not argv.
  const filesBeforeReady: string[] = [];
  let openFile: (file: string) => void = (file) => void filesBeforeReady.push(file);
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openFile(file);
  });
  void start().then((open) => {
    openFile = (file) => open(path.resolve(file));
    for (const f of filesBeforeReady.splice(0)) openFile(f);
  });
}

async function start(): Promise<(project: string | null) => void> {
  await app.whenReady();
  const where = locations();
  if (where.nativeSqlite) setSqliteNativeBinding(where.nativeSqlite);
  setTemplatesRoot(where.templates);
  Menu.setApplicationMenu(null); // the renderer's command registry drives menus and shortcuts

  const windows = new Set<BrowserWindow>();
  const focused = (): BrowserWindow | undefined => BrowserWindow.getFocusedWindow() ?? [...windows][0];
  const filters = [{ name: 'Tessera project', extensions: ['tessera'] }];
  const dirs = resolveAppDirs({
    userDataDir: process.env.TESSERA_USER_DATA ? path.resolve(process.env.TESSERA_USER_DATA) : app.getPath('userData'),
    projectsDir: process.env.TESSERA_PROJECTS_DIR ? path.resolve(process.env.TESSERA_PROJECTS_DIR) : path.join(app.getPath('documents'), 'Tessera Projects'),
  });
  const services = new AppServices({
    mode: 'electron',
    dirs,
    examplesDir: where.examples,
    version: app.getVersion(),
    dialogs: {
      openProject: async () => {
        const options = { title: 'Open project', properties: ['openFile' as const], filters };
        const win = focused();
        const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      saveProject: async (suggestedName) => {
        const options = { title: 'Save project as', defaultPath: path.join(dirs.projectsDir, `${suggestedName ?? 'untitled'}.tessera`), filters };
        const win = focused();
        const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
        return r.canceled ? null : r.filePath || null;
      },
    },
  });

  protocol.handle(APP_SCHEME, (request) => appResponse(where.renderer, request));

  const isOurWindow = (wc: WebContents) => [...windows].some((w) => !w.isDestroyed() && w.webContents.id === wc.id);
  const ipc = bindIpc({ ipcMain, services, isOurWindow, isTrustedUrl: isAppUrl });
  forwardEvents(services, () => [...windows]);

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-frame-navigate', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    contents.session.setPermissionCheckHandler(() => false);
  });

  const open = (project: string | null) => {
    const win = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 900,
      minHeight: 600,
      title: 'Tessera',
      show: false,
      backgroundColor: '#111827',
      webPreferences: {
        preload: path.join(__dirname, 'preload.js'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      },
    });
    const contentsId = win.webContents.id; // not readable once the window is destroyed
    windows.add(win);
    win.on('closed', () => {
      windows.delete(win);
      void ipc.windowClosed(contentsId);
    });
    win.once('ready-to-show', () => win.show());
    let reloadedAt = -Infinity;
    win.webContents.on('render-process-gone', (_e, details) => {
      if (details.reason === 'clean-exit' || win.isDestroyed()) return;
      const again = Date.now() - reloadedAt < RECRASH_MS;
      const what = `the window's page stopped (${details.reason}, exit code ${details.exitCode})`;
      if (again) {
        console.error(`Tessera: ${what} again within ${RECRASH_MS / 1000} s of a reload; it is not reloaded again.`);
        dialog.showErrorBox('Tessera', `The window stopped twice in a row (${details.reason}). Your project is as last saved; close this window and open the project again.`);
        return;
      }
      console.error(`Tessera: ${what}; reloading it (the project comes back as last saved).`);
      reloadedAt = Date.now();
      win.webContents.reload();
    });
    const query = project ? `?project=${encodeURIComponent(project)}` : '';
    void win.loadURL(`${APP_ORIGIN}/index.html${query}`);
  };

  if (!fs.existsSync(path.join(where.renderer, 'index.html'))) {
    console.error(`Tessera: the renderer is not built (${where.renderer}); run "npm run build:renderer".`);
  }
  open(projectArg(process.argv.slice(1), process.cwd()));
  app.on('second-instance', (_e, argv, workingDirectory) => {
    const project = projectArg(argv.slice(1), workingDirectory);
    const existing = [...windows].find((w) => !w.isDestroyed());
    if (project || !existing) return open(project);
    if (existing.isMinimized()) existing.restore();
    existing.focus();
  });
  app.on('activate', () => {
    if (windows.size === 0) open(null);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => services.dispose());
  return open;
}
