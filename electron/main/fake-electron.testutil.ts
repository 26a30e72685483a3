// A fake `electron` module for running electron/main and electron/preload in vitest (Electron's binary
// is not available everywhere). Every member a fake object implements is declared with the type of
// Electron's own definitions (`implements Partial<…>` over electron.d.ts, and `E.X['member']`
// signatures), so a fake that drifts from the real API fails to typecheck; the code under test is
// typechecked against electron.d.ts itself. The fakes keep Electron's rules that matter here: no
// window or protocol handler before ready, no sandbox or scheme registration after ready, and a
// destroyed window's webContents throws when used.
import type * as E from 'electron';

type Listener = (...args: any[]) => unknown;
/** The members of an Electron class a fake may implement, each with Electron's own type (events are the fakes' own). */
type Fakeable<T, Except extends keyof T = never> = Partial<Omit<T, keyof NodeJS.EventEmitter | Except>>;

/** The small part of Node's EventEmitter the shell uses (on / once / emit). */
class Events {
  readonly #listeners = new Map<string, { fn: Listener; once: boolean }[]>();
  on(event: string, fn: Listener): any {
    this.#list(event).push({ fn, once: false });
    return this;
  }
  once(event: string, fn: Listener): any {
    this.#list(event).push({ fn, once: true });
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    const l = this.#list(event);
    for (const x of [...l]) {
      if (x.once) l.splice(l.indexOf(x), 1);
      x.fn(...args);
    }
  }
  listenerCount(event: string): number {
    return this.#list(event).length;
  }
  #list(event: string) {
    let l = this.#listeners.get(event);
    if (!l) this.#listeners.set(event, (l = []));
    return l;
  }
}

/**
 * A value as Electron's contextBridge hands it to the other world: functions proxied, objects and
 * arrays copied and frozen, promises followed; an Error thrown or rejected arrives as a new Error with
 * the same message and none of its own properties (name, code, details are lost).
 */
export function toMainWorld(value: unknown): unknown {
  if (typeof value === 'function') {
    return (...args: unknown[]) => {
      let r: unknown;
      try {
        r = (value as (...a: unknown[]) => unknown)(...args.map(toMainWorld));
      } catch (e) {
        throw bridgedError(e);
      }
      return r instanceof Promise ? r.then(toMainWorld, (e: unknown) => Promise.reject(bridgedError(e))) : toMainWorld(r);
    };
  }
  if (value instanceof Error) return bridgedError(value);
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(value)) copy[k] = toMainWorld(v);
    return Object.freeze(copy);
  }
  return value;
}

function bridgedError(e: unknown): Error {
  return new Error(e instanceof Error ? e.message : String(e));
}

/** An Electron event object with its parameters (Electron.Event<Params>). */
export function electronEvent<P extends object = object>(params: P = {} as P): E.Event<P> {
  let prevented = false;
  return Object.assign(
    {
      preventDefault: () => void (prevented = true),
      get defaultPrevented() {
        return prevented;
      },
    },
    params,
  ) as E.Event<P>;
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export type PermissionRequestHandler = Parameters<E.Session['setPermissionRequestHandler']>[0];
export type PermissionCheckHandler = Parameters<E.Session['setPermissionCheckHandler']>[0];

export class FakeSession implements Fakeable<E.Session> {
  permissionRequest: PermissionRequestHandler = null;
  permissionCheck: PermissionCheckHandler = null;
  setPermissionRequestHandler: E.Session['setPermissionRequestHandler'] = (h) => void (this.permissionRequest = h);
  setPermissionCheckHandler: E.Session['setPermissionCheckHandler'] = (h) => void (this.permissionCheck = h);
}

/** What the preload's ipcRenderer receives from webContents.send. */
type RendererListener = (event: E.IpcRendererEvent, ...args: any[]) => void;

export interface FakeElectronOptions {
  /** app.isPackaged; false = running from a checkout. */
  isPackaged?: boolean;
  /** app.getAppPath() (the checkout in development). */
  appPath: string;
  /** app.getPath(name) */
  paths: Partial<Record<Parameters<E.App['getPath']>[0], string>>;
  version?: string;
  /** app.requestSingleInstanceLock()'s answer: false = another instance runs. */
  singleInstanceLock?: boolean;
}

export function createFakeElectron(o: FakeElectronOptions) {
  let nextId = 1;
  let ready = false;
  let readyResolve!: () => void;
  /** Uses of destroyed objects (Electron throws 'Object has been destroyed'). */
  const misuse: string[] = [];
  const readyPromise = new Promise<void>((r) => (readyResolve = r));

  function mustBeReady(what: string): void {
    if (!ready) throw new Error(`${what} before the app is ready`);
  }

  class FakeWebContents extends Events implements Fakeable<E.WebContents, 'session' | 'mainFrame'> {
    readonly #id = nextId++;
    destroyed = false;
    url = '';
    reloads = 0;
    windowOpenHandler: Parameters<E.WebContents['setWindowOpenHandler']>[0] | null = null;
    readonly session = new FakeSession();
    readonly mainFrame: FakeFrame = { url: '', parent: null };
    /** The preload's ipcRenderer listeners in this page. */
    readonly rendererListeners = new Map<string, Set<RendererListener>>();
    readonly sent: { channel: string; args: unknown[] }[] = [];

    get id(): number {
      this.alive();
      return this.#id;
    }
    isDestroyed: E.WebContents['isDestroyed'] = () => this.destroyed;
    getURL: E.WebContents['getURL'] = () => (this.alive(), this.url);
    send: E.WebContents['send'] = (channel, ...args) => {
      this.alive();
      this.sent.push({ channel, args });
      for (const l of this.rendererListeners.get(channel) ?? []) l({ sender: {} } as E.IpcRendererEvent, ...args);
    };
    setWindowOpenHandler: E.WebContents['setWindowOpenHandler'] = (h) => void (this.windowOpenHandler = h);
    reload: E.WebContents['reload'] = () => {
      this.alive();
      this.reloads++;
    };

    /** A page navigation attempt (link, location change) in the top frame; true when allowed. */
    navigate(url: string, isMainFrame = true): boolean {
      const event = electronEvent<E.WebContentsWillFrameNavigateEventParams>({ url, isSameDocument: false, isMainFrame, frame: null });
      this.emit('will-frame-navigate', event);
      return !event.defaultPrevented;
    }
    /** A server redirect during navigation; true when allowed. */
    redirect(url: string): boolean {
      const event = electronEvent<E.WebContentsWillRedirectEventParams>({ url, isSameDocument: false, isMainFrame: true, frame: null });
      this.emit('will-redirect', event, url, false, true, 0, 0);
      return !event.defaultPrevented;
    }
    /** A <webview> about to be attached; true when allowed. */
    attachWebview(): boolean {
      const event = electronEvent();
      this.emit('will-attach-webview', event, {} as E.WebPreferences, {} as Record<string, string>);
      return !event.defaultPrevented;
    }
    /** window.open / target=_blank: what the window-open handler answers. */
    windowOpen(url: string): E.WindowOpenHandlerResponse | 'no handler' {
      if (!this.windowOpenHandler) return 'no handler';
      return this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } } as E.HandlerDetails);
    }
    /** The renderer process ends. */
    crash(details: E.RenderProcessGoneDetails): void {
      this.emit('render-process-gone', electronEvent(), details);
    }
    private alive(): void {
      if (!this.destroyed) return;
      misuse.push(new Error('a destroyed webContents was used').stack ?? '');
      throw new TypeError('Object has been destroyed');
    }
  }

  const windows: FakeBrowserWindow[] = [];

  class FakeBrowserWindow extends Events implements Fakeable<E.BrowserWindow, 'webContents'> {
    static getAllWindows = () => windows.filter((w) => !w.destroyed);
    static getFocusedWindow = () => windows.find((w) => !w.destroyed && w.focused) ?? null;
    readonly webContents: FakeWebContents;
    destroyed = false;
    shown = false;
    focused = false;
    minimized = false;
    loaded: string[] = [];

    constructor(readonly options: E.BrowserWindowConstructorOptions = {}) {
      super();
      mustBeReady('new BrowserWindow()');
      this.webContents = new FakeWebContents();
      windows.push(this);
      app.emit('web-contents-created', electronEvent(), this.webContents);
    }
    loadURL: E.BrowserWindow['loadURL'] = async (url) => {
      this.webContents.url = url;
      this.webContents.mainFrame.url = url;
      this.loaded.push(url);
    };
    show: E.BrowserWindow['show'] = () => void (this.shown = true);
    focus: E.BrowserWindow['focus'] = () => void (this.focused = true);
    isMinimized: E.BrowserWindow['isMinimized'] = () => this.minimized;
    restore: E.BrowserWindow['restore'] = () => void (this.minimized = false);
    isDestroyed: E.BrowserWindow['isDestroyed'] = () => this.destroyed;

    /** The page is ready to be shown. */
    readyToShow(): void {
      this.emit('ready-to-show', electronEvent());
    }
    /** The user closes the window: destroyed first, then 'closed' (as in Electron). */
    close(): void {
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
      if (FakeBrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
    }
  }

  class FakeApp extends Events implements Fakeable<E.App> {
    isPackaged = o.isPackaged ?? false;
    sandboxed = false;
    quitCalls = 0;
    getPath: E.App['getPath'] = (name) => {
      const p = o.paths[name];
      if (!p) throw new Error(`fake electron: no path for ${name}`);
      return p;
    };
    getAppPath: E.App['getAppPath'] = () => o.appPath;
    getVersion: E.App['getVersion'] = () => o.version ?? '0.0.0-test';
    whenReady: E.App['whenReady'] = () => readyPromise;
    isReady: E.App['isReady'] = () => ready;
    enableSandbox: E.App['enableSandbox'] = () => {
      if (ready) throw new Error('app.enableSandbox() can only be called before app is ready');
      this.sandboxed = true;
    };
    requestSingleInstanceLock: E.App['requestSingleInstanceLock'] = () => o.singleInstanceLock ?? true;
    quit: E.App['quit'] = () => {
      this.quitCalls++;
      this.emit('before-quit', electronEvent());
    };

    /** Electron becomes ready (whenReady resolves). */
    becomeReady(): void {
      ready = true;
      readyResolve();
      this.emit('ready', electronEvent(), {});
    }
    /** Another start of the app, with its command line and working folder. */
    secondInstance(argv: string[], workingDirectory: string): void {
      this.emit('second-instance', electronEvent(), argv, workingDirectory, {});
    }
    /** macOS: a file opened with the app (Finder, dock). */
    openFile(file: string): boolean {
      const event = electronEvent();
      this.emit('open-file', event, file);
      return event.defaultPrevented;
    }
    activate(): void {
      this.emit('activate', electronEvent(), false);
    }
  }
  const app = new FakeApp();

  type InvokeHandler = Parameters<E.IpcMain['handle']>[1];
  class FakeIpcMain implements Fakeable<E.IpcMain> {
    readonly handlers = new Map<string, InvokeHandler>();
    handle: E.IpcMain['handle'] = (channel, listener) => {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener);
    };
    removeHandler: E.IpcMain['removeHandler'] = (channel) => void this.handlers.delete(channel);

    /** ipcRenderer.invoke from `frame` of the page in `sender` (default: its top frame). */
    async invoke(sender: FakeWebContents, channel: string, frame: FakeFrame | null = sender.mainFrame, ...args: unknown[]): Promise<unknown> {
      const h = this.handlers.get(channel);
      if (!h) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      const event = { sender, senderFrame: frame, frameId: 1, processId: 1, type: 'frame' } as unknown as E.IpcMainInvokeEvent;
      return h(event, ...args);
    }
  }
  const ipcMain = new FakeIpcMain();

  type ProtocolHandler = Parameters<E.Protocol['handle']>[1];
  class FakeProtocol implements Fakeable<E.Protocol> {
    privileged: E.CustomScheme[] = [];
    readonly handlers = new Map<string, ProtocolHandler>();
    registerSchemesAsPrivileged: E.Protocol['registerSchemesAsPrivileged'] = (schemes) => {
      if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
      this.privileged.push(...schemes);
    };
    handle: E.Protocol['handle'] = (scheme, handler) => {
      mustBeReady('protocol.handle()');
      this.handlers.set(scheme, handler);
    };
    /** What the page gets for a request to `url`. */
    async fetch(url: string, init: RequestInit = {}): Promise<Response> {
      const scheme = url.slice(0, url.indexOf(':'));
      const h = this.handlers.get(scheme);
      if (!h) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME (${scheme})`);
      // Node's Request refuses unknown schemes: the handler sees the URL and method as Electron passes them.
      return h({ url, method: init.method ?? 'GET', headers: new Headers(init.headers) } as unknown as Request);
    }
  }
  const protocol = new FakeProtocol();

  class FakeDialog implements Fakeable<E.Dialog> {
    errorBoxes: { title: string; content: string }[] = [];
    /** The next answers of showOpenDialog (a promise: the dialog stays open until it settles). */
    openAnswers: (E.OpenDialogReturnValue | Promise<E.OpenDialogReturnValue>)[] = [];
    saveAnswers: E.SaveDialogReturnValue[] = [];
    calls: { kind: 'open' | 'save'; window: boolean; options: E.OpenDialogOptions | E.SaveDialogOptions }[] = [];
    showErrorBox: E.Dialog['showErrorBox'] = (title, content) => void this.errorBoxes.push({ title, content });
    showOpenDialog = ((a: unknown, b?: unknown) => {
      const options = (b ?? a) as E.OpenDialogOptions;
      this.calls.push({ kind: 'open', window: b !== undefined, options });
      return Promise.resolve(this.openAnswers.shift() ?? { canceled: true, filePaths: [] });
    }) as E.Dialog['showOpenDialog'];
    showSaveDialog = ((a: unknown, b?: unknown) => {
      const options = (b ?? a) as E.SaveDialogOptions;
      this.calls.push({ kind: 'save', window: b !== undefined, options });
      return Promise.resolve(this.saveAnswers.shift() ?? { canceled: true, filePath: '' });
    }) as E.Dialog['showSaveDialog'];
  }
  const dialog = new FakeDialog();

  const Menu = {
    applicationMenu: undefined as E.Menu | null | undefined,
    setApplicationMenu: ((menu: E.Menu | null) => {
      Menu.applicationMenu = menu;
    }) satisfies (typeof E.Menu)['setApplicationMenu'],
  };

  // Preload side: one page (the window the preload runs in).
  class FakeContextBridge implements Fakeable<E.ContextBridge> {
    /** What the preload passed. */
    readonly exposed = new Map<string, unknown>();
    /** What the page sees: window[key] as the bridge gives it (toMainWorld). */
    readonly mainWorld = new Map<string, unknown>();
    exposeInMainWorld: E.ContextBridge['exposeInMainWorld'] = (key, api) => {
      if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      this.exposed.set(key, api);
      this.mainWorld.set(key, toMainWorld(api));
    };
  }
  const contextBridge = new FakeContextBridge();

  class FakeIpcRenderer implements Fakeable<E.IpcRenderer> {
    /** The window whose page runs the preload. */
    page: FakeWebContents | null = null;
    invoke: E.IpcRenderer['invoke'] = (channel, ...args) => {
      if (!this.page) throw new Error('fake electron: the preload runs in no window (set ipcRenderer.page)');
      return ipcMain.invoke(this.page, channel, this.page.mainFrame, ...args);
    };
    on = ((channel: string, listener: RendererListener) => {
      const l = this.page!.rendererListeners;
      if (!l.has(channel)) l.set(channel, new Set());
      l.get(channel)!.add(listener);
      return this;
    }) as unknown as E.IpcRenderer['on'];
    removeListener = ((channel: string, listener: RendererListener) => {
      this.page!.rendererListeners.get(channel)?.delete(listener);
      return this;
    }) as unknown as E.IpcRenderer['removeListener'];
  }
  const ipcRenderer = new FakeIpcRenderer();

  /** What `import … from 'electron'` gives the code under test. */
  const module = { app, BrowserWindow: FakeBrowserWindow, ipcMain, protocol, dialog, Menu, contextBridge, ipcRenderer };
  return { module, app, ipcMain, protocol, dialog, Menu, contextBridge, ipcRenderer, windows, misuse, BrowserWindow: FakeBrowserWindow };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
export type FakeWindow = FakeElectron['windows'][number];
