// The functions the preload exposes, built from the contract's channel list (pure: tested without Electron).
import { channels, ipcChannel, methodName } from '../../api/contract';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: unknown } };

export function unwrap(reply: unknown): unknown {
  const r = reply as Envelope;
  if (r && r.ok === true) return r.result;
  const e = (r && r.ok === false && r.error) || { code: 'internal', message: 'malformed reply from the main process' };
  const err = new Error(e.message) as Error & { code: string; details?: unknown };
  err.name = 'ApiError';
  err.code = e.code;
  if (e.details !== undefined) err.details = e.details;
  throw err;
}

export function buildApi(invoke: (channel: string, request: unknown) => Promise<unknown>): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const c of channels) {
    const channel = ipcChannel(c);
    api[methodName(c)] = async (request: unknown) => unwrap(await invoke(channel, request ?? {}));
  }
  return api;
}

