// Binds the API contract to Electron IPC: one handler per channel, each checking its sender (a frame
// of one of our windows, loaded from our own origin) before the services validate the request
// against the contract's zod schema. Replies are envelopes { ok, result } | { ok: false, error }
// so error codes survive IPC (thrown errors lose their fields there).
import { channels, ipcChannel, IPC_EVENT_CHANNEL, type AppEvent } from '../../api/contract';
import type { AppServices, CallResult } from '../api/services';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from './electron-api';

export interface IpcBindingOptions {
  ipcMain: IpcMain;
  services: AppServices;
  /** True when the URL belongs to the app's own pages (e.g. tessera://app/…). */
  isTrustedUrl(url: string): boolean;
  /** True when the WebContents is one of the app's windows. */
  isOurWindow(wc: WebContents): boolean;
}

export function senderProblem(event: IpcMainInvokeEvent, o: Pick<IpcBindingOptions, 'isTrustedUrl' | 'isOurWindow'>): string | null {
  if (!o.isOurWindow(event.sender)) return 'the request does not come from a Tessera window';
  const url = event.senderFrame?.url ?? '';
  if (!o.isTrustedUrl(url)) return `the request comes from a page Tessera did not load (${url || 'unknown frame'})`;
  return null;
}

/** Registers every channel; returns a function removing them again. */
export function bindIpc(o: IpcBindingOptions): () => void {
  for (const c of channels) {
    o.ipcMain.handle(ipcChannel(c), async (event, raw): Promise<CallResult> => {
      const problem = senderProblem(event, o);
      if (problem) return { ok: false, error: { code: 'forbidden', message: `refused ${c}: ${problem}` } };
      return o.services.call(c, raw);
    });
  }
  return () => {
    for (const c of channels) o.ipcMain.removeHandler(ipcChannel(c));
  };
}

/** Forwards service events to every window. */
export function forwardEvents(services: AppServices, windows: () => { webContents: WebContents }[]): () => void {
  return services.onEvent((event: AppEvent) => {
    for (const w of windows()) if (!w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, event);
  });
}
