// The slice of Electron's API the shell uses, typed locally. The electron package (and its binary) is
// optional here: it cannot be downloaded on every machine, so the code must typecheck without it.
// At run time the real module is loaded with require('electron') (main and preload bundles are CJS,
// and 'electron' is external).

export interface IpcMainInvokeEvent {
  sender: WebContents;
  senderFrame: { url: string } | null;
}

export interface IpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContents {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  getURL(): string;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  session: Session;
  isDestroyed(): boolean;
}

export interface Session {
  setPermissionRequestHandler(handler: ((wc: WebContents, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: WebContents | null, permission: string) => boolean) | null): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void,
      ) => void,
    ): void;
  };
  protocol: Protocol;
}

export interface Protocol {
  handle(scheme: string, handler: (request: { url: string; method: string }) => Response | Promise<Response>): void;
}

export interface BrowserWindowOptions {
  width?: number;
  height?: number;
  minWidth?: number;
  minHeight?: number;
  title?: string;
  show?: boolean;
  backgroundColor?: string;
  webPreferences: {
    preload?: string;
    contextIsolation: boolean;
    sandbox: boolean;
    nodeIntegration: boolean;
    nodeIntegrationInWorker?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    webviewTag?: boolean;
    spellcheck?: boolean;
  };
}

export interface BrowserWindow {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  show(): void;
  isDestroyed(): boolean;
}

export interface BrowserWindowStatic {
  new (options: BrowserWindowOptions): BrowserWindow;
  getAllWindows(): BrowserWindow[];
  fromWebContents(wc: WebContents): BrowserWindow | null;
}

export interface App {
  isPackaged: boolean;
  getPath(name: 'userData' | 'documents' | 'home' | 'temp'): string;
  getAppPath(): string;
  getVersion(): string;
  whenReady(): Promise<void>;
  enableSandbox(): void;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'window-all-closed' | 'before-quit' | 'activate', listener: () => void): void;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): void;
}

export interface Dialog {
  showOpenDialog(
    win: BrowserWindow | undefined,
    options: { title?: string; properties: string[]; filters?: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    win: BrowserWindow | undefined,
    options: { title?: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface ProtocolStatic {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
  handle(scheme: string, handler: (request: { url: string; method: string }) => Response | Promise<Response>): void;
}

export interface Net {
  fetch(url: string): Promise<Response>;
}

export interface ElectronMain {
  app: App;
  BrowserWindow: BrowserWindowStatic;
  ipcMain: IpcMain;
  dialog: Dialog;
  protocol: ProtocolStatic;
  session: { defaultSession: Session };
  Menu: { setApplicationMenu(menu: null): void };
}

export interface IpcRendererEvent {
  sender: unknown;
}

export interface ElectronPreload {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
  };
}
