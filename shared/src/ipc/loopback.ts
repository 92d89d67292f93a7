/**
 * An in-process transport: the UI's API wired straight to a dispatcher, with every value passed through
 * JSON on the way, as a real transport would. Used by the fake backend and by tests.
 */
import type { MainDispatcher, RendererTransport } from './derive.js';
import type { IpcResult } from './errors.js';

/** A renderer transport over `dispatcher`; `emit` delivers a notification to its listeners. */
export interface LoopbackTransport {
  transport: RendererTransport;
  emit: (channel: string, payload: unknown) => void;
}

const viaJson = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** Connects a renderer API to `dispatcher` in the same process. */
export function createLoopbackTransport(dispatcher: MainDispatcher): LoopbackTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    transport: {
      async invoke(channel, arg): Promise<IpcResult> {
        return viaJson(await dispatcher.invoke(channel, viaJson(arg))) as IpcResult;
      },
      send(channel, arg) {
        dispatcher.send(channel, viaJson(arg));
      },
      listen(channel, listener) {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    },
    emit: (channel, payload) => {
      const copy = viaJson(payload);
      for (const listener of listeners.get(channel) ?? []) listener(copy);
    },
  };
}
