// Electron main process: one window on the renderer, the services bound to IPC. Thin by design.
// Security (Electron's checklist): contextIsolation, sandbox, no nodeIntegration, a strict CSP on every
// response of our own protocol, navigation / new windows / webviews blocked, permissions denied,
// IPC checked for sender and validated by the contract (electron/main/ipc.ts).
import fs from 'node:fs';
import path from 'node:path';
import { AppServices } from '../api/services';
import { resolveAppDirs, setSqliteNativeBinding } from '../services/store';
import { bindIpc, forwardEvents } from './ipc';
import type { BrowserWindow, ElectronMain, WebContents } from './electron-api';
import { APP_ORIGIN, APP_SCHEME, contentSecurityPolicy, resolveAppFile, mimeOf } from './app-protocol';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const electron = require('electron') as ElectronMain;
const { app, BrowserWindow: Window, ipcMain, dialog, protocol, Menu } = electron;

/** Where the renderer, examples and the Electron build of better-sqlite3 live (packaged or dev). */
function locations() {
  if (app.isPackaged) {
    const res = (process as NodeJS.Process & { resourcesPath: string }).resourcesPath;
    return { renderer: path.join(res, 'renderer'), examples: path.join(res, 'projects'), nativeSqlite: null as string | null };
  }
  const root = app.getAppPath();
  const native = path.join(root, '.vite', 'native', 'better_sqlite3.node');
  return { renderer: path.join(root, 'out', 'renderer'), examples: path.join(root, 'projects'), nativeSqlite: fs.existsSync(native) ? native : null };
}

function projectArg(argv: string[]): string | null {
  const i = argv.indexOf('--project');
  return i >= 0 && argv[i + 1] ? path.resolve(argv[i + 1]) : null;
}

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  const where = locations();
  if (where.nativeSqlite) setSqliteNativeBinding(where.nativeSqlite);
  Menu.setApplicationMenu(null); // the renderer's command registry drives menus and shortcuts

  const windows = new Set<BrowserWindow>();
  const focused = (): BrowserWindow | undefined => [...windows][0];
  const filters = [{ name: 'Tessera project', extensions: ['tessera'] }];
  const dirs = resolveAppDirs({ userDataDir: app.getPath('userData'), projectsDir: path.join(app.getPath('documents'), 'Tessera Projects') });
  const services = new AppServices({
    mode: 'electron',
    dirs,
    examplesDir: where.examples,
    version: app.getVersion(),
    dialogs: {
      openProject: async () => {
        const r = await dialog.showOpenDialog(focused(), { title: 'Open project', properties: ['openFile'], filters });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      saveProject: async (suggestedName) => {
        const r = await dialog.showSaveDialog(focused(), {
          title: 'Save project as',
          defaultPath: path.join(dirs.projectsDir, `${suggestedName ?? 'untitled'}.tessera`),
          filters,
        });
        return r.canceled ? null : (r.filePath ?? null);
      },
    },
  });

  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(where.renderer, request.url);
    const headers = { 'content-security-policy': contentSecurityPolicy(), 'x-content-type-options': 'nosniff' };
    if (!file) return new Response('not found', { status: 404, headers });
    return new Response(await fs.promises.readFile(file), { headers: { ...headers, 'content-type': mimeOf(file) } });
  });

  const isOurWindow = (wc: WebContents) => [...windows].some((w) => !w.isDestroyed() && w.webContents.id === wc.id);
  bindIpc({ ipcMain, services, isOurWindow, isTrustedUrl: (url) => url.startsWith(`${APP_ORIGIN}/`) });
  forwardEvents(services, () => [...windows].filter((w) => !w.isDestroyed()));

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    contents.session.setPermissionCheckHandler(() => false);
  });

  const open = (project: string | null) => {
    const win = new Window({
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
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      },
    });
    windows.add(win);
    win.on('closed', () => windows.delete(win));
    win.once('ready-to-show', () => win.show());
    const query = project ? `?project=${encodeURIComponent(project)}` : '';
    void win.loadURL(`${APP_ORIGIN}/index.html${query}`);
  };

  if (!fs.existsSync(path.join(where.renderer, 'index.html'))) {
    console.error(`Tessera: the renderer is not built (${where.renderer}); run "npx vite build -c vite.renderer.config.ts".`);
  }
  open(projectArg(process.argv));
  app.on('second-instance', (_e, argv) => open(projectArg(argv)));
  app.on('activate', () => {
    if (windows.size === 0) open(null);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => services.dispose());
}
