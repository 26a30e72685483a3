// The Electron main process (main.ts, ipc.ts, app-protocol.ts) and the preload, executed against the
// fake `electron` module (fake-electron.testutil.ts, typed by electron.d.ts): what the shell promises
// about security, single instance, command-line projects, crashes and closing windows.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as E from 'electron';
import { channels, ipcChannel, methodName, IPC_EVENT_CHANNEL, type AppEvent, type BridgeApi } from '../../api/contract';
import { readProjectDocument } from '../services/store';
import { lockPathOf } from '../services/store/lock';
import { contentSecurityPolicy } from './app-protocol';
import { createFakeElectron, toMainWorld, type FakeElectron, type FakeWindow } from './fake-electron.testutil';
import { ApiError, electronApi } from '../../renderer/api/client';
import { electronSqliteBuild } from './native-sqlite';
import { startShellWith, stopShells, type Shell, type StartOptions } from './shell.testutil';

const APP = 'tessera://app';

/** Loads main.ts from its sources under vitest, 'electron' mocked by the fake. */
async function loadSources(fake: FakeElectron): Promise<void> {
  vi.resetModules();
  vi.doMock('electron', () => fake.module);
  await import('./main');
}

const startShell = (o: StartOptions = {}): Promise<Shell> => startShellWith(o, loadSources);

afterEach(() => {
  vi.doUnmock('electron');
  vi.useRealTimers();
});
afterAll(stopShells);

describe('before ready', () => {
  it('registers tessera:// as a standard, secure scheme (no CSP bypass), enables the sandbox and takes the single-instance lock', async () => {
    const { fake } = await startShell({ notReady: true });
    expect(fake.protocol.privileged).toEqual([
      { scheme: 'tessera', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true } },
    ]);
    expect(fake.app.sandboxed).toBe(true);
    expect(fake.windows).toEqual([]);
    expect(fake.ipcMain.handlers.size).toBe(0);
    fake.app.becomeReady();
    await vi.waitFor(() => expect(fake.windows.length).toBe(1));
  });

  it('a second instance (lock not granted) quits at once: no window, no IPC, no protocol handler', async () => {
    const { fake } = await startShell({ singleInstanceLock: false });
    expect(fake.app.quitCalls).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.windows).toEqual([]);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.protocol.handlers.size).toBe(0);
  });
});

describe('the window', () => {
  let shell: Shell;
  let win: FakeWindow;
  beforeAll(async () => {
    shell = await startShell();
    win = shell.fake.windows[0];
  });

  it('is created with contextIsolation, sandbox, no Node integration, no webviews, webSecurity, and the preload beside main', () => {
    expect(win.options.webPreferences).toEqual({
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.options.show).toBe(false);
    expect(shell.fake.Menu.applicationMenu).toBeNull();
  });

  it('loads the app page from its own origin and shows it once ready', () => {
    expect(win.loaded).toEqual([`${APP}/index.html`]);
    expect(win.shown).toBe(false);
    win.readyToShow();
    expect(win.shown).toBe(true);
  });

  it('blocks navigation and redirects away from the app, webviews and new windows', () => {
    const wc = win.webContents;
    expect(wc.navigate(`${APP}/index.html?project=x`)).toBe(true);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'tessera://app.evil/index.html', 'tessera://other/', 'about:blank', 'javascript:alert(1)', 'data:text/html,x']) {
      expect(wc.navigate(url), url).toBe(false);
      expect(wc.navigate(url, false), `${url} in a sub-frame`).toBe(false);
      expect(wc.redirect(url), `redirect to ${url}`).toBe(false);
    }
    expect(wc.attachWebview()).toBe(false);
    expect(wc.windowOpen('https://evil.example/')).toEqual({ action: 'deny' });
    expect(wc.windowOpen(`${APP}/index.html`)).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const s = win.webContents.session;
    const permissions = ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem', 'display-capture'] as const;
    for (const p of permissions) {
      let granted: boolean | undefined;
      s.permissionRequest!(win.webContents as unknown as E.WebContents, p, (g) => (granted = g), {} as E.PermissionRequest);
      expect(granted, p).toBe(false);
      expect(s.permissionCheck!(null, p as never, 'tessera://app', {} as E.PermissionCheckHandlerHandlerDetails), p).toBe(false);
    }
  });

  it('registers IPC handlers for exactly the contract channels', () => {
    expect([...shell.fake.ipcMain.handlers.keys()].sort()).toEqual(channels.map(ipcChannel).sort());
  });

  it('answers its own page and refuses other senders, foreign pages and sub-frames', async () => {
    expect(await shell.call(win, 'app.info')).toMatchObject({ ok: true, result: { version: '9.8.7', mode: 'electron', nativeDialogs: true } });
    const ipc = shell.fake.ipcMain;
    const channel = ipcChannel('app.info');
    // Another WebContents (e.g. devtools, a window the app did not open).
    const stranger = new shell.fake.BrowserWindow({}).webContents;
    const refused = (r: unknown) => expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    stranger.mainFrame.url = `${APP}/index.html`;
    refused(await ipc.invoke(stranger, channel, stranger.mainFrame, {}));
    refused(await ipc.invoke(win.webContents, channel, { url: 'https://evil.example/', parent: null }, {}));
    refused(await ipc.invoke(win.webContents, channel, { url: `${APP}/index.html`, parent: win.webContents.mainFrame }, {}));
    refused(await ipc.invoke(win.webContents, channel, null, {}));
    const r = (await ipc.invoke(win.webContents, channel, { url: 'https://evil.example/', parent: null }, {})) as { error: { message: string } };
    expect(r.error.message).toBe('refused app.info: the request comes from a page Tessera did not load (https://evil.example/)');
  });

  it('validates requests against the contract', async () => {
    const extra = await shell.call(win, 'project.new', { name: 'a', x: 1 });
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(extra.error!.message).toMatch(/Unrecognized key: "x"/);
  });

  it('uses the native dialogs on the focused window', async () => {
    const target = path.join(shell.dir, 'picked.tessera');
    shell.fake.dialog.openAnswers.push({ canceled: false, filePaths: [target] });
    expect(await shell.call(win, 'dialog.openProject')).toEqual({ ok: true, result: { path: target } });
    expect(await shell.call(win, 'dialog.saveProject', { suggestedName: 'net' })).toEqual({ ok: true, result: { path: null } });
    const [open, save] = shell.fake.dialog.calls;
    expect(open).toMatchObject({ kind: 'open', window: true, options: { properties: ['openFile'], filters: [{ extensions: ['tessera'] }] } });
    expect(save.options).toMatchObject({ defaultPath: path.join(shell.dir, 'documents', 'Tessera Projects', 'net.tessera') });
  });

  it('reads examples and HLS templates from the packaged resources and keeps projects under documents', async () => {
    const info = await shell.call(win, 'app.info');
    expect(info.result.projectsDir).toBe(path.join(shell.dir, 'documents', 'Tessera Projects'));
    const ex = await shell.call(win, 'examples.list');
    expect(ex.result.items.map((e: { id: string }) => e.id)).toEqual(['tiny-autoencoder']);
    const csim = await import('../services/csim/csim'); // the instance main.ts configured
    expect(Object.keys(csim.readTemplates())).toEqual(['marker.h']);
    expect(csim.apIncludeDir({}).dir).toBe(path.join(shell.resources, 'hls-templates', 'include'));
  });
});

describe('the tessera://app/ protocol', () => {
  let shell: Shell;
  let outside: string;
  beforeAll(async () => {
    shell = await startShell();
    outside = path.join(shell.dir, 'secret.txt');
    fs.writeFileSync(outside, 'SECRET');
    fs.symlinkSync(outside, path.join(shell.resources, 'renderer', 'assets', 'link.js'));
    fs.symlinkSync(shell.dir, path.join(shell.resources, 'renderer', 'up'));
  });
  const get = (url: string, init?: RequestInit) => shell.fake.protocol.fetch(url, init);
  const expectHeaders = (r: Response, url: string) => {
    expect(r.headers.get('content-security-policy'), url).toBe(contentSecurityPolicy());
    expect(r.headers.get('x-content-type-options'), url).toBe('nosniff');
  };

  it('serves the renderer files with their types, client routes as index.html', async () => {
    const cases: [string, number, string, string | null][] = [
      [`${APP}/index.html`, 200, 'text/html; charset=utf-8', '<!doctype html><title>Tessera</title>'],
      [`${APP}/`, 200, 'text/html; charset=utf-8', '<!doctype html><title>Tessera</title>'],
      [`${APP}/assets/app.js`, 200, 'text/javascript; charset=utf-8', 'console.log(1)'],
      [`${APP}/assets/kernel.wasm`, 200, 'application/wasm', null],
      [`${APP}/some/route`, 200, 'text/html; charset=utf-8', '<!doctype html><title>Tessera</title>'],
    ];
    for (const [url, status, type, body] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(status);
      expect(r.headers.get('content-type'), url).toBe(type);
      expectHeaders(r, url);
      if (body !== null) expect(await r.text(), url).toBe(body);
    }
  });

  it('the CSP allows only the app itself: no remote scripts, no eval, no objects, no framing', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(csp).toMatch(/(^|; )connect-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )object-src 'none'(;|$)/);
    expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(csp).not.toMatch(/'unsafe-eval'|https?:|\*/);
  });

  it('answers missing files, encoded traversal, bad escapes, other hosts and other methods with a 404 or 405 that still carries the CSP', async () => {
    const hostile = [
      `${APP}/missing.js`,
      `${APP}/..%2f..%2fsecret.txt`,
      `${APP}/%2e%2e/%2e%2e/secret.txt`,
      `${APP}/assets/..%2f..%2f..%2fsecret.txt`,
      `${APP}/%252e%252e%252fsecret.txt`,
      `${APP}/..%5c..%5csecret.txt`,
      `${APP}/%E0%A4%A`,
      'tessera://other/index.html',
    ];
    for (const url of hostile) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expectHeaders(r, url);
      expect(await r.text(), url).not.toContain('SECRET');
    }
    const post = await get(`${APP}/index.html`, { method: 'POST' });
    expect(post.status).toBe(405);
    expectHeaders(post, 'POST');
  });

  it('NUL bytes, over-long names and symlinks out of the renderer get a 404 with the CSP, never the file', async () => {
    for (const url of [
      `${APP}/assets/app.js%00.html`,
      `${APP}/%00`,
      `${APP}/${'a'.repeat(300)}.js`,
      `${APP}/${'a/'.repeat(3000)}x.js`,
      `${APP}/assets/link.js`,
      `${APP}/up/secret.txt`,
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expectHeaders(r, url);
      expect(await r.text(), url).not.toContain('SECRET');
    }
  });
});

describe('projects from the command line, second instances and macOS open-file', () => {
  it('opens the .tessera file of the first start (bare argument or --project), resolved against the working folder', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-cwd-'));
    try {
      const a = await startShell({ argv: ['.', 'nets/unet.tessera'], cwd });
      expect(a.fake.windows[0].loaded).toEqual([`${APP}/index.html?project=${encodeURIComponent(path.join(cwd, 'nets', 'unet.tessera'))}`]);
      const b = await startShell({ argv: ['--project', 'x.tessera'], cwd });
      expect(b.fake.windows[0].loaded[0]).toBe(`${APP}/index.html?project=${encodeURIComponent(path.join(cwd, 'x.tessera'))}`);
      const c = await startShell({ argv: ['--project=/abs/y.tessera'] });
      expect(c.fake.windows[0].loaded[0]).toBe(`${APP}/index.html?project=${encodeURIComponent('/abs/y.tessera')}`);
      const d = await startShell({ argv: ['.', '--no-sandbox'] });
      expect(d.fake.windows[0].loaded[0]).toBe(`${APP}/index.html`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a second start with a project opens it in a new window (its own working folder); without one it focuses the open window', async () => {
    const { fake } = await startShell();
    const elsewhere = path.join(os.tmpdir(), 'second start');
    fake.app.secondInstance(['/opt/tessera/tessera', 'mine.tessera'], elsewhere);
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[1].loaded[0]).toBe(`${APP}/index.html?project=${encodeURIComponent(path.join(elsewhere, 'mine.tessera'))}`);
    fake.windows[0].minimized = true;
    fake.app.secondInstance(['/opt/tessera/tessera'], '/tmp');
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[0].minimized).toBe(false);
    expect(fake.windows[0].focused).toBe(true);
  });

  it('macOS open-file before ready opens the file once ready; after ready in a new window', async () => {
    const { fake } = await startShell({ notReady: true });
    const early = path.join(os.tmpdir(), 'early.tessera');
    expect(fake.app.openFile(early)).toBe(true);
    fake.app.becomeReady();
    await vi.waitFor(() => expect(fake.windows.length).toBe(2));
    expect(fake.windows[1].loaded[0]).toBe(`${APP}/index.html?project=${encodeURIComponent(early)}`);
    fake.app.openFile(path.join(os.tmpdir(), 'late.tessera'));
    expect(fake.windows[2].loaded[0]).toContain(encodeURIComponent('late.tessera'));
  });

  it('TESSERA_USER_DATA and TESSERA_PROJECTS_DIR override the platform folders (the end-to-end tests use them)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-env-'));
    try {
      const s = await startShell({ env: { TESSERA_USER_DATA: path.join(dir, 'u'), TESSERA_PROJECTS_DIR: path.join(dir, 'p') } });
      expect((await s.call(s.fake.windows[0], 'app.info')).result.projectsDir).toBe(path.join(dir, 'p'));
      expect(fs.existsSync(path.join(dir, 'u'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('from a checkout (not packaged) it serves out/renderer and reads projects/ and hls-templates/ of the app folder', async () => {
    const s = await startShell({ isPackaged: false });
    const appDir = path.join(s.dir, 'app');
    fs.mkdirSync(path.join(appDir, 'out', 'renderer'), { recursive: true });
    fs.writeFileSync(path.join(appDir, 'out', 'renderer', 'index.html'), 'dev page');
    expect(await (await s.fake.protocol.fetch(`${APP}/index.html`)).text()).toBe('dev page');
    const csim = await import('../services/csim/csim');
    expect(csim.apIncludeDir({}).dir).toBe(path.join(appDir, 'hls-templates', 'include'));
    expect((await s.call(s.fake.windows[0], 'examples.list')).result.items).toEqual([]);
  });

  it("from a checkout it opens projects with better-sqlite3's Electron build where forge's generateAssets hook puts it", async () => {
    const versions = process.versions as { electron?: string };
    const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-app-'));
    const build = electronSqliteBuild(appDir, '99.1.2');
    fs.mkdirSync(path.dirname(build), { recursive: true });
    fs.writeFileSync(build, 'not a shared library'); // loading it must fail: proves main used it
    Object.defineProperty(versions, 'electron', { value: '99.1.2', configurable: true });
    try {
      const s = await startShellWith({ isPackaged: false, appPath: appDir }, loadSources);
      const r = await s.call(s.fake.windows[0], 'project.new', { name: 'native' });
      expect(r.ok).toBe(false);
      expect(r.error!.message).toContain(build);
    } finally {
      delete versions.electron;
      fs.rmSync(appDir, { recursive: true, force: true });
    }
  });
});

describe('renderer crashes and closing windows', () => {
  it('a crashed page is reloaded once; a second crash right after is reported instead of looping', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { fake } = await startShell();
    const wc = fake.windows[0].webContents;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      wc.crash({ reason: 'clean-exit', exitCode: 0 });
      expect(wc.reloads).toBe(0);
      wc.crash({ reason: 'crashed', exitCode: 139 });
      expect(wc.reloads).toBe(1);
      vi.setSystemTime(Date.now() + 5_000);
      wc.crash({ reason: 'oom', exitCode: 9 });
      expect(wc.reloads).toBe(1);
      expect(fake.dialog.errorBoxes).toHaveLength(1);
      expect(fake.dialog.errorBoxes[0].content).toMatch(/stopped twice in a row \(oom\)/);
      vi.setSystemTime(Date.now() + 60_000);
      wc.crash({ reason: 'killed', exitCode: 15 });
      expect(wc.reloads).toBe(2);
      expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/stopped \(crashed, exit code 139\); reloading/),
        expect.stringMatching(/stopped \(oom, exit code 9\) again/),
        expect.stringMatching(/stopped \(killed, exit code 15\); reloading/),
      ]);
    } finally {
      errors.mockRestore();
    }
  });

  it('a save running when its window closes lands on disk, nothing is sent to the closed window, and the project lock is released', async () => {
    const { fake, call } = await startShell();
    const win = fake.windows[0];
    const opened = await call(win, 'project.new', { name: 'closing' });
    expect(opened.ok).toBe(true);
    const { projectId, path: file } = opened.result as { projectId: string; path: string };
    expect(fs.existsSync(lockPathOf(file))).toBe(true);
    const doc = (await call(win, 'project.load', { projectId })).result;
    doc.graph.nodes.push({ id: 'in', type: 'Input', name: 'x', params: { shape: [1, 1, 4, 4], dataFormat: 'NCX' } });
    const save = call(win, 'project.save', { projectId, doc });
    win.close();
    expect(await save).toMatchObject({ ok: true, result: { projectId } });
    await vi.waitFor(() => expect(fs.existsSync(lockPathOf(file))).toBe(false));
    expect(readProjectDocument(file).graph.nodes.map((n) => n.id)).toEqual(['in']);
    expect(fake.misuse).toEqual([]);
    // A request that arrives after its window closed is refused (Electron drops such messages anyway).
    const late = await fake.ipcMain.invoke(win.webContents, ipcChannel('project.save'), win.webContents.mainFrame, { projectId, doc });
    expect(late).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'refused project.save: the window that sent the request is closed' } });
    expect(fake.misuse).toEqual([]);
  });

  it("a window's projects are closed only after its calls still running have finished", async () => {
    const { fake, call } = await startShell();
    const win = fake.windows[0];
    fake.app.secondInstance(['tessera', 'other.tessera'], os.tmpdir()); // a second window keeps the app running
    const { path: file } = (await call(win, 'project.new', { name: 'pending' })).result;
    let answer!: (r: E.OpenDialogReturnValue) => void;
    fake.dialog.openAnswers.push(new Promise((r) => (answer = r)));
    const picking = call(win, 'dialog.openProject');
    win.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(lockPathOf(file))).toBe(true); // the open dialog's call is still running
    answer({ canceled: true, filePaths: [] });
    expect(await picking).toEqual({ ok: true, result: { path: null } });
    await vi.waitFor(() => expect(fs.existsSync(lockPathOf(file))).toBe(false));
    expect(fake.misuse).toEqual([]);
  });

  it('a project open in two windows stays open until the last of them closes', async () => {
    const { fake, call } = await startShell();
    const [a] = fake.windows;
    const { path: file } = (await call(a, 'project.new', { name: 'shared' })).result;
    fake.app.secondInstance(['tessera', file], '/');
    const b = fake.windows[1];
    expect((await call(b, 'project.open', { path: file })).result).toMatchObject({ alreadyOpen: true });
    a.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(lockPathOf(file))).toBe(true);
    b.close();
    await vi.waitFor(() => expect(fs.existsSync(lockPathOf(file))).toBe(false));
    expect(fake.misuse).toEqual([]);
  });

  it('service events reach the open windows only; the app quits when the last window closes (not on macOS)', async () => {
    const { fake, call } = await startShell();
    const [a] = fake.windows;
    fake.app.secondInstance(['tessera', 'b.tessera'], os.tmpdir());
    const b = fake.windows[1];
    const { projectId } = (await call(a, 'project.new', { name: 'events' })).result;
    b.close();
    await call(a, 'project.save', { projectId, doc: (await call(a, 'project.load', { projectId })).result });
    expect(a.webContents.sent.map((s) => s.channel)).toEqual([IPC_EVENT_CHANNEL]);
    expect(a.webContents.sent[0].args[0]).toMatchObject({ type: 'project.saved', projectId });
    expect(b.webContents.sent).toEqual([]);
    expect(fake.app.quitCalls).toBe(0);
    a.close();
    expect(fake.app.quitCalls).toBe(process.platform === 'darwin' ? 0 : 1);
    expect(fake.misuse).toEqual([]);
  });
});

describe('forwardEvents', () => {
  it('sends service events to the windows alive only (a window can be destroyed before its closed event)', async () => {
    const { forwardEvents } = await import('./ipc');
    const fake = createFakeElectron({ appPath: os.tmpdir(), paths: {} });
    fake.app.becomeReady();
    const [alive, gone] = [new fake.BrowserWindow(), new fake.BrowserWindow()];
    gone.destroyed = true;
    gone.webContents.destroyed = true;
    let emit!: (e: AppEvent) => void;
    forwardEvents({ onEvent: (l) => ((emit = l), () => true) }, () => [gone, alive] as never);
    emit({ type: 'project.closed', projectId: 'p_1' });
    expect(alive.webContents.sent).toEqual([{ channel: IPC_EVENT_CHANNEL, args: [{ type: 'project.closed', projectId: 'p_1' }] }]);
    expect(fake.misuse).toEqual([]);
  });
});

describe('the preload', () => {
  it('exposes window.tessera: one function per contract channel plus onEvent, frozen; through the contextBridge the renderer gets results, ApiErrors with their code, and events', async () => {
    const shell = await startShell();
    const win = shell.fake.windows[0];
    shell.fake.ipcRenderer.page = win.webContents;
    await import('../preload/preload');
    expect([...shell.fake.contextBridge.exposed.keys()]).toEqual(['tessera']);
    const exposed = shell.fake.contextBridge.exposed.get('tessera') as object;
    expect(Object.keys(exposed).sort()).toEqual([...channels.map(methodName), 'onEvent'].sort());
    expect(Object.isFrozen(exposed)).toBe(true);
    expect(exposed).not.toHaveProperty('invoke');

    // What the page's code uses: the renderer's client over window.tessera as the bridge delivers it.
    const api = electronApi(shell.fake.contextBridge.mainWorld.get('tessera') as BridgeApi);
    expect(await api.appInfo({})).toMatchObject({ version: '9.8.7', mode: 'electron' });
    const missing = path.join(shell.dir, 'nope.tessera');
    const err = await api.projectOpen({ path: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ name: 'ApiError', code: 'not-found' });
    expect((err as Error).message).toContain(missing);
    const bad = await api.projectNew({ name: '' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'ApiError', code: 'bad-request' });

    const events: unknown[] = [];
    const stop = api.onEvent((e) => events.push(e));
    const info = await api.projectNew({ name: 'preload' });
    await api.projectSave({ projectId: info.projectId, doc: await api.projectLoad({ projectId: info.projectId }) });
    expect(events).toEqual([expect.objectContaining({ type: 'project.saved', projectId: info.projectId })]);
    stop();
    await api.projectSave({ projectId: info.projectId, doc: await api.projectLoad({ projectId: info.projectId }) });
    expect(events).toHaveLength(1);
  });

  it("the fake bridge is Electron's: an Error's own fields do not cross it", async () => {
    const thrower = toMainWorld(async () => {
      throw Object.assign(new Error('busy'), { name: 'ApiError', code: 'locked' });
    }) as () => Promise<never>;
    const e = await thrower().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ message: 'busy', name: 'Error' });
    expect(e).not.toHaveProperty('code');
  });
});
