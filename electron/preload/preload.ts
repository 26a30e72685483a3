// Preload (sandboxed): exposes the app API on window.tessera (api/contract.ts's BridgeApi) — one named
// function per contract channel, never a generic invoke — plus onEvent. Each function answers with
// main's reply envelope { ok, result } | { ok: false, error } as it is: an Error thrown across the
// contextBridge arrives with its message only, so renderer/api/client.ts makes the ApiError there.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channels, ipcChannel, methodName, IPC_EVENT_CHANNEL, type AppEvent } from '../../api/contract';

const api: Record<string, unknown> = {};
for (const c of channels) {
  const channel = ipcChannel(c);
  api[methodName(c)] = (request: unknown) => ipcRenderer.invoke(channel, request ?? {});
}
api.onEvent = (listener: (e: AppEvent) => void) => {
  const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event as AppEvent);
  ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
  return () => void ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
};
contextBridge.exposeInMainWorld('tessera', Object.freeze(api));
