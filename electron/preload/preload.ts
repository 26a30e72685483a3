// Preload (sandboxed): exposes the app API on window.tessera — one named function per contract
// channel, never a generic invoke — plus onEvent. Replies are envelopes from electron/main/ipc.ts; a
// failure is rethrown as an Error named 'ApiError' carrying `code` (and `details`).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, type AppEvent } from '../../api/contract';
import { buildApi } from './api';

const api = buildApi((channel, request) => ipcRenderer.invoke(channel, request));
api.onEvent = (listener: (e: AppEvent) => void) => {
  const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event as AppEvent);
  ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
  return () => void ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
};
contextBridge.exposeInMainWorld('tessera', Object.freeze(api));
