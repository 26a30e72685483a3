// The renderer's only door to the services: an AppApi over window.tessera (Electron preload) or over
// HTTP + WebSocket (serve mode, token from the page URL or the cookie the first page load set).
import type { AppApi, AppEvent, ApiErrorCode, BridgeApi } from '../../api/contract';

declare global {
  interface Window {
    tessera?: BridgeApi;
  }
}

/** The error both transports reject with (same shape as electron/api's ApiCallError). */
export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode | 'network', message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 'projectSaveAs' → 'project.saveAs' (inverse of the contract's methodName). */
export function channelOf(method: string): string {
  const m = /^([a-z0-9]+)([A-Z].*)$/.exec(method);
  if (!m) return method;
  return `${m[1]}.${m[2][0].toLowerCase()}${m[2].slice(1)}`;
}

function tokenFromUrl(): string | null {
  try {
    const url = new URL(window.location.href);
    const t = url.searchParams.get('token') ?? new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
    if (t) sessionStorage.setItem('tessera.token', t);
    return t ?? sessionStorage.getItem('tessera.token');
  } catch {
    return null;
  }
}

export function httpApi(base = ''): AppApi {
  const token = tokenFromUrl();
  const listeners = new Set<(e: AppEvent) => void>();
  let socket: WebSocket | null = null;

  function openSocket(): void {
    if (socket) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = token ? `?token=${encodeURIComponent(token)}` : '';
    try {
      socket = new WebSocket(`${proto}//${location.host}${base}/api/events${q}`);
    } catch {
      socket = null;
      return;
    }
    socket.onmessage = (m) => {
      try {
        const ev = JSON.parse(String(m.data)) as AppEvent;
        for (const l of listeners) l(ev);
      } catch {
        /* not an event: ignore */
      }
    };
    socket.onclose = () => {
      socket = null;
    };
  }

  async function call(method: string, request: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['x-tessera-token'] = token;
    let res: Response;
    try {
      res = await fetch(`${base}/api/${channelOf(method)}`, { method: 'POST', headers, body: JSON.stringify(request ?? {}), credentials: 'same-origin' });
    } catch (err) {
      throw new ApiError('network', `Cannot reach the Tessera service (${(err as Error).message}); is "tessera serve" still running?`);
    }
    let body: any = null;
    try {
      body = await res.json();
    } catch {
      throw new ApiError('internal', `The service answered ${res.status} without JSON for ${channelOf(method)}.`);
    }
    if (body && body.ok === true) return body.result;
    const e = body?.error ?? {};
    throw new ApiError(e.code ?? 'internal', e.message ?? `The service answered ${res.status} for ${channelOf(method)}.`, e.details);
  }

  const target: Record<string, unknown> = {
    onEvent(listener: (e: AppEvent) => void) {
      listeners.add(listener);
      openSocket();
      return () => listeners.delete(listener);
    },
  };
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop in t) return t[prop];
      if (prop === 'then') return undefined;
      return (req: unknown) => call(prop, req);
    },
  }) as unknown as AppApi;
}

/**
 * AppApi over the preload's window.tessera: its functions answer with the reply envelope, made an
 * ApiError here. The proxy's target is its own empty object: window.tessera is frozen (the
 * contextBridge freezes what it copies), and a proxy may not answer other values for a frozen target's
 * properties.
 */
export function electronApi(bridge: BridgeApi): AppApi {
  const source = bridge as unknown as Record<string, unknown>;
  return new Proxy({} as Record<string, unknown>, {
    get(_t, prop) {
      const v = source[prop as string];
      if (typeof v !== 'function' || prop === 'onEvent') return v;
      return async (req: unknown) => {
        let reply: any;
        try {
          reply = await (v as (r: unknown) => Promise<unknown>)(req);
        } catch (err) {
          throw new ApiError('internal', `The call to the Tessera main process failed (${errorText(err)}).`);
        }
        if (reply?.ok === true) return reply.result;
        const e = reply?.ok === false ? reply.error : null;
        throw new ApiError(e?.code ?? 'internal', e?.message ?? `The Tessera main process gave no answer for ${channelOf(String(prop))}.`, e?.details);
      };
    },
  }) as unknown as AppApi;
}

let instance: AppApi | null = null;

export function getApi(): AppApi {
  if (!instance) instance = window.tessera ? electronApi(window.tessera) : httpApi();
  return instance;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
