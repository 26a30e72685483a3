// Preload (sandboxed): exposes the app API on window.tessera — one named function per contract
// channel, never a generic invoke — plus onEvent. Replies are envelopes from electron/main/ipc.ts; a
// failure is rethrown as an Error named 'ApiError' carrying `code` (and `details`).
import { IPC_EVENT_CHANNEL, type AppEvent } from '../../api/contract';
import { buildApi } from './api';
import type { ElectronPreload, IpcRendererEvent } from '../main/electron-api';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as ElectronPreload;

const api = buildApi((channel, request) => ipcRenderer.invoke(channel, request));
api.onEvent = (listener: (e: AppEvent) => void) => {
  const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event as AppEvent);
  ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
  return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
};
contextBridge.exposeInMainWorld('tessera', Object.freeze(api));
