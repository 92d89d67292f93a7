/**
 * Carries the contract over Electron IPC on the main side: one `ipcMain.handle` per invoke channel and
 * one `ipcMain.on` per send channel, all taken from the dispatcher (which took them from the schema), so
 * no channel name is written here. Every argument is validated by the dispatcher; messages from a frame
 * that is not the app's own origin are refused before that.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron';

import type { IpcResult, MainDispatcher } from '@lightspeed/shared';

/** The part of `ipcMain` the bridge uses. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;

/** Decides whether a message comes from the app's own UI, given the sending frame's URL. */
export type SenderCheck = (frameUrl: string | null) => boolean;

/** The envelope returned to an untrusted sender. */
export const REFUSED: IpcResult = {
  ok: false,
  error: { code: 'unknown-channel', message: 'sender not allowed' },
};

function frameUrl(event: IpcMainEvent | IpcMainInvokeEvent): string | null {
  // senderFrame is null once the frame navigated away or was destroyed.
  return event.senderFrame?.url ?? null;
}

/** Registers every invoke/send channel of `dispatcher` on `ipcMain`; returns a function that removes them. */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatcher: MainDispatcher,
  trusted: SenderCheck,
  onRefused: (channel: string) => void = () => {},
): () => void {
  const undo: (() => void)[] = [];
  for (const { name, channel } of dispatcher.channels) {
    if (channel.kind === 'invoke') {
      ipcMain.handle(name, (event, arg: unknown) => {
        if (!trusted(frameUrl(event))) {
          onRefused(name);
          return REFUSED;
        }
        return dispatcher.invoke(name, arg);
      });
      undo.push(() => ipcMain.removeHandler(name));
    } else if (channel.kind === 'send') {
      const listener = (event: IpcMainEvent, arg: unknown): void => {
        if (!trusted(frameUrl(event))) {
          onRefused(name);
          return;
        }
        dispatcher.send(name, arg);
      };
      ipcMain.on(name, listener);
      undo.push(() => ipcMain.removeListener(name, listener));
    }
  }
  return () => {
    for (const fn of undo.splice(0)) fn();
  };
}
