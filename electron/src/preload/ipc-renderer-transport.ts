/**
 * The contract's renderer transport over Electron IPC. Only structural Electron types, so it is tested
 * with plain Node; preload.ts hands it the real `ipcRenderer`.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';

import type { IpcResult, RendererTransport } from '@lightspeed/shared';

/** The part of `ipcRenderer` the transport uses. */
export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>;

/** Carries invoke/send/notify over `ipc`; the event object never reaches the page. */
export function ipcRendererTransport(ipc: IpcRendererLike): RendererTransport {
  return {
    invoke: (channel, arg) => ipc.invoke(channel, arg) as Promise<IpcResult>,
    send: (channel, arg) => ipc.send(channel, arg),
    listen: (channel, listener) => {
      const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    },
  };
}
