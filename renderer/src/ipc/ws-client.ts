/**
 * The browser's `LightspeedApi`: the IPC contract over the dashboard's WebSocket (same frames as
 * `ws-frames.ts` in shared). Reconnects with backoff; listeners survive reconnects; calls made while
 * disconnected fail with the `disconnected` code.
 */
import {
  createRendererApi,
  ipcSchema,
  parseServerFrame,
  type ClientFrame,
  type IpcResult,
  type LightspeedApi,
  type RendererTransport,
} from '@lightspeed/shared';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClient {
  api: LightspeedApi;
  /** Called on every connection change; `open` after a reconnect means: reload the snapshot. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

const INVOKE_TIMEOUT_MS = 30_000;

/** The socket URL for a page served at `http://host/<token>/`: `ws://host/<token>/ws`. */
export function socketUrlFor(pageUrl: string): string {
  const url = new URL('ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Connects to `url` and returns the contract's API over it. */
export function connectWs(url: string, WebSocketImpl: typeof WebSocket = WebSocket): WsClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const pending = new Map<
    number,
    { resolve: (r: IpcResult) => void; timer: ReturnType<typeof setTimeout> }
  >();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let closed = false;
  let retryMs = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setConnection = (state: ConnectionState): void => {
    for (const l of connectionListeners) l(state);
  };
  const failPending = (message: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: { code: 'disconnected', message } });
      pending.delete(id);
    }
  };

  const open = (): void => {
    setConnection('connecting');
    const ws = new WebSocketImpl(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setConnection('open');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      const frame = parseServerFrame(ev.data);
      if (frame === null) return;
      if (frame.t === 'result') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        clearTimeout(p.timer);
        p.resolve(frame.result);
      } else {
        for (const l of listeners.get(frame.ch) ?? []) l(frame.payload);
      }
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      failPending('connection to LightSpeed lost');
      setConnection('closed');
      if (!closed) {
        retryTimer = setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      }
    };
  };

  const write = (frame: ClientFrame): boolean => {
    if (socket?.readyState !== WebSocketImpl.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  };

  const transport: RendererTransport = {
    invoke(channel, arg) {
      return new Promise<IpcResult>((resolve) => {
        const id = nextId++;
        const frame: ClientFrame =
          arg === undefined ? { t: 'invoke', id, ch: channel } : { t: 'invoke', id, ch: channel, arg };
        if (!write(frame)) {
          resolve({ ok: false, error: { code: 'disconnected', message: 'not connected to LightSpeed' } });
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({
            ok: false,
            error: {
              code: 'disconnected',
              message: `${channel}: no answer in ${INVOKE_TIMEOUT_MS / 1000} s`,
            },
          });
        }, INVOKE_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
      });
    },
    send(channel, arg) {
      write(arg === undefined ? { t: 'send', ch: channel } : { t: 'send', ch: channel, arg });
    },
    listen(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };

  open();
  return {
    api: createRendererApi(ipcSchema, transport),
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      socket?.close();
      failPending('closed');
    },
  };
}
