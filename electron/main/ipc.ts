// Binds the API contract to Electron IPC: one handler per channel, each checking its sender (the top
// frame of one of our windows, showing our own origin) before the services validate the request
// against the contract's zod schema. Replies are envelopes { ok, result } | { ok: false, error }
// so error codes survive IPC (thrown errors lose their fields there).
//
// The binding also remembers which projects each window opened: when a window closes, its calls
// still running (a save) finish first, then the projects no other window holds are closed, which
// releases their locks (on macOS the app outlives its windows).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { channels, ipcChannel, IPC_EVENT_CHANNEL, type AppEvent, type Channel } from '../../api/contract';
import type { AppServices, CallResult } from '../api/services';

export interface IpcBindingOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  services: AppServices;
  /** True when the URL belongs to the app's own pages (e.g. tessera://app/…). */
  isTrustedUrl(url: string): boolean;
  /** True when the WebContents is one of the app's windows. */
  isOurWindow(wc: WebContents): boolean;
}

export type IpcSender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** Why a request must be refused, or null when it comes from the top frame of our window showing our page. */
export function senderProblem(event: IpcSender, o: Pick<IpcBindingOptions, 'isTrustedUrl' | 'isOurWindow'>): string | null {
  if (event.sender.isDestroyed()) return 'the window that sent the request is closed';
  if (!o.isOurWindow(event.sender)) return 'the request does not come from a Tessera window';
  const frame = event.senderFrame;
  if (!frame) return 'the frame that sent the request is gone';
  if (frame.parent !== null) return `the request comes from a frame inside the page (${frame.url || 'unknown frame'})`;
  if (!o.isTrustedUrl(frame.url)) return `the request comes from a page Tessera did not load (${frame.url || 'unknown frame'})`;
  return null;
}

/** Channels whose answer is a project the calling window now has open. */
const OPENS_PROJECT: ReadonlySet<Channel> = new Set<Channel>(['project.new', 'project.open', 'examples.open']);

export interface IpcBinding {
  /** After a window closed: waits for its running calls, then closes the projects only it held; returns their ids. */
  windowClosed(webContentsId: number): Promise<string[]>;
  /** Removes every handler. */
  unbind(): void;
}

/** Registers every channel of the contract. */
export function bindIpc(o: IpcBindingOptions): IpcBinding {
  const held = new Map<number, Set<string>>();
  const running = new Map<number, Set<Promise<unknown>>>();
  const holdersOf = (projectId: string) => [...held.values()].filter((s) => s.has(projectId)).length;

  for (const c of channels) {
    o.ipcMain.handle(ipcChannel(c), (event, raw): Promise<CallResult> => {
      const problem = senderProblem(event, o);
      if (problem) return Promise.resolve({ ok: false, error: { code: 'forbidden', message: `refused ${c}: ${problem}` } });
      const id = event.sender.id;
      const call = o.services.call(c, raw).then((r) => {
        if (r.ok && OPENS_PROJECT.has(c)) add(held, id, (r.result as { projectId: string }).projectId);
        if (r.ok && c === 'project.close') for (const s of held.values()) s.delete((raw as { projectId: string }).projectId);
        return r;
      });
      add(running, id, call);
      void call.finally(() => running.get(id)?.delete(call));
      return call;
    });
  }

  return {
    async windowClosed(webContentsId) {
      await Promise.allSettled([...(running.get(webContentsId) ?? [])]);
      running.delete(webContentsId);
      const mine = held.get(webContentsId) ?? new Set<string>();
      held.delete(webContentsId);
      const closed: string[] = [];
      for (const projectId of mine) {
        if (holdersOf(projectId) > 0) continue; // another window still shows it
        const r = await o.services.call('project.close', { projectId });
        if (r.ok) closed.push(projectId);
        else if (r.error.code !== 'not-found') console.error(`Tessera: closing project ${projectId} after its window closed failed: ${r.error.message}`);
      }
      return closed;
    },
    unbind() {
      for (const c of channels) o.ipcMain.removeHandler(ipcChannel(c));
    },
  };
}

function add<T>(map: Map<number, Set<T>>, key: number, value: T): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(value);
}

/** Forwards service events to every window still alive. */
export function forwardEvents(services: Pick<AppServices, 'onEvent'>, windows: () => { webContents: WebContents; isDestroyed(): boolean }[]): () => void {
  return services.onEvent((event: AppEvent) => {
    for (const w of windows()) if (!w.isDestroyed() && !w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, event);
  });
}
